"""Shift times and what admins and staff type: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.attendance import schedule
from bot.attendance.schedule import ShiftDraft, ShiftError, ShiftSpec, occurrence, parse_shift

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


def test_day_shift_moments_are_local() -> None:
    spec = ShiftSpec(1, "早班", 8 * 60 + 30, 17 * 60, window_minutes=30, grace_minutes=5, close_minutes=60)
    occ = occurrence(spec, date(2025, 10, 9), TZ)
    assert occ.opens_at == at(date(2025, 10, 9), "08:00")
    assert occ.starts_at == datetime(2025, 10, 9, 0, 30, tzinfo=UTC)
    assert occ.late_after == at(date(2025, 10, 9), "08:35")
    assert occ.closes_at == at(date(2025, 10, 9), "09:30")
    assert occ.ends_at == at(date(2025, 10, 9), "17:00")


def test_night_shift_ends_the_next_day_and_midnight_end() -> None:
    night = occurrence(ShiftSpec(2, "夜班", 22 * 60, 6 * 60), date(2025, 10, 9), TZ)
    assert night.work_date == date(2025, 10, 9)
    assert night.ends_at == at(date(2025, 10, 10), "06:00")
    evening = occurrence(ShiftSpec(3, "晚班", 16 * 60, 24 * 60), date(2025, 10, 9), TZ)
    assert evening.ends_at == at(date(2025, 10, 10), "00:00")
    assert schedule.crosses_midnight(ShiftSpec(2, "夜班", 22 * 60, 6 * 60))
    assert not schedule.crosses_midnight(ShiftSpec(3, "晚班", 16 * 60, 24 * 60))


def test_late_and_early_minutes() -> None:
    occ = occurrence(ShiftSpec(1, "早班", 510, 1020, grace_minutes=5), date(2025, 10, 9), TZ)
    assert schedule.late_minutes(occ, at(occ.work_date, "08:35")) == 0
    assert schedule.late_minutes(occ, at(occ.work_date, "08:36")) == 6
    assert schedule.early_minutes(occ.ends_at, at(occ.work_date, "16:20")) == 40
    assert schedule.early_minutes(occ.ends_at, at(occ.work_date, "17:01")) == 0


@pytest.mark.parametrize(
    ("text", "minute"),
    [("08:30", 510), ("8:30", 510), ("０８：３０", 510), ("8点30", 510), ("8", 480), ("23:59", 1439)],
)
def test_parse_clock(text: str, minute: int) -> None:
    assert schedule.parse_clock(text) == minute


def test_parse_clock_refuses_nonsense_and_allows_24_only_as_an_end() -> None:
    assert schedule.parse_clock("25:00") is None
    assert schedule.parse_clock("08:61") is None
    assert schedule.parse_clock("早上") is None
    assert schedule.parse_clock("24:00") is None
    assert schedule.parse_clock("24:00", allow_midnight_end=True) == 1440


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1-5", "12345"),
        ("1,3,5", "135"),
        ("6-7", "67"),
        ("每天", "1234567"),
        ("周一-周五", "12345"),
        ("5-1", "1567"),
    ],
)
def test_parse_weekdays(text: str, days: str) -> None:
    assert schedule.parse_weekdays(text) == days


def test_format_weekdays_round_trips() -> None:
    assert schedule.format_weekdays("12345") == "1-5"
    assert schedule.format_weekdays("135") == "1,3,5"
    assert schedule.format_weekdays("1234567") == "1-7"
    assert schedule.format_weekdays("67") == "6,7"


def test_parse_date_forms() -> None:
    today = date(2025, 12, 30)
    assert schedule.parse_date("2026-01-02", today) == date(2026, 1, 2)
    assert schedule.parse_date("1-2", today) == date(2026, 1, 2)
    assert schedule.parse_date("1月2日", today) == date(2026, 1, 2)
    assert schedule.parse_date("12/29", today) == date(2025, 12, 29)
    assert schedule.parse_date("明天", today) == date(2025, 12, 31)
    assert schedule.parse_date("today", today) == today
    assert schedule.parse_date("20260102", today) == date(2026, 1, 2)
    assert schedule.parse_date("2025-02-30", today) is None
    assert schedule.parse_date("soon", today) is None
    assert schedule.parse_month("2025-10", today) == (2025, 10)
    assert schedule.parse_month("10月", today) == (2025, 10)
    assert schedule.parse_month("13", today) is None


def test_parse_shift_full_and_defaults() -> None:
    assert parse_shift(["早班", "08:30", "17:00", "1-5", "window=30", "grace=5"]) == ShiftDraft(
        "早班", 510, 1020, "12345", 30, 5, 60
    )
    assert parse_shift(["夜班", "22:00-06:00", "宽限=10", "截止=90"]) == ShiftDraft(
        "夜班", 1320, 360, "1234567", 30, 10, 90
    )
    assert parse_shift(["晚班", "16:00", "24:00"]) == ShiftDraft("晚班", 960, 1440, "1234567", 30, 5, 60)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ("早班", ShiftError.USAGE),
        ("早班 8:30", ShiftError.USAGE),
        ("早班 8:70 17:00", ShiftError.BAD_START),
        ("早班 08:30 25:00", ShiftError.BAD_END),
        ("早班 08:30 08:30", ShiftError.SAME_TIME),
        ("早班 08:30 17:00 8-9", ShiftError.BAD_DAYS),
        ("早班 08:30 17:00 colour=red", ShiftError.BAD_OPTION),
        ("早班 08:30 17:00 window=300", ShiftError.BAD_WINDOW),
        ("早班 08:30 09:00 grace=45", ShiftError.BAD_GRACE),
        ("早班 08:30 17:00 grace=10 close=5", ShiftError.BAD_CLOSE),
        ("早班 08:30 09:00 close=60", ShiftError.BAD_CLOSE),
        ("08:30 08:30 17:00", ShiftError.BAD_NAME),
        ("一个名字非常非常非常非常长的班次名称 08:30 17:00", ShiftError.BAD_NAME),
    ],
)
def test_parse_shift_refusals(args: str, error: ShiftError) -> None:
    result = parse_shift(args.split())
    assert isinstance(result, tuple) and result[0] == error


def test_digits_that_are_no_numbers_are_refused_not_crashed_on() -> None:
    assert schedule.parse_weekday("²") is None
    assert parse_shift(["早班", "08:30", "17:00", "window=²"]) == (ShiftError.BAD_OPTION, "window=²")
