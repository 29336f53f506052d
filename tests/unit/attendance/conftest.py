"""Helpers for attendance tests: people, shifts and local times in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import Shift
from bot.attendance.schedule import parse_shift
from bot.people.models import Person, Role

TZ = ZoneInfo("Asia/Shanghai")
MakePerson = Callable[..., Awaitable[Person]]
MakeShift = Callable[..., Awaitable[Shift]]


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


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
            await service.assign(session, shift, person, start)
        return shift

    return make
