"""Check-out: leaving early needs a confirmation, a night shift ends the next day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import RecordStatus
from bot.attendance.service import CheckInOutcome, CheckOutOutcome
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, MakeShift, at, records


async def test_night_shift_counts_on_the_day_it_starts(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("夜班 22:00 06:00 1-5 window=30 close=60", li)
    friday = date(2025, 10, 17)  # (Saturday 10-11 before it is a make-up workday)
    checked = await service.check_in(session, li.id, at(friday, "22:40"), TZ)
    assert checked.outcome == CheckInOutcome.DONE and checked.late_minutes == 40
    early = await service.check_out(session, li.id, at(friday + timedelta(days=1), "05:30"), TZ)
    assert early.outcome == CheckOutOutcome.EARLY and early.early_minutes == 30
    out = await service.check_out(session, li.id, at(friday + timedelta(days=1), "06:02"), TZ)
    assert out.outcome == CheckOutOutcome.DONE and out.early_minutes == 0
    assert (await service.check_out(session, li.id, at(friday + timedelta(days=1), "06:03"), TZ)).outcome == (
        CheckOutOutcome.ALREADY
    )
    (record,) = await records(session)
    assert record.work_date == friday and record.status == RecordStatus.LATE
    # Saturday is not a night-shift day, so the Friday night shift is the only one.
    assert await service.roster(session, friday + timedelta(days=1), friday + timedelta(days=1), TZ) == []


async def test_leaving_early_needs_confirmation(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    assert (await service.check_out(session, li.id, at(THURSDAY, "08:00"), TZ)).outcome == (
        CheckOutOutcome.NOT_CHECKED_IN
    )
    await service.check_in(session, li.id, at(THURSDAY, "08:25"), TZ)
    left = await service.check_out(session, li.id, at(THURSDAY, "16:20"), TZ, early_ok=True)
    assert left.outcome == CheckOutOutcome.DONE and left.early_minutes == 40
    (record,) = await records(session)
    assert record.early_minutes == 40 and record.checkout_at == at(THURSDAY, "16:20")
