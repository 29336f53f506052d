"""The scheduler's work: what is due since its last run (reminders, absences, closing records), done once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceConfig, AttendanceRecord, RecordStatus, Shift
from bot.attendance.schedule import CHECKOUT_REMINDER_AFTER, Occurrence, ShiftSpec, local_date, local_moment
from bot.attendance.service.common import insert_ignore
from bot.attendance.service.config import CONFIG_ID, get_config
from bot.attendance.service.rosters import Duty, record_occurrence, record_values, records_between, roster
from bot.people.models import Person

MAX_CATCH_UP = timedelta(days=7)
"""After downtime the scheduler records absences for at most this far back."""
ABSENCE_NOTICE_MAX_AGE = timedelta(hours=12)
"""Absences found later than this after the window closed are recorded without telling the person."""


class NoticeKind(StrEnum):
    """Something the scheduler tells one person."""

    WINDOW_OPEN = "window_open"  # first reminder: check-in is open
    SHIFT_START = "shift_start"  # second reminder: the shift started and they have not checked in
    ABSENT = "absent"
    CHECKOUT_REMINDER = "checkout_reminder"
    CHECKOUT_CLOSED = "checkout_closed"


@dataclass(frozen=True, slots=True)
class Notice:
    """A message the scheduler has decided to send (and recorded as due, so it is decided once)."""

    kind: NoticeKind
    person: Person
    shift_name: str
    occ: Occurrence
    record_id: int


@dataclass(slots=True)
class Tick:
    """What one run of the scheduler did."""

    since: datetime
    now: datetime
    notices: list[Notice] = field(default_factory=list)
    created: int = 0
    absences: int = 0
    closed: int = 0

    def count(self, kind: NoticeKind) -> int:
        return sum(1 for n in self.notices if n.kind == kind)


async def tick(session: AsyncSession, now: datetime, tz: ZoneInfo, *, commit: bool = True) -> Tick:
    """Do whatever is due at ``now`` since the last run, and record it, so that it is never done twice.

    * windows open now: make the records, remind whoever has not checked in — once when the window opens,
      once more at the start (a reminder whose moment has passed is not sent: after the start only the
      second one goes out, after the window closed none);
    * windows that closed since the last run (also while the bot was down, up to a week back): record
      absences;
    * shifts that ended: remind whoever has not checked out, then close their record and flag it.

    The records say which notices are due. With ``commit=False`` nothing is committed, so that the caller
    queues the notices in the outbox in the same transaction: they are decided and queued at once, or not
    at all, and a crash loses none (``bot.attendance.outbox``).
    """
    config = await get_config(session)
    since = config.ticked_at or now
    since = min(max(since, now - MAX_CATCH_UP), now)
    done = Tick(since=since, now=now)
    first = local_date(since, tz) - timedelta(days=1)
    last = local_date(now, tz) + timedelta(days=1)
    duties = [
        d for d in await roster(session, first, last, tz) if d.occ.opens_at <= now and d.occ.closes_at > since
    ]
    records = {(r.person_id, r.shift_id, r.work_date): r for r in await records_between(session, first, last)}

    missing = [d for d in duties if d.key not in records]
    created: set[int] = set()
    if missing:
        created = set(await insert_ignore(session, AttendanceRecord, [_new_record(d, now) for d in missing]))
        done.created = len(created)
        records.update(
            {(r.person_id, r.shift_id, r.work_date): r for r in await records_between(session, first, last)}
        )

    people = {p.id: p for p in await _people(session, {d.person_id for d in duties})}
    for duty in duties:
        record = records.get(duty.key)
        if record is None or record.id is None or record.checkin_at is not None:
            continue
        occ, person = duty.occ, people[duty.person_id]
        kind: NoticeKind | None = None
        if duty.on_leave:
            if record.status == RecordStatus.EXPECTED:
                await _set_status(session, record, RecordStatus.LEAVE)
        elif record.id in created:
            kind = _due(occ, now)
            if kind == NoticeKind.ABSENT:
                done.absences += 1
        elif now < occ.closes_at:
            kind = _due(occ, now)
            column = "reminded_at" if kind == NoticeKind.WINDOW_OPEN else "start_reminded_at"
            if getattr(record, column) is not None or not await _claim(session, record, column, now):
                kind = None
        elif await _mark_absent(session, record):
            kind = NoticeKind.ABSENT
            done.absences += 1
        if kind == NoticeKind.ABSENT and now - occ.closes_at > ABSENCE_NOTICE_MAX_AGE:
            kind = None
        if kind is not None:
            done.notices.append(Notice(kind, person, occ.shift.name, occ, record.id))

    await _checkouts(session, now, done)
    config.ticked_at = now
    session.add(config)
    if commit:
        await session.commit()
    else:
        await session.flush()
    return done


def _due(occ: Occurrence, now: datetime) -> NoticeKind:
    """What a record that has no check-in calls for at ``now``: the first or second reminder, or absence."""
    if now >= occ.closes_at:
        return NoticeKind.ABSENT
    return NoticeKind.WINDOW_OPEN if now < occ.starts_at else NoticeKind.SHIFT_START


def _new_record(duty: Duty, now: datetime) -> dict[str, Any]:
    """A record made by the scheduler, with the reminder it is about to send (or the absence) in it."""
    if duty.on_leave:
        return record_values(duty, created_at=now)
    values: dict[str, Any] = {
        NoticeKind.ABSENT: {"status": RecordStatus.ABSENT},
        NoticeKind.WINDOW_OPEN: {"reminded_at": now},
        NoticeKind.SHIFT_START: {"start_reminded_at": now},
    }[_due(duty.occ, now)]
    return record_values(duty, created_at=now, **values)


async def _people(session: AsyncSession, ids: set[int]) -> list[Person]:
    if not ids:
        return []
    return list((await session.exec(select(Person).where(col(Person.id).in_(ids)))).all())


async def _set_status(session: AsyncSession, record: AttendanceRecord, status: RecordStatus) -> None:
    await session.exec(
        update(AttendanceRecord)
        .where(col(AttendanceRecord.id) == record.id, col(AttendanceRecord.checkin_at).is_(None))
        .values(status=status)
    )


async def _claim(session: AsyncSession, record: AttendanceRecord, column: str, now: datetime) -> bool:
    """Mark a reminder as sent unless someone checked in or it was sent meanwhile."""
    target = getattr(AttendanceRecord, column)
    result = await session.exec(
        update(AttendanceRecord)
        .where(
            col(AttendanceRecord.id) == record.id,
            col(AttendanceRecord.checkin_at).is_(None),
            col(target).is_(None),
            col(AttendanceRecord.status) == RecordStatus.EXPECTED,
        )
        .values({column: now})
    )
    return bool(result.rowcount)


async def _mark_absent(session: AsyncSession, record: AttendanceRecord) -> bool:
    result = await session.exec(
        update(AttendanceRecord)
        .where(
            col(AttendanceRecord.id) == record.id,
            col(AttendanceRecord.checkin_at).is_(None),
            col(AttendanceRecord.status) == RecordStatus.EXPECTED,
        )
        .values(status=RecordStatus.ABSENT)
    )
    return bool(result.rowcount)


async def _checkouts(session: AsyncSession, now: datetime, done: Tick) -> None:
    """Remind, then close, records of shifts that ended without a check-out."""
    result = await session.exec(
        select(AttendanceRecord, Person, Shift)
        .join(Person, col(Person.id) == AttendanceRecord.person_id)
        .join(Shift, col(Shift.id) == AttendanceRecord.shift_id)
        .where(
            col(AttendanceRecord.checkin_at).is_not(None),
            col(AttendanceRecord.checkout_at).is_(None),
            col(AttendanceRecord.closed_at).is_(None),
            col(AttendanceRecord.ends_at) <= now - CHECKOUT_REMINDER_AFTER,
        )
    )
    for record, person, shift in result.all():
        assert record.id is not None
        occ = record_occurrence(record, ShiftSpec.of(shift))
        if now >= occ.checkout_closes_at:
            closed = await session.exec(
                update(AttendanceRecord)
                .where(col(AttendanceRecord.id) == record.id, col(AttendanceRecord.checkout_at).is_(None))
                .values(closed_at=now, checkout_missing=True)
            )
            if closed.rowcount:
                done.closed += 1
                done.notices.append(Notice(NoticeKind.CHECKOUT_CLOSED, person, shift.name, occ, record.id))
        elif record.checkout_reminded_at is None and await _claim_checkout(session, record, now):
            done.notices.append(Notice(NoticeKind.CHECKOUT_REMINDER, person, shift.name, occ, record.id))


async def _claim_checkout(session: AsyncSession, record: AttendanceRecord, now: datetime) -> bool:
    result = await session.exec(
        update(AttendanceRecord)
        .where(
            col(AttendanceRecord.id) == record.id,
            col(AttendanceRecord.checkout_at).is_(None),
            col(AttendanceRecord.checkout_reminded_at).is_(None),
        )
        .values(checkout_reminded_at=now)
    )
    return bool(result.rowcount)


async def claim_summary(
    session: AsyncSession, now: datetime, tz: ZoneInfo, at_minute: int, *, commit: bool = True
) -> bool:
    """Whether the daily summary is due now and not yet sent today; claims it when so (with
    ``commit=False`` the caller commits the claim together with the summary it queues)."""
    today = local_date(now, tz)
    if now < local_moment(today, at_minute, tz):
        return False
    await get_config(session)
    result = await session.exec(
        update(AttendanceConfig)
        .where(
            col(AttendanceConfig.id) == CONFIG_ID,
            or_(
                col(AttendanceConfig.summary_sent_on).is_(None), col(AttendanceConfig.summary_sent_on) < today
            ),
        )
        .values(summary_sent_on=today)
    )
    if commit:
        await session.commit()
    return bool(result.rowcount)
