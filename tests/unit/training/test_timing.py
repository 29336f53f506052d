"""When a lesson goes out: the workplace calendar, the person's shifts and leave, never during a shift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.attendance.calendar import Override, plan_day
from bot.training.timing import Shift, can_send, is_workday, lesson_moment

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
SATURDAY = date(2025, 10, 18)
MAKEUP_SATURDAY = date(2025, 10, 11)
NATIONAL_DAY = date(2025, 10, 1)
MORNING = 8 * 60 + 30


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


def shift(day: date, start: str, end: str) -> Shift:
    ends = at(day, end)
    return Shift(day, at(day, start), ends if ends > at(day, start) else ends + timedelta(days=1))


def moment(
    day: date, shifts: list[Shift] = (), *, on_leave: bool = False, overrides: dict | None = None
) -> datetime | None:  # type: ignore[assignment]
    return lesson_moment(
        day,
        plan_day(day, overrides),
        shifts,
        on_leave=on_leave,
        lesson_minute=MORNING,
        minutes_before_shift=60,
        tz=TZ,
    )


def test_workdays_follow_the_workplace_calendar() -> None:
    assert is_workday(plan_day(THURSDAY))
    assert not is_workday(plan_day(SATURDAY))
    assert is_workday(plan_day(MAKEUP_SATURDAY))  # 调休
    assert not is_workday(plan_day(NATIONAL_DAY))
    assert not is_workday(plan_day(THURSDAY, {THURSDAY: Override("off")}))
    assert is_workday(plan_day(SATURDAY, {SATURDAY: Override("work", 1)}))


def test_no_shift_the_morning_time_on_workdays_only() -> None:
    assert moment(THURSDAY) == at(THURSDAY, "08:30")
    assert moment(MAKEUP_SATURDAY) == at(MAKEUP_SATURDAY, "08:30")
    assert moment(SATURDAY) is None
    assert moment(NATIONAL_DAY) is None
    assert moment(THURSDAY, on_leave=True) is None


def test_before_the_first_shift_of_the_day_even_on_a_day_off_of_the_workplace() -> None:
    assert moment(THURSDAY, [shift(THURSDAY, "14:00", "22:00"), shift(THURSDAY, "09:00", "12:00")]) == at(
        THURSDAY, "08:00"
    )
    assert moment(SATURDAY, [shift(SATURDAY, "10:00", "18:00")]) == at(SATURDAY, "09:00")
    assert moment(NATIONAL_DAY, [shift(NATIONAL_DAY, "10:00", "18:00")]) == at(NATIONAL_DAY, "09:00")
    assert moment(THURSDAY, [shift(THURSDAY, "10:00", "18:00")], on_leave=True) is None


def test_never_during_a_shift() -> None:
    night = shift(THURSDAY - timedelta(days=1), "22:00", "06:00")
    # An hour before a 06:30 shift is still within the night shift: right after it ends.
    assert moment(THURSDAY, [night, shift(THURSDAY, "06:30", "12:00")]) == at(THURSDAY, "06:00")
    # No room before the next shift at all: no lesson that day.
    assert moment(THURSDAY, [night, shift(THURSDAY, "06:00", "12:00")]) is None
    # No shift today, but the night shift runs past the morning time: when it ends.
    long_night = shift(THURSDAY - timedelta(days=1), "23:00", "09:00")
    assert moment(THURSDAY, [long_night]) == at(THURSDAY, "09:00")


def test_can_send_when_due_that_day_and_off_shift() -> None:
    work = [shift(THURSDAY, "09:30", "17:30")]
    due = at(THURSDAY, "08:30")
    assert not can_send(at(THURSDAY, "08:29"), due, THURSDAY, work, TZ)
    assert can_send(at(THURSDAY, "08:30"), due, THURSDAY, work, TZ)
    assert not can_send(at(THURSDAY, "10:00"), due, THURSDAY, work, TZ)  # missed: waits for the shift's end
    assert can_send(at(THURSDAY, "17:30"), due, THURSDAY, work, TZ)
    assert not can_send(at(THURSDAY + timedelta(days=1), "00:00"), due, THURSDAY, work, TZ)  # the day is over
