"""Rosters: who is expected on which shift each day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import DayKind
from tests.unit.attendance.conftest import (
    MAKEUP_SUNDAY,
    NATIONAL_DAY,
    THURSDAY,
    TZ,
    MakePerson,
    MakeShift,
    at,
)


async def test_roster_follows_weekdays_holidays_and_make_up_days(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5", li)
    await make_shift("周末班 09:00 18:00 6-7", wang)

    def names(duties: list[service.Duty]) -> list[tuple[date, str, int]]:
        return [(d.occ.work_date, d.occ.shift.name, d.person_id) for d in duties]

    assert names(await service.roster(session, THURSDAY, THURSDAY, TZ)) == [(THURSDAY, "早班", li.id)]
    assert await service.roster(session, NATIONAL_DAY, NATIONAL_DAY, TZ) == []
    # The make-up Sunday runs Monday's shifts: the weekday shift, not the weekend one.
    assert names(await service.roster(session, MAKEUP_SUNDAY, MAKEUP_SUNDAY, TZ)) == [
        (MAKEUP_SUNDAY, "早班", li.id)
    ]
    saturday = date(2025, 10, 18)
    assert names(await service.roster(session, saturday, saturday, TZ)) == [(saturday, "周末班", wang.id)]


async def test_a_shift_that_runs_on_public_holidays_has_duties_on_them(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5", li)
    await make_shift("售后 09:00 18:00 每天 holidays", wang)
    duties = await service.roster(session, NATIONAL_DAY, NATIONAL_DAY, TZ)
    assert [(d.occ.shift.name, d.person_id) for d in duties] == [("售后", wang.id)]
    await service.set_day(session, NATIONAL_DAY, DayKind.OFF)  # an admin's day off stops every shift
    assert await service.roster(session, NATIONAL_DAY, NATIONAL_DAY, TZ) == []


async def test_an_assignment_counts_only_for_shifts_that_start_after_it_was_made(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    shift = await make_shift("早班 08:30 17:00 1-5", li)
    await service.assign(session, shift, wang, THURSDAY, now=at(THURSDAY, "18:00"))  # after today's shift
    duties = await service.roster(session, THURSDAY, THURSDAY + timedelta(days=1), TZ)
    assert [(d.occ.work_date, d.person_id) for d in duties] == [
        (THURSDAY, li.id),
        (THURSDAY + timedelta(days=1), li.id),
        (THURSDAY + timedelta(days=1), wang.id),
    ]
    zhang = await make_person("小张")
    await service.assign(session, shift, zhang, THURSDAY, now=at(THURSDAY, "08:20"))  # before its start
    assert zhang.id in {d.person_id for d in await service.roster(session, THURSDAY, THURSDAY, TZ)}
