"""The admins' calendar changes: days off and workdays, and undoing them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import DayKind
from tests.unit.attendance.conftest import NATIONAL_DAY, THURSDAY, TZ, MakePerson, MakeShift


async def test_admin_calendar_overrides(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.set_day(session, THURSDAY, DayKind.OFF, note="停电")
    await service.set_day(session, NATIONAL_DAY, DayKind.WORK, works_as=3)
    assert await service.roster(session, THURSDAY, THURSDAY, TZ) == []
    assert len(await service.roster(session, NATIONAL_DAY, NATIONAL_DAY, TZ)) == 1
    assert await service.clear_day(session, THURSDAY)
    assert not await service.clear_day(session, THURSDAY)
    assert len(await service.roster(session, THURSDAY, THURSDAY, TZ)) == 1
