"""Rosters: who is expected on which shift each day."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from tests.unit.attendance.conftest import MAKEUP_SUNDAY, NATIONAL_DAY, THURSDAY, TZ, MakePerson, MakeShift


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
