"""Attendance's inline keyboards shared by the handlers and the scheduled work, translated."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.attendance.buttons import CheckInNow, CheckOutNow, Decide
from bot.attendance.service import NoticeKind
from bot.i18n import Translate


def checkin_button(_: Translate) -> InlineKeyboardMarkup:
    """签到, under a reminder."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("✅ Check in"), callback_data=CheckInNow().pack())]])


def checkout_button(_: Translate) -> InlineKeyboardMarkup:
    """签退, under a reminder."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("👋 Check out"), callback_data=CheckOutNow(early_ok=False).pack())]]
    )


def notice_buttons(_: Translate, kind: NoticeKind) -> InlineKeyboardMarkup | None:
    """The button under a scheduled notice: check in after a reminder, check out when the shift ended."""
    if kind in (NoticeKind.WINDOW_OPEN, NoticeKind.SHIFT_START):
        return checkin_button(_)
    if kind == NoticeKind.CHECKOUT_REMINDER:
        return checkout_button(_)
    return None


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
