"""Which shifts run on a day: China's statutory holidays and make-up workdays (调休), plus admin overrides.

Pure functions over plain values; the statutory calendar comes from the ``chinesecalendar`` package, which
is updated each year when the State Council publishes the next year's holidays.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import chinese_calendar

log = logging.getLogger(__name__)

MONDAY = 1
DEFAULT_MAKEUP_WEEKDAY = MONDAY
"""A statutory make-up workday runs the shifts of this weekday unless an admin says otherwise."""


class PlanKind(StrEnum):
    """Why a day runs the shifts it does."""

    REGULAR = "regular"  # the shifts of its own weekday (weekends included, for shifts that run then)
    HOLIDAY = "holiday"  # statutory day off: no shifts
    MAKEUP = "makeup"  # statutory make-up workday (调休): the shifts of ``weekday``
    OFF = "off"  # an admin's day off
    WORK = "work"  # an admin's workday: the shifts of ``weekday``


@dataclass(frozen=True, slots=True)
class Override:
    """An admin's decision about one day: ``off`` or ``work`` (as the given ISO weekday)."""

    kind: str
    works_as: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What a day is and which weekday's shifts run on it (``weekday`` is None on a day off)."""

    day: date
    kind: PlanKind
    weekday: int | None
    holiday: str | None = None  # the statutory holiday's (English) name, when there is one
    known: bool = True  # False when the statutory calendar does not cover the year

    @property
    def is_day_off(self) -> bool:
        return self.weekday is None


def statutory(day: date) -> tuple[bool, bool, str | None]:
    """``(known, is_workday, holiday name)`` by the statutory calendar; unknown years fall back to
    Monday–Friday."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False, day.isoweekday() <= 5, None
    return True, not on_holiday, name


def plan_day(
    day: date,
    overrides: Mapping[date, Override] | None = None,
    *,
    makeup_weekday: int = DEFAULT_MAKEUP_WEEKDAY,
) -> DayPlan:
    """The plan of ``day``: an admin override wins, then statutory holidays and make-up workdays, then the
    day's own weekday."""
    override = (overrides or {}).get(day)
    known, workday, name = statutory(day)
    if override is not None:
        if override.kind == "off":
            return DayPlan(day, PlanKind.OFF, None, name, known)
        weekday = override.works_as or (day.isoweekday() if day.isoweekday() <= 5 else makeup_weekday)
        return DayPlan(day, PlanKind.WORK, weekday, name, known)
    if not known:
        return DayPlan(day, PlanKind.REGULAR, day.isoweekday(), None, False)
    if name is not None and not workday:
        return DayPlan(day, PlanKind.HOLIDAY, None, name)
    if name is not None and workday and day.isoweekday() > 5:
        return DayPlan(day, PlanKind.MAKEUP, makeup_weekday, name)
    return DayPlan(day, PlanKind.REGULAR, day.isoweekday(), name)


def covers_year(year: int) -> bool:
    """Whether the statutory calendar knows the holidays of ``year``."""
    return statutory(date(year, 6, 1))[0] and statutory(date(year, 12, 31))[0]
