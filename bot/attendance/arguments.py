"""The arguments of attendance commands, read into values; what does not fit raises ``UsageError``.

Each reader takes the command's words (``context.args``) and today's local date for the examples; the
handler, wrapped in ``bot.replies.usage_errors``, answers a ``UsageError`` with its text. No Telegram here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.attendance.calendar import OfficialHoliday
from bot.attendance.models import HOLIDAY_NAME_MAX_LENGTH, Punch
from bot.attendance.schedule import (
    ShiftDraft,
    ShiftError,
    normalise,
    parse_clock,
    parse_date,
    parse_day_in_year,
    parse_month,
    parse_shift,
    parse_weekday,
)
from bot.i18n import N_, Translate
from bot.usage import UsageError

MAX_OVERRIDE_DAYS = 31
MAX_HOLIDAY_DAYS = 14
"""The longest official holiday (the Spring Festival) is 8 or 9 days; a longer one is a typing mistake."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
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
OVERRIDE_RANGE = N_("Give at most 31 days, the first before the last.")
WORKDAY_USAGE = N_(
    "Make a day a workday and say which weekday's shifts run, for example:\n/workday {day} 5 — the "
    "shifts of Friday (1 is Monday; without it: the day's own weekday, or Monday for a weekend).\n"
    "Several days at once (at most 31): /workday {day} {after}"
)
HOLIDAYS_USAGE = N_(
    "Enter the official holidays of a year in one message: the year, then each holiday with its days off "
    "and its make-up workdays, separated by semicolons or new lines, for example:\n"
    "/holidays {year} 元旦 01-01..01-03; 春节 02-06..02-12 workdays 02-14,02-20; "
    "国庆节 10-01..10-07 workdays 09-26,10-09\n"
    "/holidays {year} shows what was entered; /holidays {year} clear removes it."
)
BAD_YEAR = N_("“{value}” is not a year; write it like {year}.")
BAD_HOLIDAY_DATE = N_(
    "In “{part}”: “{value}” is not a date of {year}; write it like 02-06, or 02-06..02-12 for several days."
)
BAD_HOLIDAY_SPAN = N_("In “{part}”: “{value}” ends before it starts, or is longer than {days} days.")
NO_HOLIDAY_DAYS = N_("“{part}” has no days off; write a holiday like 春节 02-06..02-12.")
HOLIDAY_DAY_TWICE = N_("{day} is given twice (again in “{part}”).")
WORKDAY_NOT_WEEKEND = N_("In “{part}”: the make-up workday {day} is not a Saturday or Sunday.")
HOLIDAY_NAME_TOO_LONG = N_("The name “{value}” is too long (at most {length} characters).")
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
    "Define a shift: /newshift NAME START END [WEEKDAYS] [window=30] [grace=5] [close=60] [holidays]\n"
    "Examples:\n/newshift 早班 08:30 17:00 1-5\n/newshift 晚班 16:00 24:00 每天 grace=10\n"
    "/newshift 夜班 22:00 06:00 1-5 window=20\n/newshift 售后 09:00 18:00 每天 holidays\n"
    "window: check-in opens that many minutes before the start; grace: minutes before it counts as late; "
    "close: minutes after the start when check-in closes (then absent); holidays: the shift runs on public "
    "holidays too (holidays=no: not). Weekdays: 1 is Monday."
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
    ShiftError.BAD_HOLIDAYS: N_("“{value}”: write holidays=yes or holidays=no (节假日=是 or 节假日=否)."),
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
    _check_range(first, last)
    return first, last, note


def _check_range(first: date, last: date) -> None:
    if last < first or (last - first).days >= MAX_OVERRIDE_DAYS:
        raise UsageError(OVERRIDE_RANGE)


def workday(args: Sequence[str], today: date) -> tuple[date, date, int | None, str]:
    """``/workday FIRST [LAST] [WEEKDAY] [note]`` → first day, last day (at most 31 days), whose weekday's
    shifts run (None: each day's own), note."""
    first = first_date(args, today, WORKDAY_USAGE)
    rest = list(args[1:])
    last = parse_date(rest[0], today) if rest else None
    if last is not None:
        rest.pop(0)
    weekday = parse_weekday(rest[0]) if rest else None
    if weekday is not None:
        rest.pop(0)
    last = last or first
    _check_range(first, last)
    return first, last, weekday, " ".join(rest)


# --- a year's official holidays ----------------------------------------------------------------------

_PARTS = re.compile(r"[;；\n]+")
_WORDS = re.compile(r"[\s,、]+")
_SPAN = re.compile(r"\.\.|~|至|到|—|–")
_WORKDAY_WORDS = ("调休上班", "workdays", "workday", "调休", "补班", "上班")
_CLEAR_WORDS = {"clear", "delete", "remove", "清除", "删除"}
_FILLER_WORDS = {"放假", "休息", "休", "off"}
_LOOKS_LIKE_A_DATE = re.compile(r"^\d{1,4}[-/.月]")


@dataclass(frozen=True, slots=True)
class YearHolidays:
    """What ``/holidays`` asks: the year's entered schedule shown (no holidays, not ``clear``), replaced by
    ``holidays``, or removed (``clear``)."""

    year: int
    holidays: tuple[OfficialHoliday, ...] = ()
    clear: bool = False


def official_holidays(text: str, today: date) -> YearHolidays:
    """``/holidays YEAR [NAME DAYS [workdays DAYS]; ...]`` (the text after the command) → the year and its
    holidays, every part checked; a ``UsageError`` naming the first part that does not work."""
    year_text, *more = re.split(r"\s+", normalise(text), maxsplit=1)
    year_text, rest = year_text.removesuffix("年"), more[0] if more else ""
    example = today.year + 1
    if not year_text:
        raise UsageError(HOLIDAYS_USAGE, year=example)
    if not (year_text.isdecimal() and FIRST_YEAR <= int(year_text) <= LAST_YEAR):
        raise UsageError(BAD_YEAR, value=year_text, year=example)
    year = int(year_text)
    if rest.strip().lower() in _CLEAR_WORDS:
        return YearHolidays(year, clear=True)
    holidays = tuple(_holiday(part.strip(), year) for part in _PARTS.split(rest) if part.strip())
    seen: set[date] = set()
    for holiday in holidays:
        for day in (*holiday.days, *holiday.workdays):
            if day in seen:
                raise UsageError(HOLIDAY_DAY_TWICE, day=day.isoformat(), part=_label(holiday))
            seen.add(day)
    return YearHolidays(year, holidays)


def _label(holiday: OfficialHoliday) -> str:
    return holiday.name or holiday.days[0].isoformat()


def _words(part: str) -> list[str]:
    """The words of a part, a workday keyword split from what is glued to it (``调休02-14``)."""
    words = []
    for word in _WORDS.split(normalise(part)):
        keyword = next((k for k in _WORKDAY_WORDS if word.lower().startswith(k)), None)
        if keyword is not None:
            words.append(keyword)
            word = word[len(keyword) :].lstrip(":")
        if word:
            words.append(word)
    return words


def _holiday(part: str, year: int) -> OfficialHoliday:
    """One holiday: a name, its days off (days or ranges), then the keyword and its make-up workdays."""
    name: list[str] = []
    days: list[date] = []
    workdays: list[date] = []
    target: list[date] | None = None
    for word in _words(part):
        if word in _WORKDAY_WORDS:
            target = workdays
            continue
        if word in _FILLER_WORDS:
            continue
        glued = re.match(r"^(\D+?)(\d.*)$", word) if target is None else None
        if glued and _span(glued.group(2), year, part) is not None:
            name.append(glued.group(1))
            word = glued.group(2)
        span = _span(word, year, part)
        if span is None:
            if target is not None or _LOOKS_LIKE_A_DATE.match(word):
                raise UsageError(BAD_HOLIDAY_DATE, part=part, value=word, year=year)
            name.append(word)
            continue
        target = days if target is None else target
        target.extend(span)
    label = " ".join(name)
    if len(label) > HOLIDAY_NAME_MAX_LENGTH:
        raise UsageError(HOLIDAY_NAME_TOO_LONG, value=label, length=HOLIDAY_NAME_MAX_LENGTH)
    if not days:
        raise UsageError(NO_HOLIDAY_DAYS, part=part)
    for day in workdays:
        if day.isoweekday() <= 5:
            raise UsageError(WORKDAY_NOT_WEEKEND, part=part, day=day.isoformat())
    return OfficialHoliday(label, tuple(days), tuple(workdays))


def _span(word: str, year: int, part: str) -> list[date] | None:
    """The days a word names (``02-06`` or ``02-06..02-12``), None if it is no date at all; a date of
    another year or a backwards or too long range is refused."""
    ends = _SPAN.split(word)
    if len(ends) == 1 and parse_day_in_year(word, year) is None:
        pieces = word.split("-")  # 10.1-10.7, 10月1日-10月7日 or 10-01-10-07
        if len(pieces) in (2, 4):
            half = len(pieces) // 2
            ends = ["-".join(pieces[:half]), "-".join(pieces[half:])]
    if len(ends) > 2:
        return None
    dates = [parse_day_in_year(end, year) for end in ends]
    if any(d is None for d in dates):
        return None
    first, last = dates[0], dates[-1]
    assert first is not None and last is not None
    if first.year != year or last.year != year:
        raise UsageError(BAD_HOLIDAY_DATE, part=part, value=word, year=year)
    if last < first or (last - first).days >= MAX_HOLIDAY_DAYS:
        raise UsageError(BAD_HOLIDAY_SPAN, part=part, value=word, days=MAX_HOLIDAY_DAYS)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


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
