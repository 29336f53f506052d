"""Shift times: when a shift's check-in window opens and closes on a day, in the configured zone.

Pure functions over plain values; every moment is an aware UTC datetime, every day a local date.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
MAX_WINDOW_MINUTES = 240
MAX_GRACE_MINUTES = 120
NAME_MAX_LENGTH = 16
ALL_WEEKDAYS = "1234567"

CHECKOUT_REMINDER_AFTER = timedelta(minutes=15)
"""Someone still checked in this long after the end of the shift is reminded to check out."""
CHECKOUT_CLOSE_AFTER = timedelta(hours=2)
"""This long after the end of the shift a record without check-out is closed and flagged."""


class ShiftLike(Protocol):
    """What the schedule needs of a shift (the ``Shift`` table satisfies it)."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def start_minute(self) -> int: ...
    @property
    def end_minute(self) -> int: ...
    @property
    def weekdays(self) -> str: ...
    @property
    def window_minutes(self) -> int: ...
    @property
    def grace_minutes(self) -> int: ...
    @property
    def close_minutes(self) -> int: ...
    @property
    def on_holidays(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class ShiftSpec:
    """A shift's definition as plain values."""

    id: int | None
    name: str
    start_minute: int
    end_minute: int
    weekdays: str = ALL_WEEKDAYS
    window_minutes: int = 30
    grace_minutes: int = 5
    close_minutes: int = 60
    on_holidays: bool = False

    @classmethod
    def of(cls, shift: ShiftLike) -> ShiftSpec:
        return cls(
            shift.id,
            shift.name,
            shift.start_minute,
            shift.end_minute,
            shift.weekdays,
            shift.window_minutes,
            shift.grace_minutes,
            shift.close_minutes,
            shift.on_holidays,
        )


def duration_minutes(start_minute: int, end_minute: int) -> int:
    """Length of a shift; an end not after the start is on the next day."""
    length = end_minute - start_minute
    return length if length > 0 else length + MINUTES_PER_DAY


def crosses_midnight(shift: ShiftLike) -> bool:
    return shift.end_minute % MINUTES_PER_DAY != 0 and shift.end_minute <= shift.start_minute


def local_moment(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC moment of ``minute`` minutes after local midnight starting ``day`` (1440 is the next
    midnight)."""
    extra, minute = divmod(minute, MINUTES_PER_DAY)
    local = datetime.combine(day + timedelta(days=extra), time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar date of a moment."""
    return moment.astimezone(tz).date()


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One shift on one day: the moments that matter, in UTC."""

    shift: ShiftSpec
    work_date: date
    opens_at: datetime
    starts_at: datetime
    late_after: datetime
    closes_at: datetime
    ends_at: datetime

    def window_contains(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at

    @property
    def checkout_reminder_at(self) -> datetime:
        return self.ends_at + CHECKOUT_REMINDER_AFTER

    @property
    def checkout_closes_at(self) -> datetime:
        return self.ends_at + CHECKOUT_CLOSE_AFTER


def occurrence(shift: ShiftSpec, day: date, tz: ZoneInfo) -> Occurrence:
    """``shift`` on the local date ``day`` (the date it starts on)."""
    starts_at = local_moment(day, shift.start_minute, tz)
    end = shift.start_minute + duration_minutes(shift.start_minute, shift.end_minute)
    ends_at = local_moment(day, end, tz)
    return Occurrence(
        shift=shift,
        work_date=day,
        opens_at=starts_at - timedelta(minutes=shift.window_minutes),
        starts_at=starts_at,
        late_after=starts_at + timedelta(minutes=shift.grace_minutes),
        closes_at=min(starts_at + timedelta(minutes=shift.close_minutes), ends_at),
        ends_at=ends_at,
    )


def minutes_between(earlier: datetime, later: datetime) -> int:
    """Whole minutes from ``earlier`` to ``later``, rounded up, never negative."""
    seconds = (later - earlier).total_seconds()
    return max(0, math.ceil(seconds / 60 - 1e-9))


def late_minutes(occ: Occurrence, checkin_at: datetime) -> int:
    """Minutes late counted from the start, or 0 within the grace period."""
    if checkin_at <= occ.late_after:
        return 0
    return minutes_between(occ.starts_at, checkin_at)


def early_minutes(ends_at: datetime, checkout_at: datetime) -> int:
    """Minutes left before the end of the shift."""
    return minutes_between(checkout_at, ends_at) if checkout_at < ends_at else 0


# --- reading what admins and staff type ----------------------------------------------------------

_FULLWIDTH = str.maketrans("：，～－０１２３４５６７８９　", ":,~-0123456789 ")
_TIME = re.compile(r"^(\d{1,2})(?::|\.|点|時|时)?(\d{2})?分?$")


def normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII."""
    return text.translate(_FULLWIDTH).strip()


def parse_clock(text: str, *, allow_midnight_end: bool = False) -> int | None:
    """``08:30`` → 510 minutes; ``24:00`` only where an end of day is allowed; None if not a time."""
    match = _TIME.match(normalise(text))
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes >= 60:
        return None
    if hours == 24 and minutes == 0 and allow_midnight_end:
        return MINUTES_PER_DAY
    if hours >= 24:
        return None
    return hours * 60 + minutes


def format_clock(minute: int) -> str:
    """510 → ``08:30``; 1440 → ``24:00``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


_WEEKDAY_WORDS = {
    "daily": ALL_WEEKDAYS,
    "everyday": ALL_WEEKDAYS,
    "每天": ALL_WEEKDAYS,
    "weekdays": "12345",
    "工作日": "12345",
    "weekends": "67",
    "周末": "67",
}
_CHINESE_DAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}


def parse_weekday(text: str) -> int | None:
    """``5``, ``周五``, ``星期五``, ``fri`` → 5."""
    text = normalise(text).lower().removeprefix("星期").removeprefix("周").removeprefix("礼拜")
    if text.isdecimal() and 1 <= int(text) <= 7:
        return int(text)
    if text in _CHINESE_DAYS:
        return _CHINESE_DAYS[text]
    english = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return english.index(text[:3]) + 1 if text[:3] in english else None


def parse_weekdays(text: str) -> str | None:
    """``1-5``, ``1,3,5``, ``6-7``, ``每天``, ``周一-周五`` → ``"12345"``...; None if not weekdays."""
    text = normalise(text).lower()
    if text in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[text]
    days: set[int] = set()
    for part in re.split(r"[,、]", text):
        if not part:
            return None
        bounds = part.split("-") if "-" in part else part.split("~")
        if len(bounds) == 1:
            day = parse_weekday(bounds[0])
            if day is None:
                return None
            days.add(day)
        elif len(bounds) == 2:
            first, last = parse_weekday(bounds[0]), parse_weekday(bounds[1])
            if first is None or last is None:
                return None
            span = range(first, last + 1) if first <= last else [*range(first, 8), *range(1, last + 1)]
            days.update(span)
        else:
            return None
    return "".join(str(d) for d in sorted(days)) or None


def format_weekdays(weekdays: str) -> str:
    """``"12345"`` → ``1-5``; ``"135"`` → ``1,3,5``."""
    days = sorted(int(d) for d in weekdays)
    parts: list[str] = []
    run: list[int] = []
    for day in [*days, 99]:
        if run and day == run[-1] + 1:
            run.append(day)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)))
        run = [day]
    return ",".join(parts)


_DATE_WORDS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1, "后天": 2}
_DATE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(text: str, today: date) -> date | None:
    """``2025-10-09``, ``10-09``, ``10/9``, ``10月9日``, ``20251009``, ``today``, ``明天`` → a date; a date
    without a year is the nearest such date to ``today``."""
    text = normalise(text).lower()
    if text in _DATE_WORDS:
        return today + timedelta(days=_DATE_WORDS[text])
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    try:
        if year:
            return date(int(year), month, day)
        candidates = [date(today.year + shift, month, day) for shift in (-1, 0, 1)]
    except ValueError:
        return None
    return min(candidates, key=lambda d: abs((d - today).days))


def parse_day_in_year(text: str, year: int) -> date | None:
    """``02-06``, ``2/6``, ``2月6日`` → that day of ``year``; a date with its own year (``2027-02-06``,
    ``20270206``) keeps it, so the caller can refuse another year. None if not a date."""
    text = normalise(text)
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1) or year), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_month(text: str, today: date) -> tuple[int, int] | None:
    """``2025-10``, ``202510``, ``10`` (this year), ``10月`` → (year, month)."""
    text = normalise(text).removesuffix("月")
    match = re.match(r"^(?:(\d{4})[-/.年]?)?(\d{1,2})$", text)
    if not match:
        return None
    year, month = int(match.group(1) or today.year), int(match.group(2))
    return (year, month) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


class ShiftError(StrEnum):
    """Why a shift definition was refused."""

    USAGE = "usage"
    BAD_NAME = "bad_name"
    BAD_START = "bad_start"
    BAD_END = "bad_end"
    SAME_TIME = "same_time"
    BAD_DAYS = "bad_days"
    BAD_OPTION = "bad_option"
    BAD_WINDOW = "bad_window"
    BAD_GRACE = "bad_grace"
    BAD_CLOSE = "bad_close"
    BAD_HOLIDAYS = "bad_holidays"


_OPTION_NAMES = {
    "window": "window_minutes",
    "open": "window_minutes",
    "提前": "window_minutes",
    "grace": "grace_minutes",
    "宽限": "grace_minutes",
    "close": "close_minutes",
    "截止": "close_minutes",
}
_HOLIDAY_OPTIONS = {"holidays", "holiday", "节假日", "假日"}
_HOLIDAY_WORDS = {"holidays", "节假日", "节假日上班", "节假日照常", "假日照常"}
_YES = {"yes", "y", "on", "true", "1", "是", "开", "上班", "照常"}
_NO = {"no", "n", "off", "false", "0", "否", "关", "休息", "不上班"}


@dataclass(frozen=True, slots=True)
class ShiftDraft:
    """A validated shift definition typed by an admin."""

    name: str
    start_minute: int
    end_minute: int
    weekdays: str
    window_minutes: int
    grace_minutes: int
    close_minutes: int
    on_holidays: bool | None = None  # None: as it was (a new shift does not run on public holidays)


def parse_holidays(text: str) -> bool | None:
    """``yes`` / ``是`` → True, ``no`` / ``否`` → False (whether a shift runs on public holidays); None if
    neither."""
    word = normalise(text).lower()
    return True if word in _YES else False if word in _NO else None


def parse_shift(args: list[str]) -> ShiftDraft | tuple[ShiftError, str]:
    """Read ``NAME START END [DAYS] [window=30] [grace=5] [close=60] [holidays]`` (``START-END`` also
    works; ``holidays`` or ``holidays=yes`` makes the shift run on public holidays, ``holidays=no`` not).

    Returns the draft, or the error with the offending piece of input.
    """
    tokens = [normalise(t) for t in args if normalise(t)]
    if len(tokens) >= 2 and "-" in tokens[1] and parse_clock(tokens[1].split("-")[0]) is not None:
        tokens[1:2] = tokens[1].split("-", 1)
    if len(tokens) < 3:
        return ShiftError.USAGE, ""
    name, start_text, end_text, *rest = tokens
    if len(name) > NAME_MAX_LENGTH or parse_clock(name) is not None or name.startswith("/"):
        return ShiftError.BAD_NAME, name
    start = parse_clock(start_text)
    if start is None:
        return ShiftError.BAD_START, start_text
    end = parse_clock(end_text, allow_midnight_end=True)
    if end is None:
        return ShiftError.BAD_END, end_text
    if end % MINUTES_PER_DAY == start:
        return ShiftError.SAME_TIME, end_text
    if end == 0:
        end = MINUTES_PER_DAY
    options = {"weekdays": ALL_WEEKDAYS, "window_minutes": 30, "grace_minutes": 5, "close_minutes": 60}
    on_holidays: bool | None = None
    for token in rest:
        key, sep, value = token.partition("=")
        if not sep and token.lower() in _HOLIDAY_WORDS:
            on_holidays = True
            continue
        if sep and key.lower() in _HOLIDAY_OPTIONS:
            on_holidays = parse_holidays(value)
            if on_holidays is None:
                return ShiftError.BAD_HOLIDAYS, token
            continue
        if not sep:
            days = parse_weekdays(token)
            if days is None:
                return ShiftError.BAD_DAYS, token
            options["weekdays"] = days
            continue
        field = _OPTION_NAMES.get(key.lower())
        if field is None or not value.isdecimal():
            return ShiftError.BAD_OPTION, token
        options[field] = int(value)
    length = duration_minutes(start, end)
    window, grace, close = (int(options[k]) for k in ("window_minutes", "grace_minutes", "close_minutes"))
    if window > MAX_WINDOW_MINUTES:
        return ShiftError.BAD_WINDOW, str(window)
    if grace > min(MAX_GRACE_MINUTES, length):
        return ShiftError.BAD_GRACE, str(grace)
    if close < grace or close > length:
        return ShiftError.BAD_CLOSE, str(close)
    return ShiftDraft(name, start, end, str(options["weekdays"]), window, grace, close, on_holidays)
