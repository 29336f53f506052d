"""The workplace calendar: statutory holidays, make-up workdays and admin overrides."""

from __future__ import annotations

from datetime import date

from bot.attendance.calendar import Override, PlanKind, covers_year, plan_day


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
