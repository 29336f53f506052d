"""Requests from staff: /leave, /swap (and the colleague's answer), /correct (补卡), /myrequests and withdrawing."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from bot.access import staff_only
from bot.attendance import arguments, cards, outbox, service
from bot.attendance.buttons import AnswerSwap, Withdraw
from bot.attendance.handlers.common import PRIVATE, me, today
from bot.attendance.models import AttendanceRequest, RequestStatus
from bot.attendance.render import esc
from bot.attendance.service import AnswerOutcome, RequestError
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, translator_for
from bot.people import service as people
from bot.people.models import Person
from bot.replies import edit_query_message, on_button, reply, toast, usage_errors
from bot.usage import UsageError

REQUEST_ERRORS = {
    RequestError.BAD_RANGE: arguments.BAD_RANGE,
    RequestError.TOO_LONG: N_("At most 31 days at a time."),
    RequestError.TOO_OLD: N_("That is more than a month ago; talk to an admin."),
    RequestError.OVERLAP: N_("You already asked for leave on some of those days (see /myrequests)."),
    RequestError.SELF: N_("Choose a colleague, not yourself."),
    RequestError.NOT_STAFF: N_("That person is not staff here."),
    RequestError.NO_SHIFT: N_("You have no shift on that day."),
    RequestError.PAST: N_("That shift has already started; talk to an admin."),
    RequestError.FUTURE: N_("That time has not come yet; a correction is for a punch you missed."),
    RequestError.DUPLICATE: N_("You already asked for a swap on that day (see /myrequests)."),
}


def _made(request: AttendanceRequest | RequestError) -> AttendanceRequest:
    """The request made, or why it was refused (answered like a usage error)."""
    if isinstance(request, RequestError):
        raise UsageError(REQUEST_ERRORS[request])
    return request


@staff_only
@usage_errors
async def leave_command(update: Update, context: BotContext) -> None:
    """/leave FIRST [LAST] [reason]."""
    first, last, reason = arguments.leave(context.args or [], today(context))
    async with context.session() as session:
        request = _made(
            await service.request_leave(
                session, me(context), first, last, reason, utcnow(), context.settings.tz
            )
        )
    await cards.to_admins(context, request)
    _ = context.gettext
    text = _("📝 Leave request #{id} sent to the admins. I'll tell you their answer.", id=request.id)
    await reply(update, context, text)


@staff_only
@usage_errors
async def swap_command(update: Update, context: BotContext) -> None:
    """/swap @colleague DAY [reason]: the colleague must accept, then an admin."""
    who, day, reason = arguments.swap(context.args or [], today(context))
    async with context.session() as session:
        colleague = await people.find_person(session, who)
        if colleague is None:
            raise UsageError(arguments.UNKNOWN_PERSON, who=who)
        request = _made(
            await service.request_swap(
                session, me(context), colleague, day, reason, utcnow(), context.settings.tz
            )
        )
    assert request.id is not None
    theirs = translator_for(colleague, context.settings.default_language)
    question = theirs(
        N_("🔁 {name} asks you to swap shifts. Do you accept?"), name=esc(me(context).display_name)
    )
    answers = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    theirs(N_("✅ Accept")), callback_data=AnswerSwap(request.id, accept=True).pack()
                ),
                InlineKeyboardButton(
                    theirs(N_("✖️ Decline")), callback_data=AnswerSwap(request.id, accept=False).pack()
                ),
            ]
        ]
    )
    text = f"{question}\n{await cards.card(context, request, theirs)}"
    sent = await cards.send_paced(context.bot, [(colleague.telegram_id, text, answers)])
    await cards.remember_cards(context, request.id, sent)
    _ = context.gettext
    text = _(
        "🔁 Swap request #{id} sent to {name}. Once they accept, an admin decides.",
        id=request.id,
        name=esc(colleague.display_name),
    )
    await reply(update, context, text)


async def _forget_pressed(update: Update, context: BotContext) -> None:
    """Forget the colleague's swap question that was just answered, so settling the request leaves it be."""
    query = update.callback_query
    if query is not None and query.message is not None:
        async with context.session() as session:
            await service.forget_request_card(session, query.message.chat.id, query.message.message_id)


@staff_only
async def swap_answered(update: Update, context: BotContext, pressed: AnswerSwap) -> None:
    """The colleague's accept / decline."""
    query = update.callback_query
    assert query is not None
    _ = context.gettext
    async with context.session() as session:
        outcome, request = await service.answer_swap(
            session, pressed.request_id, me(context), pressed.accept, utcnow(), commit=False
        )
        if outcome == AnswerOutcome.DONE and request is not None:
            await _tell_answer(session, context, request, pressed.accept)
        await session.commit()
    if outcome == AnswerOutcome.ALREADY and request is not None and request.status == RequestStatus.CANCELLED:
        await toast(update, _("This request was withdrawn."), alert=True)
        await _forget_pressed(update, context)
        await cards.show_settled(context, query, request)
        return
    if outcome != AnswerOutcome.DONE or request is None:
        text = {
            AnswerOutcome.NOT_YOURS: _("This request is not addressed to you."),
            AnswerOutcome.ALREADY: _("This request was already answered."),
        }.get(outcome, _("This request no longer exists."))
        await toast(update, text, alert=True)
        return
    context.bot_data.sender.wake()
    await query.answer()
    await _forget_pressed(update, context)
    await edit_query_message(query, await cards.card(context, request, _), parse_mode=ParseMode.HTML)
    if pressed.accept:
        await cards.to_admins(context, request)


async def _tell_answer(
    session: AsyncSession, context: BotContext, request: AttendanceRequest, accept: bool
) -> None:
    """Queue the colleague's answer for the requester, in their language, in the answer's transaction."""
    requester = await session.get(Person, request.person_id)
    if requester is None:
        return
    theirs = translator_for(requester, context.settings.default_language)
    name = esc(me(context).display_name)
    note = (
        theirs(
            N_("✅ {name} accepted your swap request #{id}; now an admin decides."), name=name, id=request.id
        )
        if accept
        else theirs(N_("✖️ {name} declined your swap request #{id}."), name=name, id=request.id)
    )
    await outbox.tell(session, requester, note, ref=outbox.request_ref(request.id))


@staff_only
@usage_errors
async def correct_command(update: Update, context: BotContext) -> None:
    """/correct DAY in|out HH:MM [reason] (补卡)."""
    day, punch, minute, reason = arguments.correction(context.args or [], today(context))
    async with context.session() as session:
        request = _made(
            await service.request_correction(
                session, me(context), day, punch, minute, reason, utcnow(), context.settings.tz
            )
        )
    await cards.to_admins(context, request)
    await reply(
        update, context, context.gettext("🕘 Correction request #{id} sent to the admins.", id=request.id)
    )


@staff_only
async def myrequests_command(update: Update, context: BotContext) -> None:
    """A person's latest requests, with a button to withdraw the open ones."""
    _ = context.gettext
    person = me(context)
    async with context.session() as session:
        requests = await service.my_requests(session, person.id or 0)
    if not requests:
        await reply(update, context, _("You have no requests. Ask with /leave, /swap or /correct."))
        return
    shown, rows = [], []
    for request in requests:
        assert request.id is not None
        shown.append(await cards.card(context, request, _))
        if request.person_id == person.id and request.status in cards.OPEN:
            label = _("Withdraw #{id}", id=request.id)
            rows.append([InlineKeyboardButton(label, callback_data=Withdraw(request.id).pack())])
    await reply(update, context, "\n\n".join(shown), InlineKeyboardMarkup(rows) if rows else None)


@staff_only
async def withdraw_pressed(update: Update, context: BotContext, pressed: Withdraw) -> None:
    """The requester withdraws an open request; every card of it says so."""
    _ = context.gettext
    async with context.session() as session:
        outcome = await service.cancel_request(session, pressed.request_id, me(context))
    if outcome != AnswerOutcome.DONE:
        await toast(update, _("This request was already decided."), alert=True)
        return
    await toast(update, _("Request #{id} withdrawn.", id=pressed.request_id), alert=True)
    async with context.session() as session:
        request = await service.get_request(session, pressed.request_id)
    if request is not None:
        await cards.settle_cards(context, request)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("leave", leave_command, PRIVATE),
        CommandHandler("swap", swap_command, PRIVATE),
        CommandHandler(["correct", "buka"], correct_command, PRIVATE),
        CommandHandler("myrequests", myrequests_command, PRIVATE),
        on_button(AnswerSwap, swap_answered),
        on_button(Withdraw, withdraw_pressed),
    ]
