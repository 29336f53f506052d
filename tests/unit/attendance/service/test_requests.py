"""Requests: leave, swaps the colleague answers first, corrections, withdrawing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import Punch, RecordStatus, RequestStatus
from bot.attendance.service import AnswerOutcome, RequestError
from bot.people.models import Role
from tests.unit.attendance.conftest import NATIONAL_DAY, THURSDAY, TZ, MakePerson, MakeShift, at, records


async def test_leave_validation(session: AsyncSession, make_person: MakePerson) -> None:
    li = await make_person()
    now = at(THURSDAY, "10:00")
    assert await service.request_leave(session, li, THURSDAY, THURSDAY - timedelta(days=1), "", now, TZ) == (
        RequestError.BAD_RANGE
    )
    assert await service.request_leave(session, li, THURSDAY, THURSDAY + timedelta(days=40), "", now, TZ) == (
        RequestError.TOO_LONG
    )
    assert await service.request_leave(session, li, THURSDAY - timedelta(days=60), THURSDAY, "", now, TZ) == (
        RequestError.TOO_LONG
    )


async def test_swap_needs_the_colleague_then_an_admin(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang, boss = (
        await make_person("小李"),
        await make_person("小王"),
        await make_person("主管", role=Role.ADMIN),
    )
    seeker = await make_person("路人", role=Role.SEEKER)
    await make_shift("早班 08:30 17:00 1-5", li)
    await make_shift("晚班 16:00 24:00 1-5", wang)
    now = at(THURSDAY - timedelta(days=1), "12:00")
    assert await service.request_swap(session, li, li, THURSDAY, "", now, TZ) == RequestError.SELF
    assert await service.request_swap(session, li, seeker, THURSDAY, "", now, TZ) == RequestError.NOT_STAFF
    assert await service.request_swap(session, li, wang, NATIONAL_DAY, "", now, TZ) == RequestError.NO_SHIFT
    request = await service.request_swap(session, li, wang, THURSDAY, "家里有事", now, TZ)
    assert not isinstance(request, RequestError) and request.status == RequestStatus.AWAITING_COLLEAGUE
    assert (await service.decide(session, request.id, boss, True, now, TZ))[0] == AnswerOutcome.NOT_READY
    assert (await service.answer_swap(session, request.id, boss, True, now))[0] == AnswerOutcome.NOT_YOURS
    assert (await service.answer_swap(session, request.id, wang, True, now))[0] == AnswerOutcome.DONE
    assert (await service.decide(session, request.id, boss, True, now, TZ))[0] == AnswerOutcome.DONE

    duties = await service.roster(session, THURSDAY, THURSDAY, TZ)
    assert sorted((d.occ.shift.name, d.person_id) for d in duties) == [("早班", wang.id), ("晚班", li.id)]
    friday = THURSDAY + timedelta(days=1)
    duties = await service.roster(session, friday, friday, TZ)
    assert sorted((d.occ.shift.name, d.person_id) for d in duties) == [("早班", li.id), ("晚班", wang.id)]


async def test_declined_swap_changes_nothing(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang, boss = (
        await make_person("小李"),
        await make_person("小王"),
        await make_person("主管", role=Role.ADMIN),
    )
    await make_shift("早班 08:30 17:00 1-5", li)
    now = at(THURSDAY - timedelta(days=1), "12:00")
    request = await service.request_swap(session, li, wang, THURSDAY, "", now, TZ)
    assert not isinstance(request, RequestError)
    outcome, declined = await service.answer_swap(session, request.id, wang, False, now)
    assert (
        outcome == AnswerOutcome.DONE and declined is not None and declined.status == RequestStatus.DECLINED
    )
    assert (await service.decide(session, request.id, boss, True, now, TZ))[0] == AnswerOutcome.ALREADY
    assert [d.person_id for d in await service.roster(session, THURSDAY, THURSDAY, TZ)] == [li.id]


async def test_correction_writes_the_missed_punch(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, boss = await make_person("小李"), await make_person("主管", role=Role.ADMIN)
    await make_shift("夜班 22:00 06:00 1-5", li)
    await service.tick(session, at(THURSDAY, "21:00"), TZ)
    await service.tick(session, at(THURSDAY, "23:30"), TZ)
    now = at(THURSDAY + timedelta(days=1), "09:00")
    future = await service.request_correction(
        session, li, THURSDAY + timedelta(days=1), Punch.IN, 22 * 60, "", now, TZ
    )
    assert future == RequestError.FUTURE
    punch_in = await service.request_correction(
        session, li, THURSDAY, Punch.IN, 21 * 60 + 55, "手机没电", now, TZ
    )
    punch_out = await service.request_correction(
        session, li, THURSDAY, Punch.OUT, 6 * 60 + 5, "手机没电", now, TZ
    )
    assert not isinstance(punch_in, RequestError) and not isinstance(punch_out, RequestError)
    assert punch_out.punch_at == at(THURSDAY + timedelta(days=1), "06:05")
    assert [r.id for r in await service.pending_requests(session)] == [punch_in.id, punch_out.id]
    await service.decide(session, punch_in.id, boss, True, now, TZ)
    await service.decide(session, punch_out.id, boss, True, now, TZ)
    (record,) = await records(session)
    assert record.status == RecordStatus.PRESENT and record.corrected
    assert record.checkin_at == at(THURSDAY, "21:55") and record.checkout_at == at(
        THURSDAY + timedelta(days=1), "06:05"
    )


async def test_cancel_and_list_requests(session: AsyncSession, make_person: MakePerson) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    now = at(THURSDAY, "10:00")
    request = await service.request_leave(session, li, THURSDAY, THURSDAY, "", now, TZ)
    assert not isinstance(request, RequestError)
    assert await service.cancel_request(session, request.id, wang) == AnswerOutcome.ALREADY
    assert await service.cancel_request(session, request.id, li) == AnswerOutcome.DONE
    assert [r.status for r in await service.my_requests(session, li.id)] == [RequestStatus.CANCELLED]
