"""The messages that show a request: each admin's card with approve / reject, and a swap's question to the
colleague. They are remembered, so that once the request is settled every copy says how, without buttons."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.attendance import keyboards, render, service
from bot.attendance.models import AttendanceRequest, RequestStatus, Shift
from bot.attendance.render import esc
from bot.attendance.scheduled import send_paced
from bot.context import BotContext
from bot.i18n import N_, Translate, translator_for
from bot.people.models import Person

log = logging.getLogger(__name__)

SETTLED = {
    RequestStatus.APPROVED: N_("✅ Approved by {name}"),
    RequestStatus.REJECTED: N_("✖️ Rejected by {name}"),
    RequestStatus.CANCELLED: N_("↩️ Withdrawn by {name}"),
}
OPEN = (RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING)


async def notify(context: BotContext, person: Person | None, text: str) -> None:
    """A private message to ``person`` (someone other than the current person), if there is one."""
    if person is None:
        return
    await send_paced(context.bot, [(person.telegram_id, text, None)])


async def card(context: BotContext, request: AttendanceRequest, _: Translate) -> str:
    """A request as admins and the requester see it."""
    async with context.session() as session:
        person = await session.get(Person, request.person_id)
        colleague = await session.get(Person, request.colleague_id) if request.colleague_id else None
        shift = await session.get(Shift, request.shift_id) if request.shift_id else None
    assert person is not None
    return render.request_text(_, request, person, context.settings.tz, colleague=colleague, shift=shift)


async def settled_by(context: BotContext, request: AttendanceRequest) -> Person | None:
    """Who settled a request: the admin who decided it, or the requester who withdrew it."""
    by_id = request.person_id if request.status == RequestStatus.CANCELLED else request.decided_by_id
    if by_id is None:
        return None
    async with context.session() as session:
        return await session.get(Person, by_id)


async def settled_card(
    context: BotContext, request: AttendanceRequest, _: Translate, by: Person | None
) -> str:
    """A request's card with its outcome ("✅ Approved by 王经理") once it is settled."""
    text = await card(context, request, _)
    line = SETTLED.get(RequestStatus(request.status))
    if line is None:
        return text
    return f"{text}\n{_(line, name=esc(by.display_name) if by else '?')}"


async def show_settled(context: BotContext, query: CallbackQuery, request: AttendanceRequest) -> None:
    """Turn the card under a stale button into the settled card (if it can still be edited)."""
    text = await settled_card(context, request, context.gettext, await settled_by(context, request))
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.info("could not update the card of request #%s: %s", request.id, exc)


async def settle_cards(
    context: BotContext, request: AttendanceRequest, skip: tuple[int, int] | None = None
) -> None:
    """Show the outcome on every admin's card of a settled request (but ``skip``, a chat and message id),
    without buttons and in each admin's language; the same for a swap's unanswered question to the colleague
    (it is forgotten once answered, so only a withdrawal finds it). A card that cannot be edited any more
    is left as it is."""
    assert request.id is not None
    async with context.session() as session:
        cards = await service.take_request_cards(session, request.id)
    if not cards:
        return
    by = await settled_by(context, request)
    for shown, admin in cards:
        if (shown.chat_id, shown.message_id) == skip:
            continue
        text = await settled_card(
            context, request, translator_for(admin, context.settings.default_language), by
        )
        try:
            await context.bot.edit_message_text(
                text, chat_id=shown.chat_id, message_id=shown.message_id, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.info("could not update the card of request #%s in %s: %s", request.id, shown.chat_id, exc)


async def remember_cards(context: BotContext, request_id: int, messages: list[Message]) -> None:
    """Remember the cards of a request (admins' or the colleague's); if it was settled while they were being
    sent, update them."""
    if not messages:
        return
    async with context.session() as session:
        await service.add_request_cards(session, request_id, [(m.chat_id, m.message_id) for m in messages])
        request = await service.get_request(session, request_id)
    if request is not None and request.status not in OPEN:
        await settle_cards(context, request)


async def to_admins(context: BotContext, request: AttendanceRequest) -> int:
    """Send a request to every admin with approve / reject buttons, remembering each card."""
    assert request.id is not None
    async with context.session() as session:
        admins = await service.admins(session)
    messages = []
    for admin in admins:
        _ = translator_for(admin, context.settings.default_language)
        header = _("📝 New request — approve or reject:")
        messages.append(
            (
                admin.telegram_id,
                f"{header}\n{await card(context, request, _)}",
                keyboards.decision_buttons(_, request.id),
            )
        )
    sent = await send_paced(context.bot, messages)
    await remember_cards(context, request.id, sent)
    return len(sent)
