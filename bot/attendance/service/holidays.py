"""Official schedules entered by admins (``/holidays``) for years the ``chinesecalendar`` package does not
know yet: stored day by day, a year replaced as a whole."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.calendar import Entered, EnteredDay, OfficialHoliday, YearSource, covers_year, year_source
from bot.attendance.models import StatutoryDay
from bot.people.models import Person

WARN_FROM_MONTH = 12
"""From this month on, admins are warned when next year's official holidays are not known yet."""


def _in_years(years: Iterable[int]) -> list[object]:
    wanted = sorted(set(years))
    return [
        col(StatutoryDay.day) >= date(wanted[0], 1, 1),
        col(StatutoryDay.day) <= date(wanted[-1], 12, 31),
    ]


async def entered(session: AsyncSession, first: date, last: date) -> Entered:
    """The entered schedules that apply from ``first`` to ``last``: only for years the package does not
    know (once it does, its data wins)."""
    years = [year for year in range(first.year, last.year + 1) if not covers_year(year)]
    if not years:
        return Entered()
    result = await session.exec(select(StatutoryDay).where(*_in_years(years)))
    rows = [row for row in result.all() if row.day.year in years]
    return Entered(
        frozenset(row.day.year for row in rows),
        {row.day: EnteredDay(row.workday, row.name) for row in rows},
    )


async def entered_years(session: AsyncSession, years: Iterable[int]) -> set[int]:
    """Which of ``years`` have an entered schedule (whether it applies or not)."""
    wanted = set(years)
    if not wanted:
        return set()
    result = await session.exec(select(StatutoryDay.day).where(*_in_years(wanted)))
    return {day.year for day in result.all()} & wanted


async def year_holidays(session: AsyncSession, year: int) -> list[OfficialHoliday]:
    """The entered schedule of ``year``, holiday by holiday in the order of their first day."""
    result = await session.exec(
        select(StatutoryDay).where(*_in_years([year])).order_by(col(StatutoryDay.day))
    )
    days: dict[str, list[date]] = {}
    workdays: dict[str, list[date]] = {}
    for row in result.all():
        days.setdefault(row.name, [])
        workdays.setdefault(row.name, [])
        (workdays if row.workday else days)[row.name].append(row.day)
    return [OfficialHoliday(name, tuple(days[name]), tuple(workdays[name])) for name in days]


async def save_year(
    session: AsyncSession, year: int, holidays: Sequence[OfficialHoliday], *, by: Person | None = None
) -> None:
    """Replace the entered schedule of ``year`` with ``holidays`` (validated by the caller), at once."""
    await session.exec(delete(StatutoryDay).where(*_in_years([year])))  # type: ignore[call-overload]
    session.add_all(
        StatutoryDay(day=day, workday=workday, name=holiday.name, created_by_id=by.id if by else None)
        for holiday in holidays
        for workday, group in ((False, holiday.days), (True, holiday.workdays))
        for day in group
    )
    await session.commit()


async def clear_year(session: AsyncSession, year: int) -> int:
    """Forget the entered schedule of ``year``; how many days it had."""
    result = await session.exec(delete(StatutoryDay).where(*_in_years([year])))  # type: ignore[call-overload]
    await session.commit()
    return int(result.rowcount or 0)


async def unknown_years(session: AsyncSession, today: date) -> list[int]:
    """The years whose official holidays nobody knows (neither the package nor an entered schedule): this
    year, and from December the next."""
    years = [today.year, *([today.year + 1] if today.month >= WARN_FROM_MONTH else [])]
    entered = await entered_years(session, years)
    return [year for year in years if year_source(year, entered) == YearSource.UNKNOWN]
