"""The workplace calendar: statutory holidays, make-up workdays and admin overrides."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from bot.attendance.calendar import (
    Entered,
    EnteredDay,
    Override,
    PlanKind,
    YearSource,
    covers_year,
    plan_day,
    year_source,
)


def test_statutory_holiday_is_a_day_off() -> None:
    plan = plan_day(date(2025, 10, 1))
    assert plan.kind == PlanKind.HOLIDAY and plan.is_day_off and plan.holiday == "National Day"


def test_make_up_workday_runs_monday_shifts_by_default() -> None:
    plan = plan_day(date(2025, 9, 28))  # a Sunday worked for the National Day holiday
    assert plan.kind == PlanKind.MAKEUP and plan.weekday == 1 and not plan.is_day_off


def test_ordinary_days_run_their_own_weekday() -> None:
    assert plan_day(date(2025, 10, 9)).weekday == 4
    saturday = plan_day(date(2025, 10, 18))
    assert saturday.kind == PlanKind.REGULAR and saturday.weekday == 6


def test_admin_overrides_win() -> None:
    overrides = {
        date(2025, 10, 9): Override("off", note="停电"),
        date(2025, 10, 2): Override("work", works_as=5),
        date(2025, 9, 28): Override("work", works_as=3),
        date(2025, 10, 18): Override("work"),
    }
    assert plan_day(date(2025, 10, 9), overrides).kind == PlanKind.OFF
    worked_holiday = plan_day(date(2025, 10, 2), overrides)
    assert worked_holiday.kind == PlanKind.WORK and worked_holiday.weekday == 5
    assert plan_day(date(2025, 9, 28), overrides).weekday == 3
    assert plan_day(date(2025, 10, 18), overrides).weekday == 1  # a Saturday made a workday: Monday's shifts


def test_years_the_library_does_not_know_fall_back_to_weekdays() -> None:
    assert covers_year(2025)
    assert not covers_year(2099)
    plan = plan_day(date(2099, 10, 1))
    assert plan.kind == PlanKind.REGULAR and not plan.known and plan.weekday == date(2099, 10, 1).isoweekday()


ENTERED_2027 = Entered(
    frozenset({2027}),
    {
        date(2027, 2, 8): EnteredDay(workday=False, name="春节"),
        date(2027, 2, 20): EnteredDay(workday=True, name="春节"),
        date(2027, 2, 15): EnteredDay(workday=True, name="春节"),
    },
)


def test_an_entered_schedule_fills_a_year_the_package_does_not_know() -> None:
    holiday = plan_day(date(2027, 2, 8), entered=ENTERED_2027)
    assert holiday.kind == PlanKind.HOLIDAY and holiday.holiday == "春节" and holiday.known
    makeup = plan_day(date(2027, 2, 20), entered=ENTERED_2027)  # a Saturday worked for the Spring Festival
    assert makeup.kind == PlanKind.MAKEUP and makeup.weekday == 1
    ordinary = plan_day(
        date(2027, 3, 6), entered=ENTERED_2027
    )  # a Saturday: the year is known, just a weekend
    assert ordinary.kind == PlanKind.REGULAR and ordinary.known and ordinary.weekday == 6
    assert year_source(2027, ENTERED_2027.years) == YearSource.ENTERED
    assert year_source(2028, ENTERED_2027.years) == YearSource.UNKNOWN
    assert not plan_day(date(2028, 2, 8), entered=ENTERED_2027).known


def test_the_package_wins_once_it_knows_the_year(monkeypatch: pytest.MonkeyPatch) -> None:
    known = chinese_calendar.get_holiday_detail

    def newer_package(day: date) -> tuple[bool, str | None]:
        """A newer chinesecalendar that knows 2027 (its Spring Festival: 02-01 to 02-07)."""
        if day.year != 2027:
            return known(day)
        festival = date(2027, 2, 1) <= day <= date(2027, 2, 7)
        return festival or day.isoweekday() > 5, "Spring Festival" if festival else None

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", newer_package)
    assert year_source(2027, ENTERED_2027.years) == YearSource.PACKAGE
    plan = plan_day(date(2027, 2, 8), entered=ENTERED_2027)
    assert (
        plan.kind == PlanKind.REGULAR and plan.weekday == 1
    )  # the package says workday: the entry is not used
    assert plan_day(date(2027, 2, 3), entered=ENTERED_2027).kind == PlanKind.HOLIDAY


def test_admin_overrides_win_over_an_entered_schedule() -> None:
    overrides = {date(2027, 2, 8): Override("work", works_as=3), date(2027, 2, 20): Override("off")}
    assert plan_day(date(2027, 2, 8), overrides, entered=ENTERED_2027).weekday == 3
    assert plan_day(date(2027, 2, 20), overrides, entered=ENTERED_2027).is_day_off


def test_shifts_that_run_on_public_holidays_run_as_on_the_day_s_own_weekday() -> None:
    national_day = plan_day(date(2025, 10, 1))  # a Wednesday
    assert national_day.weekday_for(on_holidays=False) is None
    assert national_day.weekday_for(on_holidays=True) == 3
    off = plan_day(date(2025, 10, 1), {date(2025, 10, 1): Override("off")})
    assert off.weekday_for(on_holidays=True) is None  # an admin's day off stops every shift
    makeup = plan_day(date(2025, 9, 28))
    assert makeup.weekday_for(on_holidays=True) == makeup.weekday_for(on_holidays=False) == 1
