"""Attendance domain on the database: rosters, the scheduler's work, check-in and out, requests."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.models import AttendanceRecord, DayKind, Punch, RecordStatus, RequestStatus
from bot.attendance.service import AnswerOutcome, CheckInOutcome, CheckOutOutcome, NoticeKind, RequestError
from bot.people.models import Role
from tests.unit.attendance.conftest import TZ, MakePerson, MakeShift, at

THURSDAY = date(2025, 10, 9)
NATIONAL_DAY = date(2025, 10, 1)
MAKEUP_SUNDAY = date(2025, 9, 28)


async def records(session: AsyncSession) -> list[AttendanceRecord]:
    session.expunge_all()
    return list((await session.exec(select(AttendanceRecord).order_by(AttendanceRecord.id))).all())


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


async def test_assignments_have_date_ranges_and_only_staff_count(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, seeker = await make_person("小李"), await make_person("求职者", role=Role.SEEKER)
    shift = await make_shift("早班 08:30 17:00 1-7")
    assert await service.assign(session, shift, li, THURSDAY, THURSDAY + timedelta(days=2)) == "added"
    assert await service.assign(
        session, shift, li, THURSDAY + timedelta(days=1), THURSDAY + timedelta(days=2)
    ) == ("already")
    await service.assign(session, shift, seeker, THURSDAY)
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
    await service.assign(session, shift, wang, THURSDAY + timedelta(days=1))
    assert [p.id for p in await service.assignees(session, shift.id or 0, THURSDAY)] == [li.id]
    assert {p.id for p in await service.assignees(session, shift.id or 0, THURSDAY + timedelta(days=1))} == {
        li.id,
        wang.id,
    }


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


async def test_daily_summary_is_claimed_once_a_day(session: AsyncSession) -> None:
    nine = 9 * 60
    assert not await service.claim_summary(session, at(THURSDAY, "08:59"), TZ, nine)
    assert await service.claim_summary(session, at(THURSDAY, "09:00"), TZ, nine)
    assert not await service.claim_summary(session, at(THURSDAY, "09:01"), TZ, nine)
    assert await service.claim_summary(session, at(THURSDAY + timedelta(days=1), "10:00"), TZ, nine)
