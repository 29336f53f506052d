"""Admins decide requests: /requests lists those waiting, approve / reject on a card settles one."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import cards, decisions, keyboards, service
from bot.attendance.buttons import Decide
from bot.attendance.handlers.common import PRIVATE, me
from bot.attendance.models import RequestStatus
from bot.attendance.service import AnswerOutcome
from bot.clock import utcnow
from bot.context import BotContext
from bot.replies import edit_query_message, on_button, reply, toast

LISTED = 20


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
        outcome, request = await decisions.decide(
            session,
            pressed.request_id,
            admin,
            pressed.approve,
            utcnow(),
            context.settings.tz,
            context.settings.default_language,
        )
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


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("requests", requests_command, PRIVATE),
        on_button(Decide, decide_pressed),
    ]
