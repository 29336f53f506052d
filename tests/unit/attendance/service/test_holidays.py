"""Official schedules entered by admins: stored a year at a time, used only for years the package does not
know, and the years nobody knows."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.calendar import OfficialHoliday, PlanKind
from tests.unit.attendance.conftest import MakePerson

SPRING = OfficialHoliday(
    "春节", tuple(date(2027, 2, d) for d in range(6, 13)), (date(2027, 2, 14), date(2027, 2, 20))
)
NEW_YEAR = OfficialHoliday("元旦", (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)))


async def test_a_year_is_saved_shown_replaced_and_cleared(
    session: AsyncSession, make_person: MakePerson
) -> None:
    admin = await make_person("王经理")
    await service.save_year(session, 2027, [SPRING, NEW_YEAR], by=admin)
    assert await service.year_holidays(session, 2027) == [NEW_YEAR, SPRING]
    assert await service.entered_years(session, [2026, 2027, 2028]) == {2027}

    await service.save_year(session, 2027, [NEW_YEAR])  # the whole year is replaced
    assert await service.year_holidays(session, 2027) == [NEW_YEAR]
    assert await service.clear_year(session, 2027) == 3
    assert await service.year_holidays(session, 2027) == []
    assert await service.clear_year(session, 2027) == 0


async def test_day_plans_use_the_entered_year_until_the_package_knows_it(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await service.save_year(session, 2027, [SPRING, NEW_YEAR])
    plans = await service.day_plans(session, date(2027, 2, 6), date(2027, 2, 20))
    assert plans[date(2027, 2, 8)].kind == PlanKind.HOLIDAY
    assert plans[date(2027, 2, 20)].kind == PlanKind.MAKEUP and plans[date(2027, 2, 20)].weekday == 1
    assert plans[date(2027, 2, 15)].kind == PlanKind.REGULAR

    known = chinese_calendar.get_holiday_detail

    def newer_package(day: date) -> tuple[bool, str | None]:
        return (day.isoweekday() > 5, None) if day.year == 2027 else known(day)

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", newer_package)
    plans = await service.day_plans(session, date(2027, 2, 6), date(2027, 2, 20))
    assert plans[date(2027, 2, 8)].kind == PlanKind.REGULAR  # the package says workday
    assert plans[date(2027, 2, 20)].kind == PlanKind.REGULAR and plans[date(2027, 2, 20)].weekday == 6


async def test_unknown_years_this_year_and_from_december_the_next(session: AsyncSession) -> None:
    assert await service.unknown_years(session, date(2026, 11, 30)) == []
    assert await service.unknown_years(session, date(2026, 12, 1)) == [2027]
    assert await service.unknown_years(session, date(2027, 1, 5)) == [2027]
    await service.save_year(session, 2027, [NEW_YEAR])
    assert await service.unknown_years(session, date(2026, 12, 1)) == []
    assert await service.unknown_years(session, date(2027, 12, 1)) == [2028]
