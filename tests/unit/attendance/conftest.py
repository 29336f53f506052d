"""Helpers for attendance tests: people, shifts and local times in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import AttendanceRecord, Shift
from bot.attendance.schedule import parse_shift
from bot.people.models import Person, Role

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
NATIONAL_DAY = date(2025, 10, 1)
MAKEUP_SUNDAY = date(2025, 9, 28)
ASSIGNED_AT = datetime(2025, 8, 31, 12, 0, tzinfo=UTC)
"""When the tests' assignments are made: before every shift they look at (they count only after it)."""
MakePerson = Callable[..., Awaitable[Person]]
MakeShift = Callable[..., Awaitable[Shift]]


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


async def records(session: AsyncSession) -> list[AttendanceRecord]:
    """Every attendance record as stored now, in the order they were made."""
    session.expunge_all()
    return list((await session.exec(select(AttendanceRecord).order_by(AttendanceRecord.id))).all())


async def stored(session: AsyncSession) -> dict[int, AttendanceRecord]:
    """Every attendance record as stored now, by person."""
    session.expunge_all()
    return {r.person_id: r for r in (await session.exec(select(AttendanceRecord))).all()}


@pytest.fixture
def make_person(session: AsyncSession) -> MakePerson:
    counter = iter(range(1000, 100000))

    async def make(name: str = "小李", role: Role = Role.STAFF, **fields: object) -> Person:
        person = Person(telegram_id=next(counter), first_name=name, role=role, **fields)
        session.add(person)
        await session.commit()
        return person

    return make


@pytest.fixture
def make_shift(session: AsyncSession) -> MakeShift:
    async def make(definition: str, *people: Person, start: date = date(2025, 9, 1)) -> Shift:
        draft = parse_shift(definition.split())
        assert not isinstance(draft, tuple), draft
        shift, _ = await service.save_shift(session, draft)
        for person in people:
            await service.assign(session, shift, person, start, now=ASSIGNED_AT)
        return shift

    return make
