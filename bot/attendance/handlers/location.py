"""Waiting for a shared location: after /checkin (or 签到) asks for one, and after /workplace.

One conversation for both, so the latest question decides what a location is for. Anything else the person
sends meanwhile goes to the other handlers as usual; ✖ Cancel (or /cancel, 取消) stops the wait, and so does
``WAIT`` without a location (then a location from staff is a check-in, as at any other time).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.attendance.buttons import CheckInNow
from bot.attendance.handlers.checkin import checkin_command, checkin_pressed, location_message
from bot.attendance.handlers.common import PRIVATE, Awaiting
from bot.attendance.handlers.workplace import workplace_command, workplace_location
from bot.context import BotContext
from bot.conversations import CANCEL, conversation
from bot.replies import on_button, reply

LOCATION = PRIVATE & filters.LOCATION
WAIT = timedelta(minutes=15)


async def stop_waiting(update: Update, context: BotContext) -> int:
    """✖ Cancel while a location is awaited: take the keyboard away, wait no more."""
    _ = context.gettext
    await reply(update, context, _("OK, I am not waiting for a location any more."), ReplyKeyboardRemove())
    return ConversationHandler.END


def location_conversation() -> ConversationHandler[Any]:
    """/checkin, 签到 and /workplace, and the location each may wait for."""
    return conversation(
        name="attendance_location",
        entry_points=[
            CommandHandler("checkin", checkin_command, PRIVATE),
            on_button(CheckInNow, checkin_pressed),
            CommandHandler("workplace", workplace_command, PRIVATE),
        ],
        states={
            Awaiting.CHECKIN_LOCATION: [MessageHandler(LOCATION, location_message)],
            Awaiting.WORKPLACE_LOCATION: [MessageHandler(LOCATION, workplace_location)],
        },
        fallbacks=[MessageHandler(PRIVATE & CANCEL, stop_waiting)],
        timeout=WAIT,
    )
