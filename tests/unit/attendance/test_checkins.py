"""``CheckInQueue`` groups check-ins that arrive together into shared transactions."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import checkins, service
from bot.attendance.checkins import CheckInQueue
from bot.attendance.service import CheckInOutcome, CheckInRequest
from bot.db import create_session_factory
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, MakeShift, at, stored


@pytest.fixture
def queue(engine: AsyncEngine) -> CheckInQueue:
    return CheckInQueue(create_session_factory(engine), TZ)


async def test_queue_groups_check_ins_that_arrive_together(
    session: AsyncSession,
    queue: CheckInQueue,
    make_person: MakePerson,
    make_shift: MakeShift,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = [await make_person(f"员工{n}") for n in range(30)]
    await make_shift("早班 08:30 17:00 1-5", *people)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    batches: list[int] = []
    real = checkins.check_in_many

    async def counting(session: AsyncSession, requests: list[CheckInRequest], tz: Any) -> Any:
        batches.append(len(requests))
        return await real(session, requests, tz)

    monkeypatch.setattr(checkins, "check_in_many", counting)
    now = at(THURSDAY, "08:10")
    answers = await asyncio.gather(
        *(queue.check_in(p.id, now + timedelta(seconds=n)) for n, p in enumerate(people))
    )

    assert [a.outcome for a in answers] == [CheckInOutcome.DONE] * 30
    assert [a.record.checkin_at for a in answers if a.record] == [
        now + timedelta(seconds=n) for n in range(30)
    ]
    assert sum(batches) == 30 and len(batches) <= 2  # the first alone at once, then everyone waiting
    records = await stored(session)
    assert all(records[p.id].checkin_at is not None for p in people)


async def test_queue_tries_a_failed_batch_one_by_one(
    session: AsyncSession,
    queue: CheckInQueue,
    make_person: MakePerson,
    make_shift: MakeShift,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good, bad = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5", good, bad)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    real = checkins.check_in_many

    async def failing_for_bad(session: AsyncSession, requests: list[CheckInRequest], tz: Any) -> Any:
        if any(r.person_id == bad.id for r in requests):
            raise RuntimeError("disk full")
        return await real(session, requests, tz)

    monkeypatch.setattr(checkins, "check_in_many", failing_for_bad)
    now = at(THURSDAY, "08:10")
    results = await asyncio.gather(
        queue.check_in(good.id, now), queue.check_in(bad.id, now), return_exceptions=True
    )
    assert not isinstance(results[0], BaseException) and results[0].outcome == CheckInOutcome.DONE
    assert isinstance(results[1], RuntimeError)
    # The writer carries on afterwards.
    monkeypatch.setattr(checkins, "check_in_many", real)
    assert (await queue.check_in(bad.id, now)).outcome == CheckInOutcome.DONE
