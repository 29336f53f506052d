"""When a person's lesson goes out on a day: pure functions over the workplace calendar and their shifts.

A person learns on the days they work: a day they have a shift, or a workday of the workplace calendar
(Monday to Friday and make-up workdays, not public holidays or the admins' days off) when they have none —
never on a day of leave. The lesson goes a plan's ``minutes_before_shift`` before their first shift of the
day; with no shift that day, at the plan's ``lesson_time``. It never goes during a shift: a moment that
falls inside one (a night shift running into the morning) moves to its end, and one that no longer comes
before the day's first shift is given up (the day's plan lesson then waits for the next day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.attendance.calendar import DayPlan, PlanKind
from bot.attendance.schedule import MINUTES_PER_DAY, local_moment


@dataclass(frozen=True, slots=True)
class Shift:
    """One of a person's shifts: the local day it starts on, its start and end (UTC)."""

    work_date: date
    starts_at: datetime
    ends_at: datetime


def is_workday(plan: DayPlan) -> bool:
    """Whether the workplace works on this day: a weekday or a make-up workday, unless a holiday or a day
    off (an admin's workday counts; a weekend runs only the shifts that run then)."""
    if plan.is_day_off:
        return False
    return plan.kind in (PlanKind.MAKEUP, PlanKind.WORK) or plan.day.isoweekday() <= 5


def _outside(moment: datetime, shifts: Sequence[Shift]) -> datetime:
    """``moment``, or the end of the shift (or chain of shifts) it falls in."""
    moved = True
    while moved:
        moved = False
        for shift in shifts:
            if shift.starts_at <= moment < shift.ends_at:
                moment, moved = shift.ends_at, True
    return moment


def lesson_moment(
    day: date,
    plan: DayPlan,
    shifts: Sequence[Shift],
    *,
    on_leave: bool,
    lesson_minute: int,
    minutes_before_shift: int,
    tz: ZoneInfo,
) -> datetime | None:
    """When the lesson of ``day`` goes out, or None if the person does not learn that day.

    ``shifts`` are the person's shifts around the day (the day before included: a night shift may run into
    it), leave days already left out.
    """
    if on_leave:
        return None
    todays = [shift for shift in shifts if shift.work_date == day]
    if todays:
        first = min(shift.starts_at for shift in todays)
        moment = _outside(first - timedelta(minutes=minutes_before_shift), shifts)
        return moment if moment < first else None
    if not is_workday(plan):
        return None
    moment = _outside(local_moment(day, lesson_minute, tz), shifts)
    return moment if moment < local_moment(day, MINUTES_PER_DAY, tz) else None


def can_send(now: datetime, moment: datetime, day: date, shifts: Sequence[Shift], tz: ZoneInfo) -> bool:
    """Whether a lesson due at ``moment`` for ``day`` may go out ``now``: it is due, the day is not over, and
    the person is not on a shift right now (a lesson missed while the bot was down goes after the shift)."""
    if now < moment or now >= local_moment(day, MINUTES_PER_DAY, tz):
        return False
    return not any(shift.starts_at <= now < shift.ends_at for shift in shifts)
