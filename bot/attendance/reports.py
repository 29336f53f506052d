"""Attendance reports as plain data: one day, the daily summary, a month per person. No Telegram."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.calendar import DayPlan
from bot.attendance.models import AttendanceRecord, RecordStatus, Shift
from bot.attendance.schedule import Occurrence, ShiftSpec, local_date
from bot.attendance.service import day_plans, record_occurrence, records_between, roster
from bot.people.models import Person


class Mark(StrEnum):
    """How one person did on one shift, as a report shows it."""

    ON_TIME = "on_time"
    LATE = "late"
    ABSENT = "absent"
    LEAVE = "leave"
    WAITING = "waiting"  # the window is open and they have not checked in yet
    UPCOMING = "upcoming"  # the window has not opened yet
    NO_RECORD = "no_record"  # expected, but nothing was recorded (assigned after the window closed)


@dataclass(slots=True)
class Entry:
    """One person on one shift on one day."""

    person: Person
    mark: Mark
    late_minutes: int = 0
    early_minutes: int = 0
    checkin_at: datetime | None = None
    checkout_at: datetime | None = None
    checkout_missing: bool = False
    corrected: bool = False

    @property
    def left_early(self) -> bool:
        return self.early_minutes > 0


@dataclass(slots=True)
class ShiftDay:
    """One shift on one day and everyone on it."""

    occ: Occurrence
    entries: list[Entry] = field(default_factory=list)

    def with_mark(self, *marks: Mark) -> list[Entry]:
        return [e for e in self.entries if e.mark in marks]


def mark_of(record: AttendanceRecord, now: datetime) -> Mark:
    """The mark a record earns at ``now``."""
    if record.status == RecordStatus.LEAVE:
        return Mark.LEAVE
    if record.checkin_at is not None:
        return Mark.LATE if record.late_minutes else Mark.ON_TIME
    if record.status == RecordStatus.ABSENT or now > record.closes_at:
        return Mark.ABSENT
    return Mark.WAITING if now >= record.opens_at else Mark.UPCOMING


def _entry(person: Person, record: AttendanceRecord, now: datetime) -> Entry:
    return Entry(
        person,
        mark_of(record, now),
        record.late_minutes,
        record.early_minutes,
        record.checkin_at,
        record.checkout_at,
        record.checkout_missing,
        record.corrected,
    )


async def _people(session: AsyncSession, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    result = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {p.id: p for p in result.all() if p.id is not None}


async def _specs(session: AsyncSession) -> dict[int, ShiftSpec]:
    result = await session.exec(select(Shift))
    return {s.id: ShiftSpec.of(s) for s in result.all() if s.id is not None}


async def shift_days(
    session: AsyncSession, first: date, last: date, now: datetime, tz: ZoneInfo
) -> list[ShiftDay]:
    """Every shift worked (or to be worked) from ``first`` to ``last``: the records made, and whoever the
    roster still expects."""
    duties = await roster(session, first, last, tz)
    records = {(r.person_id, r.shift_id, r.work_date): r for r in await records_between(session, first, last)}
    people = await _people(session, {d.person_id for d in duties} | {k[0] for k in records})
    specs = await _specs(session)
    days: dict[tuple[int, date], ShiftDay] = {}
    for key, record in records.items():
        spec = specs[record.shift_id]
        group = days.setdefault(
            (record.shift_id, record.work_date), ShiftDay(record_occurrence(record, spec))
        )
        group.entries.append(_entry(people[key[0]], record, now))
    for duty in duties:
        if duty.key in records:
            continue
        occ = duty.occ
        assert occ.shift.id is not None
        group = days.setdefault((occ.shift.id, occ.work_date), ShiftDay(occ))
        if duty.on_leave:
            mark = Mark.LEAVE
        elif now < occ.opens_at:
            mark = Mark.UPCOMING
        elif now <= occ.closes_at:
            mark = Mark.WAITING
        else:
            mark = Mark.NO_RECORD
        group.entries.append(Entry(people[duty.person_id], mark))
    order = [Mark.ABSENT, Mark.WAITING, Mark.LATE, Mark.LEAVE, Mark.NO_RECORD, Mark.ON_TIME, Mark.UPCOMING]
    for group in days.values():
        group.entries.sort(key=lambda e: (order.index(e.mark), e.person.first_name, e.person.id or 0))
    return sorted(days.values(), key=lambda g: (g.occ.starts_at, g.occ.shift.name))


@dataclass(slots=True)
class DayReport:
    """The report of one day: its plan and its shifts."""

    day: date
    plan: DayPlan
    shifts: list[ShiftDay]


async def day_report(session: AsyncSession, day: date, now: datetime, tz: ZoneInfo) -> DayReport:
    """Every shift that starts on ``day``."""
    plans = await day_plans(session, day, day)
    return DayReport(day, plans[day], await shift_days(session, day, day, now, tz))


async def summary_report(session: AsyncSession, now: datetime, tz: ZoneInfo) -> list[ShiftDay]:
    """The daily summary: shifts that started in the last 24 hours, then today's shifts still to come."""
    today = local_date(now, tz)
    groups = await shift_days(session, today - timedelta(days=1), today, now, tz)
    return [g for g in groups if g.occ.starts_at > now - timedelta(days=1)]


# --- a month -----------------------------------------------------------------------------------


@dataclass(slots=True)
class PersonMonth:
    """One person's month, for payroll."""

    person: Person
    scheduled: int = 0
    attended: int = 0
    on_time: int = 0
    late: int = 0
    late_minutes: int = 0
    left_early: int = 0
    early_minutes: int = 0
    absent: int = 0
    leave: int = 0
    missing_checkout: int = 0
    corrected: int = 0
    worked_minutes: int = 0


@dataclass(slots=True)
class RecordLine:
    """One record of the month, for the detail sheet."""

    person: Person
    shift_name: str
    occ: Occurrence
    entry: Entry


@dataclass(slots=True)
class MonthReport:
    """A month: per person, per day counts, and every record."""

    year: int
    month: int
    people: list[PersonMonth]
    daily: dict[date, Counter[Mark]]
    lines: list[RecordLine]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return month_last_day(self.year, self.month)


def month_last_day(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


async def month_report(
    session: AsyncSession,
    year: int,
    month: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    person_id: int | None = None,
) -> MonthReport:
    """The month from its records: shifts that have started by ``now``, and those already checked in to (the
    window opens before the start: a report asked for at 08:25 counts whoever checked in at 08:20)."""
    first, last = date(year, month, 1), month_last_day(year, month)
    records = [
        r
        for r in await records_between(session, first, last, person_id=person_id)
        if r.starts_at <= now or r.checkin_at is not None
    ]
    records.sort(key=lambda r: (r.starts_at, r.person_id))
    specs = await _specs(session)
    people = await _people(session, {r.person_id for r in records})
    if person_id is not None and person_id not in people:
        people.update(await _people(session, {person_id}))
    months: dict[int, PersonMonth] = {pid: PersonMonth(person) for pid, person in people.items()}
    daily: dict[date, Counter[Mark]] = {}
    lines = []
    for record in records:
        entry = _entry(people[record.person_id], record, now)
        summary = months[record.person_id]
        daily.setdefault(record.work_date, Counter())[entry.mark] += 1
        lines.append(
            RecordLine(
                entry.person,
                specs[record.shift_id].name,
                record_occurrence(record, specs[record.shift_id]),
                entry,
            )
        )
        if entry.mark in (Mark.WAITING, Mark.UPCOMING):
            continue
        summary.scheduled += 1
        if entry.mark == Mark.LEAVE:
            summary.leave += 1
        elif entry.mark == Mark.ABSENT:
            summary.absent += 1
        else:
            summary.attended += 1
            summary.on_time += entry.mark == Mark.ON_TIME
            summary.late += entry.mark == Mark.LATE
            summary.late_minutes += entry.late_minutes
        summary.left_early += entry.left_early
        summary.early_minutes += entry.early_minutes
        summary.missing_checkout += entry.checkout_missing
        summary.corrected += entry.corrected
        if entry.checkin_at and entry.checkout_at and entry.checkout_at > entry.checkin_at:
            start = max(entry.checkin_at, record.starts_at)
            summary.worked_minutes += max(0, int((entry.checkout_at - start).total_seconds() // 60))
    ordered = sorted(months.values(), key=lambda m: (m.person.first_name, m.person.id or 0))
    return MonthReport(year, month, ordered, dict(sorted(daily.items())), lines)
