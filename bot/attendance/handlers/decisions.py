"""Admins decide requests: /requests lists those waiting, approve / reject on a card settles one."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import keyboards, outbox, service
from bot.attendance.buttons import Decide
from bot.attendance.handlers import cards
from bot.attendance.handlers.common import PRIVATE, me
from bot.attendance.models import AttendanceRequest, RequestKind, RequestStatus
from bot.attendance.render import esc
from bot.attendance.service import AnswerOutcome
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, translator_for
from bot.people.models import Person
from bot.replies import edit_query_message, on_button, reply, toast

LISTED = 20
DECIDED = {
    (RequestKind.LEAVE, True): N_("✅ Your leave request #{id} was approved by {admin}."),
    (RequestKind.LEAVE, False): N_("✖️ Your leave request #{id} was rejected by {admin}."),
    (RequestKind.SWAP, True): N_("✅ Swap request #{id} was approved by {admin}."),
    (RequestKind.SWAP, False): N_("✖️ Swap request #{id} was rejected by {admin}."),
    (RequestKind.CORRECTION, True): N_("✅ Your correction request #{id} was approved by {admin}."),
    (RequestKind.CORRECTION, False): N_("✖️ Your correction request #{id} was rejected by {admin}."),
}


@admin_only
async def requests_command(update: Update, context: BotContext) -> None:
    """Requests waiting for a decision, each with its buttons."""
    _ = context.gettext
    async with context.session() as session:
        pending = await service.pending_requests(session)
    if not pending:
        await reply(update, context, _("No requests are waiting for a decision."))
        return
    for request in pending[:LISTED]:
        assert request.id is not None
        text = await cards.card(context, request, _)
        message = await reply(update, context, text, keyboards.decision_buttons(_, request.id))
        await cards.remember_cards(context, request.id, [message])


@admin_only
async def decide_pressed(update: Update, context: BotContext, pressed: Decide) -> None:
    """Approve / reject on a request's card."""
    query = update.callback_query
    assert query is not None
    _ = context.gettext
    admin = me(context)
    async with context.session() as session:
        outcome, request = await service.decide(
            session, pressed.request_id, admin, pressed.approve, utcnow(), context.settings.tz, commit=False
        )
        if outcome == AnswerOutcome.DONE and request is not None:
            await _tell_outcome(session, context, request, admin, pressed.approve)
        await session.commit()
    if request is None:
        await toast(update, _("This request no longer exists."), alert=True)
        return
    if outcome == AnswerOutcome.NOT_READY:
        await toast(update, _("The colleague has not accepted this swap yet."), alert=True)
        return
    if outcome == AnswerOutcome.ALREADY:
        withdrawn = request.status == RequestStatus.CANCELLED
        text = _("This request was withdrawn.") if withdrawn else _("This request was already decided.")
        await toast(update, text, alert=True)
        await cards.show_settled(context, query, request)
        return
    context.bot_data.sender.wake()
    await toast(update, _("Approved.") if pressed.approve else _("Rejected."))
    text = await cards.settled_card(context, request, _, admin)
    await edit_query_message(query, text, parse_mode=ParseMode.HTML)
    shown = query.message
    await cards.settle_cards(context, request, (shown.chat.id, shown.message_id) if shown else None)


async def _tell_outcome(
    session: AsyncSession, context: BotContext, request: AttendanceRequest, admin: Person, approve: bool
) -> None:
    """Queue the decision for the requester (and the colleague of a swap), each in their language, in the
    decision's transaction."""
    message = DECIDED[(RequestKind(request.kind), approve)]
    for person_id in (request.person_id, request.colleague_id):
        person = await session.get(Person, person_id) if person_id is not None else None
        if person is not None:
            theirs = translator_for(person, context.settings.default_language)
            text = theirs(message, id=request.id, admin=esc(admin.display_name))
            await outbox.tell(session, person, text, ref=outbox.request_ref(request.id))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("requests", requests_command, PRIVATE),
        on_button(Decide, decide_pressed),
    ]
