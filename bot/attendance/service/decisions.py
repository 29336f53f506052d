"""An admin's decision on a request; an approval takes effect at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import (
    AttendanceRecord,
    AttendanceRequest,
    Punch,
    RecordStatus,
    RequestKind,
    RequestStatus,
    Shift,
)
from bot.attendance.schedule import ShiftSpec, early_minutes, late_minutes, occurrence
from bot.attendance.service.requests import AnswerOutcome
from bot.attendance.service.rosters import Duty, record_for, record_occurrence
from bot.people.models import Person


async def decide(
    session: AsyncSession,
    request_id: int,
    admin: Person,
    approve: bool,
    now: datetime,
    tz: ZoneInfo,
    *,
    commit: bool = True,
) -> tuple[AnswerOutcome, AttendanceRequest | None]:
    """An admin approves or rejects a request; approval takes effect at once (leave turns the records of
    those days into leave, a swap moves the day's shifts, a correction writes the punch). With
    ``commit=False`` the caller commits the decision together with what it tells people about it."""
    request = await session.get(AttendanceRequest, request_id)
    if request is None:
        return AnswerOutcome.NOT_FOUND, None
    if request.status == RequestStatus.AWAITING_COLLEAGUE:
        return AnswerOutcome.NOT_READY, request
    if request.status != RequestStatus.PENDING:
        return AnswerOutcome.ALREADY, request
    result = await session.exec(
        update(AttendanceRequest)
        .where(
            col(AttendanceRequest.id) == request_id, col(AttendanceRequest.status) == RequestStatus.PENDING
        )
        .values(
            status=RequestStatus.APPROVED if approve else RequestStatus.REJECTED,
            decided_by_id=admin.id,
            decided_at=now,
        )
    )
    if not result.rowcount:
        await session.rollback()
        await session.refresh(request)
        return AnswerOutcome.ALREADY, request
    if approve:
        await _apply(session, request, now, tz)
    if commit:
        await session.commit()
    else:
        await session.flush()
    await session.refresh(request)
    return AnswerOutcome.DONE, request


async def _apply(session: AsyncSession, request: AttendanceRequest, now: datetime, tz: ZoneInfo) -> None:
    if request.kind == RequestKind.LEAVE:
        await session.exec(
            update(AttendanceRecord)
            .where(
                col(AttendanceRecord.person_id) == request.person_id,
                col(AttendanceRecord.work_date) >= request.start_date,
                col(AttendanceRecord.work_date) <= request.end_date,
                col(AttendanceRecord.checkin_at).is_(None),
                col(AttendanceRecord.status).in_([RecordStatus.EXPECTED, RecordStatus.ABSENT]),
            )
            .values(status=RecordStatus.LEAVE)
        )
    elif request.kind == RequestKind.SWAP:
        people = [p for p in (request.person_id, request.colleague_id) if p is not None]
        await session.exec(
            delete(AttendanceRecord).where(
                col(AttendanceRecord.person_id).in_(people),
                col(AttendanceRecord.work_date) == request.start_date,
                col(AttendanceRecord.checkin_at).is_(None),
                col(AttendanceRecord.status) == RecordStatus.EXPECTED,
            )
        )
    elif request.kind == RequestKind.CORRECTION and request.shift_id is not None and request.punch_at:
        await _apply_correction(session, request, now, tz)


async def _apply_correction(
    session: AsyncSession, request: AttendanceRequest, now: datetime, tz: ZoneInfo
) -> None:
    assert request.shift_id is not None and request.punch_at is not None
    shift = await session.get(Shift, request.shift_id)
    assert shift is not None
    duty = Duty(occurrence(ShiftSpec.of(shift), request.start_date, tz), request.person_id)
    record = await record_for(session, duty, now)
    occ = record_occurrence(record, ShiftSpec.of(shift))
    if request.punch == Punch.IN:
        late = late_minutes(occ, request.punch_at)
        record.checkin_at = request.punch_at
        record.late_minutes = late
        record.status = RecordStatus.LATE if late else RecordStatus.PRESENT
    else:
        record.checkout_at = request.punch_at
        record.early_minutes = early_minutes(record.ends_at, request.punch_at)
        record.checkout_missing = False
        record.closed_at = None
        if record.checkin_at is None and record.status in (RecordStatus.EXPECTED, RecordStatus.ABSENT):
            record.status = RecordStatus.ABSENT
    record.corrected = True
    session.add(record)
