"""Check-in: windows, lateness, the location check, and ``check_in_many`` answering like ``check_in`` for each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import RecordStatus
from bot.attendance.service import CheckInOutcome, CheckInRequest
from bot.people.models import Role
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, MakeShift, at, records, stored


async def test_check_in_windows_and_lateness(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5 window=30 grace=5 close=60", li)
    early = await service.check_in(session, li.id, at(THURSDAY, "07:50"), TZ)
    assert early.outcome == CheckInOutcome.TOO_EARLY and early.next_occ is not None
    assert early.next_occ.opens_at == at(THURSDAY, "08:00")

    late = await service.check_in(session, li.id, at(THURSDAY, "08:47"), TZ)
    assert late.outcome == CheckInOutcome.DONE and late.late_minutes == 17
    again = await service.check_in(session, li.id, at(THURSDAY, "08:50"), TZ)
    assert again.outcome == CheckInOutcome.ALREADY and again.record is not None
    assert again.record.checkin_at == at(THURSDAY, "08:47")

    (record,) = await records(session)
    assert record.status == RecordStatus.LATE and record.late_minutes == 17


async def test_check_in_after_the_window_closed_is_explained_not_recorded(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, nobody = await make_person("小李"), await make_person("无班")
    await make_shift("早班 08:30 17:00 1-5 close=60", li)
    closed = await service.check_in(session, li.id, at(THURSDAY, "09:31"), TZ)
    assert closed.outcome == CheckInOutcome.CLOSED and closed.shift_name == "早班"
    assert closed.next_occ is not None and closed.next_occ.work_date == THURSDAY + timedelta(days=1)
    none = await service.check_in(session, nobody.id, at(THURSDAY, "09:00"), TZ)
    assert none.outcome == CheckInOutcome.NO_SHIFT
    assert await records(session) == []


async def test_location_check(session: AsyncSession, make_person: MakePerson, make_shift: MakeShift) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    workplace = (36.4840, 102.1040)
    await service.set_workplace(session, *workplace)
    await service.set_radius(session, 200)
    now = at(THURSDAY, "08:10")
    assert (await service.check_in(session, li.id, now, TZ)).outcome == CheckInOutcome.NEED_LOCATION
    far = await service.check_in(session, li.id, now, TZ, location=(36.4940, 102.1040))
    assert (
        far.outcome == CheckInOutcome.TOO_FAR and far.distance_m is not None and 1000 < far.distance_m < 1200
    )
    assert await records(session) == []
    near = await service.check_in(session, li.id, now, TZ, location=(36.4841, 102.1041))
    assert near.outcome == CheckInOutcome.DONE and near.distance_m is not None and near.distance_m < 20
    await service.set_require_location(session, False)
    assert (await service.get_config(session)).require_location is False


def count_statements(engine: AsyncEngine) -> list[str]:
    """Every SQL statement the engine runs from now on (removed when the test's engine is disposed)."""
    seen: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0].upper())

    return seen


async def test_many_answers_each_person_like_one_at_a_time(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    on_time, late, twice, resting, idle = [
        await make_person(n) for n in ("准时", "迟到", "两次", "请假", "无班")
    ]
    boss = await make_person("主管", role=Role.ADMIN)
    await make_shift("早班 08:30 17:00 1-5 window=30 grace=5 close=60", on_time, late, twice, resting)
    leave = await service.request_leave(
        session, resting, THURSDAY, THURSDAY, "看病", at(THURSDAY, "07:00"), TZ
    )
    assert not isinstance(leave, service.RequestError)
    await service.decide(session, leave.id, boss, True, at(THURSDAY, "07:00"), TZ)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)  # the window opens: records are made
    assert (
        await service.check_in(session, twice.id, at(THURSDAY, "08:05"), TZ)
    ).outcome == CheckInOutcome.DONE

    requests = [
        CheckInRequest(late.id, at(THURSDAY, "08:40")),
        CheckInRequest(on_time.id, at(THURSDAY, "08:29")),
        CheckInRequest(twice.id, at(THURSDAY, "08:30")),
        CheckInRequest(resting.id, at(THURSDAY, "08:30")),
        CheckInRequest(idle.id, at(THURSDAY, "08:30")),
    ]
    answers = await service.check_in_many(session, requests, TZ)

    assert [a.outcome for a in answers] == [
        CheckInOutcome.DONE,
        CheckInOutcome.DONE,
        CheckInOutcome.ALREADY,
        CheckInOutcome.ON_LEAVE,
        CheckInOutcome.NO_SHIFT,
    ]
    assert answers[0].late_minutes == 10 and answers[1].late_minutes == 0
    assert answers[0].record is not None and answers[0].record.checkin_at == at(THURSDAY, "08:40")
    assert answers[2].record is not None and answers[2].record.checkin_at == at(THURSDAY, "08:05")
    records = await stored(session)
    assert records[late.id].status == RecordStatus.LATE and records[late.id].late_minutes == 10
    assert records[on_time.id].status == RecordStatus.PRESENT
    assert records[on_time.id].checkin_at == at(THURSDAY, "08:29")
    assert records[twice.id].checkin_at == at(THURSDAY, "08:05")
    assert records[resting.id].status == RecordStatus.LEAVE and records[resting.id].checkin_at is None
    assert idle.id not in records


async def test_many_without_records_yet_takes_the_one_person_path(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5 window=30 grace=5 close=60", li, wang)
    answers = await service.check_in_many(
        session,
        [CheckInRequest(li.id, at(THURSDAY, "08:10")), CheckInRequest(wang.id, at(THURSDAY, "07:50"))],
        TZ,
    )
    assert [a.outcome for a in answers] == [CheckInOutcome.DONE, CheckInOutcome.TOO_EARLY]
    records = await stored(session)
    assert records[li.id].checkin_at == at(THURSDAY, "08:10")
    assert wang.id not in records  # too early: nothing recorded


async def test_the_same_person_twice_in_one_batch_is_checked_in_once(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李")
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    first, second = at(THURSDAY, "08:10"), at(THURSDAY, "08:10") + timedelta(milliseconds=300)
    answers = await service.check_in_many(
        session, [CheckInRequest(li.id, first), CheckInRequest(li.id, second)], TZ
    )
    assert [a.outcome for a in answers] == [CheckInOutcome.DONE, CheckInOutcome.ALREADY]
    assert (await stored(session))[li.id].checkin_at == first


async def test_a_record_closed_meanwhile_is_not_overwritten(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李")
    await make_shift("早班 08:30 17:00 1-5 close=60", li)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.tick(session, at(THURSDAY, "09:30"), TZ)  # the window closes: marked absent
    answer = await service.check_in(session, li.id, at(THURSDAY, "09:30"), TZ)
    assert answer.outcome == CheckInOutcome.CLOSED
    record = (await stored(session))[li.id]
    assert record.status == RecordStatus.ABSENT and record.checkin_at is None


async def test_location_refusals_in_a_batch_write_nothing(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    near, far, without = [await make_person(n) for n in ("近", "远", "无")]
    await make_shift("早班 08:30 17:00 1-5", near, far, without)
    await service.set_workplace(session, 36.4841, 102.1041)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    now = at(THURSDAY, "08:10")
    answers = await service.check_in_many(
        session,
        [
            CheckInRequest(near.id, now, (36.4842, 102.1042)),
            CheckInRequest(far.id, now, (36.4940, 102.1040)),
            CheckInRequest(without.id, now),
        ],
        TZ,
    )
    assert [a.outcome for a in answers] == [
        CheckInOutcome.DONE,
        CheckInOutcome.TOO_FAR,
        CheckInOutcome.NEED_LOCATION,
    ]
    records = await stored(session)
    assert records[near.id].checkin_at == now and records[near.id].distance_m is not None
    assert records[far.id].checkin_at is None and records[without.id].checkin_at is None


async def test_the_batch_costs_the_same_few_statements_for_ten_people_as_for_one(
    session: AsyncSession, engine: AsyncEngine, make_person: MakePerson, make_shift: MakeShift
) -> None:
    people = [await make_person(f"员工{n}") for n in range(10)]
    await make_shift("早班 08:30 17:00 1-5", *people)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    statements = count_statements(engine)
    now = at(THURSDAY, "08:10")
    answers = await service.check_in_many(session, [CheckInRequest(p.id, now) for p in people], TZ)
    assert {a.outcome for a in answers} == {CheckInOutcome.DONE}
    assert statements.count("UPDATE") <= 1  # one statement, executed for many rows
    assert len([s for s in statements if s in ("SELECT", "UPDATE", "INSERT")]) <= 4
