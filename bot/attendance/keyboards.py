"""Attendance's inline keyboards shared by the handlers, translated (the reminders' buttons: ``outbox.py``)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.attendance.buttons import Decide
from bot.i18n import Translate


def decision_buttons(_: Translate, request_id: int) -> InlineKeyboardMarkup:
    """Approve / reject, under a request's card."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Approve"), callback_data=Decide(request_id, approve=True).pack()),
                InlineKeyboardButton(_("✖️ Reject"), callback_data=Decide(request_id, approve=False).pack()),
            ]
        ]
    )
