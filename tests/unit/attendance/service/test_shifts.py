"""Shifts and assignments: date ranges, merging, who is on a shift on a day."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import ShiftAssignment
from bot.people.models import Role
from tests.unit.attendance.conftest import ASSIGNED_AT, THURSDAY, TZ, MakePerson, MakeShift, at


async def test_assignments_have_date_ranges_and_only_staff_count(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, seeker = await make_person("小李"), await make_person("求职者", role=Role.SEEKER)
    shift = await make_shift("早班 08:30 17:00 1-7")
    assert (
        await service.assign(session, shift, li, THURSDAY, THURSDAY + timedelta(days=2), now=ASSIGNED_AT)
        == "added"
    )
    assert await service.assign(
        session, shift, li, THURSDAY + timedelta(days=1), THURSDAY + timedelta(days=2), now=ASSIGNED_AT
    ) == ("already")
    await service.assign(session, shift, seeker, THURSDAY, now=ASSIGNED_AT)
    duties = await service.roster(session, THURSDAY - timedelta(days=1), THURSDAY + timedelta(days=5), TZ)
    assert [(d.occ.work_date, d.person_id) for d in duties] == [
        (THURSDAY + timedelta(days=n), li.id) for n in range(3)
    ]
    assert await service.unassign(session, shift, li, THURSDAY + timedelta(days=1))
    duties = await service.roster(session, THURSDAY, THURSDAY + timedelta(days=5), TZ)
    assert [d.occ.work_date for d in duties] == [THURSDAY]


async def test_assignees_of_a_day_each_once(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    shift = await make_shift("早班 08:30 17:00 1-5", li)
    await service.assign(session, shift, wang, THURSDAY + timedelta(days=1), now=ASSIGNED_AT)
    assert [p.id for p in await service.assignees(session, shift.id or 0, THURSDAY)] == [li.id]
    assert {p.id for p in await service.assignees(session, shift.id or 0, THURSDAY + timedelta(days=1))} == {
        li.id,
        wang.id,
    }


async def test_days_added_to_an_assignment_are_an_assignment_of_their_own_made_now(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李")
    shift = await make_shift("早班 08:30 17:00 1-7")
    before, later = at(THURSDAY, "07:00"), at(THURSDAY + timedelta(days=3), "18:00")
    await service.assign(session, shift, li, THURSDAY, THURSDAY + timedelta(days=2), now=before)
    # Assigned again from the Friday on, open-ended, on the Sunday evening: only the days not covered are new.
    assert await service.assign(session, shift, li, THURSDAY + timedelta(days=1), now=later) == "added"
    rows = (await session.exec(select(ShiftAssignment).order_by(col(ShiftAssignment.start_date)))).all()
    assert [(r.start_date, r.end_date, r.created_at) for r in rows] == [
        (THURSDAY, THURSDAY + timedelta(days=2), before),
        (THURSDAY + timedelta(days=3), None, later),
    ]
    # That Sunday's shift had ended when the days were added: nobody expects them on it.
    duties = await service.roster(session, THURSDAY, THURSDAY + timedelta(days=4), TZ)
    assert [d.occ.work_date for d in duties] == [THURSDAY + timedelta(days=n) for n in (0, 1, 2, 4)]
