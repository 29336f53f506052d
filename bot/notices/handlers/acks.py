"""收到: the acknowledgement button under notices and reminders, and ``/mynotices`` for staff."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import staff_only
from bot.context import BotContext
from bot.i18n import N_
from bot.notices import service
from bot.notices.buttons import Ack, Acknowledged
from bot.notices.handlers.common import content_line, local_time
from bot.replies import on_button, reply, toast

log = logging.getLogger(__name__)

_ACK_ANSWERS = {
    service.AckOutcome.RECORDED: N_("Thank you, your confirmation is recorded."),
    service.AckOutcome.ALREADY: N_("You have already confirmed this notice."),
    service.AckOutcome.UNKNOWN: N_("This notice no longer exists."),
    service.AckOutcome.NOT_RECEIVED: N_("This notice was not sent to you, so there is nothing to confirm."),
    service.AckOutcome.NOT_NEEDED: N_("This notice does not need a confirmation."),
    service.AckOutcome.STOPPED: N_("This notice was withdrawn; there is nothing to confirm."),
}
#: The outcomes after which the pressed 收到 turns into ✅.
_CONFIRMED = (service.AckOutcome.RECORDED, service.AckOutcome.ALREADY)


async def ack_pressed(update: Update, context: BotContext, pressed: Ack) -> None:
    """Someone pressed 收到 on a notice (or on a reminder, or in /mynotices): record it, mark the button.

    The callback data may be forged: only a person the notice reached in a private chat is recorded.
    """
    _ = context.gettext
    query = update.callback_query
    assert query is not None
    outcome = service.AckOutcome.NOT_RECEIVED
    if context.person is not None:
        async with context.session() as session:
            outcome = await service.acknowledge(session, pressed.notice_id, context.person)
    await toast(update, _(_ACK_ANSWERS[outcome]))
    message = query.message
    if outcome not in _CONFIRMED or not isinstance(message, Message) or message.reply_markup is None:
        return
    keyboard = message.reply_markup.inline_keyboard
    done = InlineKeyboardButton(_("✅ Confirmed"), callback_data=Acknowledged().pack())
    rows = [[done if b.callback_data == query.data else b for b in row] for row in keyboard]
    if rows != [list(row) for row in keyboard]:
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        except BadRequest as exc:
            log.debug("could not mark the notice as confirmed: %s", exc)


async def acknowledged_pressed(update: Update, context: BotContext, pressed: Acknowledged) -> None:
    """The ✅ button left after confirming: just say so."""
    await toast(update, context.gettext("You have already confirmed this notice."))


@staff_only
async def mynotices_command(update: Update, context: BotContext) -> None:
    """A staff member's notices still waiting for their 收到."""
    _ = context.gettext
    assert context.person is not None
    async with context.session() as session:
        pending = await service.unacknowledged_for(session, context.person)
    if not pending:
        await reply(update, context, _("You have confirmed every notice. 👍"))
        return
    lines = [_("Notices waiting for your confirmation:")]
    rows = []
    for notice in pending:
        when = local_time(context.settings.tz, notice.confirmed_at)[5:]
        lines.append(f"• #{notice.id} {when} — {content_line(_, notice)}")
        label = _("✅ Got it: #{id} {summary}", id=notice.id, summary=notice.summary[:24])
        rows.append([InlineKeyboardButton(label, callback_data=Ack(notice.id or 0).pack())])
    await reply(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """``/mynotices``, 收到 and the ✅ left after it."""
    return [
        CommandHandler("mynotices", mynotices_command, filters.ChatType.PRIVATE),
        on_button(Ack, ack_pressed),
        on_button(Acknowledged, acknowledged_pressed),
    ]
