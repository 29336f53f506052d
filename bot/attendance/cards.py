"""The messages that show a request: each admin's card with approve / reject, and a swap's question to the
colleague. They are remembered, so that once the request is settled every copy says how, without buttons.

These are edited later by message id, so they are sent here directly (``send_paced``) and remembered; what
a request's people are told about its outcome goes through the delivery outbox (``outbox.tell``).

Telegram glue shared by attendance's handlers and by the dashboard: a request decided on either settles
every card of it with ``settle_cards``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.attendance import keyboards, render, service
from bot.attendance.models import AttendanceRequest, RequestStatus, Shift
from bot.attendance.render import esc
from bot.context import BotContext
from bot.delivery.sender import retry_after_seconds
from bot.i18n import N_, Translate, translator_for
from bot.people.models import Person

log = logging.getLogger(__name__)

SEND_RATE = 25.0
"""Messages per second when writing to many people without the bot's rate limiter (Telegram allows 30)."""

Outgoing = tuple[int, str, InlineKeyboardMarkup | None]

SETTLED = {
    RequestStatus.APPROVED: N_("✅ Approved by {name}"),
    RequestStatus.REJECTED: N_("✖️ Rejected by {name}"),
    RequestStatus.CANCELLED: N_("↩️ Withdrawn by {name}"),
}
OPEN = (RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING)


async def send_paced(bot: Bot, messages: Sequence[Outgoing], rate: float = SEND_RATE) -> list[Message]:
    """Send private messages one after another within Telegram's overall limit; the messages that arrived.

    With the bot's rate limiter in place (the composition root installs the shared one) it sets the pace;
    without one, the messages are spaced ``1/rate`` seconds apart. A flood-limit answer is waited out and
    retried; a blocked bot or another refusal is logged and skipped, so one person never stops the others.
    """
    loop = asyncio.get_running_loop()
    spacing = 0.0 if getattr(bot, "rate_limiter", None) is not None else 1 / rate
    next_at = loop.time()
    sent: list[Message] = []
    for chat_id, text, markup in messages:
        delay = next_at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        next_at = max(next_at, loop.time()) + spacing
        for _attempt in range(3):
            try:
                sent.append(
                    await bot.send_message(chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML)
                )
                break
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
            except Forbidden as exc:
                log.info("could not write to %s: %s", chat_id, exc)
                break
            except TelegramError as exc:
                log.warning("could not send an attendance message to %s: %s", chat_id, exc)
                break
    return sent


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
