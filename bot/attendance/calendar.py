"""Which shifts run on a day: China's statutory holidays and make-up workdays (调休), plus admin overrides.

Pure functions over plain values. The statutory calendar comes from the ``chinesecalendar`` package, which
learns a year only weeks after the State Council publishes it each November. Until then admins can enter
the year's official schedule themselves (``/holidays``, an ``Entered`` here); the package wins again for
every year it knows. A day-by-day admin override (``/dayoff``, ``/workday``) wins over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import chinese_calendar

MONDAY = 1
DEFAULT_MAKEUP_WEEKDAY = MONDAY
"""A statutory make-up workday runs the shifts of this weekday unless an admin says otherwise."""


class PlanKind(StrEnum):
    """Why a day runs the shifts it does."""

    REGULAR = "regular"  # the shifts of its own weekday (weekends included, for shifts that run then)
    HOLIDAY = "holiday"  # statutory day off: only the shifts that run on public holidays
    MAKEUP = "makeup"  # statutory make-up workday (调休): the shifts of ``weekday``
    OFF = "off"  # an admin's day off
    WORK = "work"  # an admin's workday: the shifts of ``weekday``


class YearSource(StrEnum):
    """Where the statutory calendar of a year comes from."""

    PACKAGE = "package"  # the chinesecalendar package knows it
    ENTERED = "entered"  # an admin entered the official schedule
    UNKNOWN = "unknown"  # nobody: Monday to Friday are workdays


@dataclass(frozen=True, slots=True)
class Override:
    """An admin's decision about one day: ``off`` or ``work`` (as the given ISO weekday)."""

    kind: str
    works_as: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class EnteredDay:
    """A special day of an entered schedule: a holiday, or a make-up workday (``workday``)."""

    workday: bool
    name: str = ""


@dataclass(frozen=True, slots=True)
class OfficialHoliday:
    """One holiday of a year's official schedule: its name, its days off and its make-up workdays."""

    name: str
    days: tuple[date, ...]
    workdays: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class Entered:
    """The official schedules admins entered: the years they cover, and those years' special days."""

    years: frozenset[int] = frozenset()
    days: Mapping[date, EnteredDay] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What a day is and which weekday's shifts run on it (``weekday`` is None on a day off)."""

    day: date
    kind: PlanKind
    weekday: int | None
    holiday: str | None = None  # the statutory holiday's name (the package's in English), when there is one
    known: bool = True  # False when neither the package nor an entered schedule covers the year

    @property
    def is_day_off(self) -> bool:
        return self.weekday is None

    def weekday_for(self, on_holidays: bool) -> int | None:
        """The weekday whose shifts run today, for a shift that does (``on_holidays``) or does not run on
        public holidays; None when it does not run. A shift that runs on public holidays runs on a holiday
        as on that day's own weekday; an admin's day off stops every shift."""
        if self.kind == PlanKind.HOLIDAY and on_holidays:
            return self.day.isoweekday()
        return self.weekday


def covers_year(year: int) -> bool:
    """Whether the ``chinesecalendar`` package knows the holidays of ``year``."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 6, 1))
        chinese_calendar.get_holiday_detail(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def year_source(year: int, entered_years: frozenset[int] | set[int]) -> YearSource:
    """Where the statutory calendar of ``year`` comes from: the package first, then an entered schedule."""
    if covers_year(year):
        return YearSource.PACKAGE
    return YearSource.ENTERED if year in entered_years else YearSource.UNKNOWN


def statutory(day: date, entered: Entered | None = None) -> tuple[bool, bool, str | None]:
    """``(known, is_workday, holiday name)``: by the package, else by an entered schedule of the year, else
    unknown (Monday–Friday are workdays)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        if entered is None or day.year not in entered.years:
            return False, day.isoweekday() <= 5, None
        special = entered.days.get(day)
        if special is None:
            return True, day.isoweekday() <= 5, None
        return True, special.workday, special.name
    return True, not on_holiday, name


def plan_day(
    day: date,
    overrides: Mapping[date, Override] | None = None,
    *,
    entered: Entered | None = None,
    makeup_weekday: int = DEFAULT_MAKEUP_WEEKDAY,
) -> DayPlan:
    """The plan of ``day``: an admin override wins, then statutory holidays and make-up workdays (the
    package's, or an entered schedule's), then the day's own weekday."""
    override = (overrides or {}).get(day)
    known, workday, name = statutory(day, entered)
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
