"""The arguments of attendance commands, read into values; what does not fit raises ``UsageError``.

Each reader takes the command's words (``context.args``) and today's local date for the examples; the
handler, wrapped in ``bot.replies.usage_errors``, answers a ``UsageError`` with its text. No Telegram here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.attendance.models import Punch
from bot.attendance.schedule import (
    ShiftDraft,
    ShiftError,
    parse_clock,
    parse_date,
    parse_month,
    parse_shift,
    parse_weekday,
)
from bot.i18n import N_, Translate
from bot.usage import UsageError

MAX_OVERRIDE_DAYS = 31
MIN_RADIUS_M, MAX_RADIUS_M = 30, 5000

LEAVE_USAGE = N_(
    "Ask for leave with the first day, the last day if more than one, and the reason, for example:\n"
    "/leave {tomorrow} 看病\n/leave {tomorrow} {after} 回家"
)
SWAP_USAGE = N_(
    "Ask a colleague to swap shifts on a day, for example:\n/swap @xiaowang {day} 家里有事\n"
    "They work your shift that day and you work theirs (if they have one)."
)
CORRECT_USAGE = N_(
    "Ask for a missed check-in or check-out (补卡) with the day, in or out, the time and the reason, "
    "for example:\n/correct {day} in 08:25 手机没电\n/correct {day} out 17:05 忘记签退"
)
DAYOFF_USAGE = N_("Give the day (and the last day), for example: /dayoff {day} 停电检修")
DAYOFF_RANGE = N_("Give at most 31 days, the first before the last.")
WORKDAY_USAGE = N_(
    "Make a day a workday and say which weekday's shifts run, for example:\n/workday {day} 5 — the "
    "shifts of Friday (1 is Monday; without it: the day's own weekday, or Monday for a weekend)."
)
CLEARDAY_USAGE = N_("Which day? For example: /clearday {day}")
ATTENDANCE_USAGE = N_("Write the day like this: /attendance {day}")
MYATTENDANCE_USAGE = N_("Write the month like this: /myattendance 2025-10")
MONTHREPORT_USAGE = N_("Write the month like this: /monthreport 2025-10")
ASSIGN_USAGE = N_(
    "Put people on a shift: /assign SHIFT @username … [FROM] [TO], for example:\n"
    "/assign 早班 @xiaoli @xiaowang\n/assign 夜班 @xiaoli 2025-11-01 2025-11-30\n"
    "Or send /assign SHIFT and tap names."
)
UNASSIGN_USAGE = N_("Take people off a shift: /unassign SHIFT @username … [FROM]")
UNKNOWN_PERSON = N_("I don't know {who}. They must write to me first.")
NOT_A_PERSON_OR_DATE = N_("“{value}” is neither a person (@username or id) nor a date.")
BAD_RANGE = N_("The last day is before the first day.")
RADIUS_USAGE = N_("Give a distance between 30 and 5000 metres.")
SHIFT_USAGE = N_(
    "Define a shift: /newshift NAME START END [WEEKDAYS] [window=30] [grace=5] [close=60]\n"
    "Examples:\n/newshift 早班 08:30 17:00 1-5\n/newshift 晚班 16:00 24:00 每天 grace=10\n"
    "/newshift 夜班 22:00 06:00 1-5 window=20\n"
    "window: check-in opens that many minutes before the start; grace: minutes before it counts as late; "
    "close: minutes after the start when check-in closes (then absent). Weekdays: 1 is Monday."
)
SHIFT_ERRORS = {
    ShiftError.BAD_NAME: N_("The name “{value}” does not work: at most 16 characters, not a time."),
    ShiftError.BAD_START: N_("“{value}” is not a start time; write it like 08:30."),
    ShiftError.BAD_END: N_("“{value}” is not an end time; write it like 17:00 (24:00 for midnight)."),
    ShiftError.SAME_TIME: N_("The shift must end at a different time than it starts."),
    ShiftError.BAD_DAYS: N_(
        "“{value}” is not a list of weekdays; write 1-5, 1,3,5, 6-7 or 每天 (1 is Monday)."
    ),
    ShiftError.BAD_OPTION: N_(
        "“{value}” is not an option I know; use window=30, grace=5 or close=60 (minutes)."
    ),
    ShiftError.BAD_WINDOW: N_("Check-in can open at most 240 minutes before the start (you wrote {value})."),
    ShiftError.BAD_GRACE: N_(
        "The grace period ({value} min) must fit in the shift and be at most 120 minutes."
    ),
    ShiftError.BAD_CLOSE: N_(
        "Check-in must close after the grace period and before the shift ends (you wrote {value})."
    ),
}
PUNCHES = {
    "in": Punch.IN,
    "签到": Punch.IN,
    "上班": Punch.IN,
    "out": Punch.OUT,
    "签退": Punch.OUT,
    "下班": Punch.OUT,
}


class ShiftUsageError(UsageError):
    """A shift definition that does not work: what is wrong with it, then how to write one."""

    def text(self, _: Translate) -> str:
        return f"{super().text(_)}\n\n{_(SHIFT_USAGE)}"


def usage(message: str, today: date) -> UsageError:
    """``message`` with example dates: ``{day}`` today, ``{tomorrow}`` and ``{after}`` the next two days."""
    return UsageError(
        message,
        day=today.isoformat(),
        tomorrow=(today + timedelta(days=1)).isoformat(),
        after=(today + timedelta(days=2)).isoformat(),
    )


def first_date(args: Sequence[str], today: date, message: str) -> date:
    """The date the command starts with, or the command's usage ``message`` (see :func:`usage`)."""
    day = parse_date(args[0], today) if args else None
    if day is None:
        raise usage(message, today)
    return day


def leave(args: Sequence[str], today: date) -> tuple[date, date, str]:
    """``/leave FIRST [LAST] [reason]`` → first day, last day, reason."""
    first = first_date(args, today, LEAVE_USAGE)
    last = parse_date(args[1], today) if len(args) > 1 else None
    return first, last or first, " ".join(args[2:] if last else args[1:])


def swap(args: Sequence[str], today: date) -> tuple[str, date, str]:
    """``/swap @colleague DAY [reason]`` → who, the day, reason."""
    day = parse_date(args[1], today) if len(args) > 1 else None
    if day is None:
        raise UsageError(SWAP_USAGE, day=(today + timedelta(days=1)).isoformat())
    return args[0], day, " ".join(args[2:])


def correction(args: Sequence[str], today: date) -> tuple[date, Punch, int, str]:
    """``/correct DAY in|out HH:MM [reason]`` → the day, in or out, the local minute, reason."""
    day = parse_date(args[0], today) if args else None
    punch = PUNCHES.get(args[1].lower()) if len(args) > 1 else None
    minute = parse_clock(args[2]) if len(args) > 2 else None
    if day is None or punch is None or minute is None:
        raise usage(CORRECT_USAGE, today)
    return day, punch, minute, " ".join(args[3:])


def day_off(args: Sequence[str], today: date) -> tuple[date, date, str]:
    """``/dayoff FIRST [LAST] [note]`` → first day, last day (at most 31 days), note."""
    first = first_date(args, today, DAYOFF_USAGE)
    last = parse_date(args[1], today) if len(args) > 1 else None
    note = " ".join(args[2:] if last else args[1:])
    last = last or first
    if last < first or (last - first).days >= MAX_OVERRIDE_DAYS:
        raise UsageError(DAYOFF_RANGE)
    return first, last, note


def workday(args: Sequence[str], today: date) -> tuple[date, int | None, str]:
    """``/workday DAY [WEEKDAY] [note]`` → the day, whose weekday's shifts run (None: its own), note."""
    day = first_date(args, today, WORKDAY_USAGE)
    weekday = parse_weekday(args[1]) if len(args) > 1 else None
    return day, weekday, " ".join(args[2:] if weekday else args[1:])


def day_or_today(args: Sequence[str], today: date, message: str) -> date:
    """The day the command names, today without one."""
    return first_date(args, today, message) if args else today


def month_or_this(args: Sequence[str], today: date, message: str) -> tuple[int, int]:
    """``(year, month)`` the command names (``2025-10``), this month without one."""
    if not args:
        return today.year, today.month
    month = parse_month(args[0], today)
    if month is None:
        raise UsageError(message)
    return month


def shift_definition(args: Sequence[str]) -> ShiftDraft:
    """``/newshift NAME START END [DAYS] [window=] [grace=] [close=]`` → the shift, validated."""
    draft = parse_shift(list(args))
    if not isinstance(draft, tuple):
        return draft
    error, value = draft
    if error == ShiftError.USAGE:
        raise UsageError(SHIFT_USAGE)
    raise ShiftUsageError(SHIFT_ERRORS[error], value=value)


def radius(text: str) -> int:
    """A check-in distance in metres, within the bounds."""
    metres = int(text)
    if not MIN_RADIUS_M <= metres <= MAX_RADIUS_M:
        raise UsageError(RADIUS_USAGE)
    return metres
