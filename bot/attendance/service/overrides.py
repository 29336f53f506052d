"""The admins' changes to the statutory calendar: days off, and workdays running a chosen weekday's shifts;
and the plan of each day they give."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.calendar import DayPlan, Override, plan_day
from bot.attendance.models import CalendarDay, DayKind
from bot.attendance.service.common import clean_reason, days_between
from bot.attendance.service.holidays import entered
from bot.people.models import Person


async def overrides(session: AsyncSession, first: date, last: date) -> dict[date, Override]:
    """Admin overrides between two dates."""
    result = await session.exec(
        select(CalendarDay).where(col(CalendarDay.day) >= first, col(CalendarDay.day) <= last)
    )
    return {row.day: Override(row.kind, row.works_as, row.note) for row in result.all()}


async def day_plans(session: AsyncSession, first: date, last: date) -> dict[date, DayPlan]:
    """The plan of every day between two dates (admin overrides, then the statutory calendar: the package's,
    or an entered schedule for a year it does not know)."""
    known = await overrides(session, first, last)
    schedules = await entered(session, first, last)
    return {day: plan_day(day, known, entered=schedules) for day in days_between(first, last)}


async def set_day(
    session: AsyncSession,
    day: date,
    kind: DayKind,
    *,
    works_as: int | None = None,
    note: str | None = None,
    by: Person | None = None,
) -> CalendarDay:
    """Make ``day`` a day off or a workday (running the shifts of weekday ``works_as``)."""
    result = await session.exec(select(CalendarDay).where(CalendarDay.day == day))
    row = result.first() or CalendarDay(day=day, kind=kind)
    row.kind = kind
    row.works_as = works_as if kind == DayKind.WORK else None
    row.note = clean_reason(note)[:100] or None
    row.created_by_id = by.id if by else None
    session.add(row)
    await session.commit()
    return row


async def clear_day(session: AsyncSession, day: date) -> bool:
    """Remove an admin override; False if there was none."""
    result = await session.exec(delete(CalendarDay).where(col(CalendarDay.day) == day))
    await session.commit()
    return bool(result.rowcount)
