"""Decisions: an approved leave turns the days' records into leave."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import RecordStatus, RequestStatus
from bot.attendance.service import AnswerOutcome, CheckInOutcome, RequestError
from bot.people.models import Role
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, MakeShift, at, records


async def test_approved_leave_suppresses_reminders_and_absence(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, boss = await make_person("小李"), await make_person("主管", role=Role.ADMIN)
    await make_shift("早班 08:30 17:00 1-5", li)
    now = at(THURSDAY - timedelta(days=2), "10:00")
    request = await service.request_leave(session, li, THURSDAY, THURSDAY, "看病", now, TZ)
    assert not isinstance(request, RequestError) and request.status == RequestStatus.PENDING
    assert (
        await service.request_leave(session, li, THURSDAY, THURSDAY, "again", now, TZ) == RequestError.OVERLAP
    )
    outcome, decided = await service.decide(session, request.id, boss, True, now, TZ)
    assert outcome == AnswerOutcome.DONE and decided is not None and decided.status == RequestStatus.APPROVED
    assert (await service.decide(session, request.id, boss, False, now, TZ))[0] == AnswerOutcome.ALREADY

    await service.tick(session, at(THURSDAY, "07:00"), TZ)
    for moment in ("08:00", "08:30", "09:30", "12:00"):
        assert (await service.tick(session, at(THURSDAY, moment), TZ)).notices == []
    (record,) = await records(session)
    assert record.status == RecordStatus.LEAVE
    assert (
        await service.check_in(session, li.id, at(THURSDAY, "08:10"), TZ)
    ).outcome == CheckInOutcome.ON_LEAVE


async def test_leave_approved_afterwards_turns_an_absence_into_leave(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, boss = await make_person("小李"), await make_person("主管", role=Role.ADMIN)
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.tick(session, at(THURSDAY, "07:00"), TZ)
    await service.tick(session, at(THURSDAY, "10:00"), TZ)
    assert (await records(session))[0].status == RecordStatus.ABSENT
    now = at(THURSDAY, "11:00")
    request = await service.request_leave(session, li, THURSDAY, THURSDAY, "发烧", now, TZ)
    assert not isinstance(request, RequestError)
    await service.decide(session, request.id, boss, True, now, TZ)
    assert (await records(session))[0].status == RecordStatus.LEAVE
