"""The scheduler's work: reminders once each, absences, catching up after downtime, closing records."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import RecordStatus
from bot.attendance.service import CheckInOutcome, CheckOutOutcome, NoticeKind
from tests.unit.attendance.conftest import (
    MAKEUP_SUNDAY,
    NATIONAL_DAY,
    THURSDAY,
    TZ,
    MakePerson,
    MakeShift,
    at,
    records,
)


async def test_tick_reminds_once_at_opening_and_once_at_start(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5 window=30 grace=5 close=60", li, wang)

    first = await service.tick(session, at(THURSDAY, "07:59"), TZ)
    assert first.notices == []
    opening = await service.tick(session, at(THURSDAY, "08:00"), TZ)
    assert sorted((n.kind, n.person.first_name) for n in opening.notices) == [
        (NoticeKind.WINDOW_OPEN, "小李"),
        (NoticeKind.WINDOW_OPEN, "小王"),
    ]
    assert (await service.tick(session, at(THURSDAY, "08:01"), TZ)).notices == []

    checked = await service.check_in(session, li.id, at(THURSDAY, "08:20"), TZ)
    assert checked.outcome == CheckInOutcome.DONE and checked.late_minutes == 0

    start = await service.tick(session, at(THURSDAY, "08:30"), TZ)
    assert [(n.kind, n.person.first_name) for n in start.notices] == [(NoticeKind.SHIFT_START, "小王")]
    assert (await service.tick(session, at(THURSDAY, "08:31"), TZ)).notices == []

    closing = await service.tick(session, at(THURSDAY, "09:30"), TZ)
    assert [(n.kind, n.person.first_name) for n in closing.notices] == [(NoticeKind.ABSENT, "小王")]
    stored = {r.person_id: r for r in await records(session)}
    assert stored[li.id].status == RecordStatus.PRESENT
    assert stored[wang.id].status == RecordStatus.ABSENT
    assert stored[wang.id].reminded_at == at(THURSDAY, "08:00")
    assert stored[wang.id].start_reminded_at == at(THURSDAY, "08:30")


async def test_no_reminders_on_a_holiday_and_reminders_on_a_make_up_day(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.tick(session, at(NATIONAL_DAY, "07:00"), TZ)
    holiday = await service.tick(session, at(NATIONAL_DAY, "08:00"), TZ)
    later = await service.tick(session, at(NATIONAL_DAY, "10:00"), TZ)
    assert holiday.notices == [] and later.notices == [] and later.absences == 0
    assert await records(session) == []

    await service.tick(session, at(MAKEUP_SUNDAY, "07:00"), TZ)
    makeup = await service.tick(session, at(MAKEUP_SUNDAY, "08:00"), TZ)
    assert [n.kind for n in makeup.notices] == [NoticeKind.WINDOW_OPEN]


async def test_restart_catches_up_without_duplicates_or_stale_reminders(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早早班 07:00 15:00 1-5 window=30 close=60", li)
    await make_shift("早班 08:30 17:00 1-5 window=30 close=60", wang)
    await service.tick(session, at(THURSDAY, "06:00"), TZ)
    before = await service.tick(session, at(THURSDAY, "06:30"), TZ)
    assert [(n.kind, n.shift_name) for n in before.notices] == [(NoticeKind.WINDOW_OPEN, "早早班")]

    # Down from 06:31 to 08:10: 早早班's window closed (absence), 早班's opened at 08:00 (still worth sending).
    after = await service.tick(session, at(THURSDAY, "08:10"), TZ)
    assert sorted((n.kind, n.shift_name) for n in after.notices) == [
        (NoticeKind.ABSENT, "早早班"),
        (NoticeKind.WINDOW_OPEN, "早班"),
    ]
    assert after.absences == 1
    again = await service.tick(session, at(THURSDAY, "08:11"), TZ)
    assert again.notices == [] and again.absences == 0


async def test_windows_closed_long_before_the_first_run_are_not_counted(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    first = await service.tick(session, at(THURSDAY, "12:00"), TZ)
    assert first.notices == [] and first.absences == 0


async def test_bot_down_over_the_whole_window_records_absence_without_reminders(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.tick(session, at(THURSDAY, "07:00"), TZ)
    after = await service.tick(session, at(THURSDAY, "11:00"), TZ)
    assert [n.kind for n in after.notices] == [NoticeKind.ABSENT]
    (record,) = await records(session)
    assert record.status == RecordStatus.ABSENT and record.reminded_at is None


async def test_forgotten_check_out_is_reminded_then_closed_and_flagged(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person()
    await make_shift("早班 08:30 17:00 1-5", li)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.check_in(session, li.id, at(THURSDAY, "08:10"), TZ)
    assert (await service.tick(session, at(THURSDAY, "17:10"), TZ)).notices == []
    reminder = await service.tick(session, at(THURSDAY, "17:15"), TZ)
    assert [n.kind for n in reminder.notices] == [NoticeKind.CHECKOUT_REMINDER]
    assert (await service.tick(session, at(THURSDAY, "17:16"), TZ)).notices == []
    closing = await service.tick(session, at(THURSDAY, "19:00"), TZ)
    assert [n.kind for n in closing.notices] == [NoticeKind.CHECKOUT_CLOSED] and closing.closed == 1
    (record,) = await records(session)
    assert (
        record.checkout_missing and record.closed_at == at(THURSDAY, "19:00") and record.checkout_at is None
    )
    assert (
        await service.check_out(session, li.id, at(THURSDAY, "19:05"), TZ)
    ).outcome == CheckOutOutcome.CLOSED


async def test_daily_summary_is_claimed_once_a_day(session: AsyncSession) -> None:
    nine = 9 * 60
    assert not await service.claim_summary(session, at(THURSDAY, "08:59"), TZ, nine)
    assert await service.claim_summary(session, at(THURSDAY, "09:00"), TZ, nine)
    assert not await service.claim_summary(session, at(THURSDAY, "09:01"), TZ, nine)
    assert await service.claim_summary(session, at(THURSDAY + timedelta(days=1), "10:00"), TZ, nine)
