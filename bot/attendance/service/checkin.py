"""Check-in: one person or the whole floor at once, inside the shift's window and near the workplace."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceConfig, AttendanceRecord, RecordStatus, Shift
from bot.attendance.schedule import Occurrence, ShiftSpec, late_minutes
from bot.attendance.service.common import distance_m
from bot.attendance.service.config import get_config
from bot.attendance.service.rosters import Duty, next_duties, record_for, record_occurrence


class CheckInOutcome(StrEnum):
    """What happened to a check-in."""

    DONE = "done"
    ALREADY = "already"
    ON_LEAVE = "on_leave"
    TOO_EARLY = "too_early"  # the next shift's window is not open yet
    CLOSED = "closed"  # the window of the current shift has closed
    NO_SHIFT = "no_shift"  # nothing in the coming days
    NEED_LOCATION = "need_location"
    TOO_FAR = "too_far"


@dataclass(slots=True)
class CheckIn:
    """The answer to a check-in, with what the reply needs to explain it."""

    outcome: CheckInOutcome
    shift_name: str = ""
    occ: Occurrence | None = None
    record: AttendanceRecord | None = None
    late_minutes: int = 0
    next_occ: Occurrence | None = None
    distance_m: float | None = None
    radius_m: int | None = None


@dataclass(frozen=True, slots=True)
class CheckInRequest:
    """One person pressing 签到 (or sending /checkin, or a location) at ``now``."""

    person_id: int
    now: datetime
    location: tuple[float, float] | None = None


async def check_in(
    session: AsyncSession,
    person_id: int,
    now: datetime,
    tz: ZoneInfo,
    *,
    location: tuple[float, float] | None = None,
) -> CheckIn:
    """Check a person in to the shift whose window is open now.

    A second check-in is harmless (``ALREADY``); outside any window nothing is recorded and the answer
    says when the next window opens or that the current one closed; with the location check on, a missing
    or distant location is refused.
    """
    return (await check_in_many(session, [CheckInRequest(person_id, now, location)], tz))[0]


@dataclass(slots=True)
class _Stamp:
    """A check-in about to be written: the answer if the write goes through."""

    index: int
    request: CheckInRequest
    record: AttendanceRecord
    answer: CheckIn


async def check_in_many(
    session: AsyncSession, requests: Sequence[CheckInRequest], tz: ZoneInfo
) -> list[CheckIn]:
    """``check_in`` for many people at once, as when the whole floor checks in at the start of a shift.

    The common case — the record the scheduler made when the window opened — costs one query for
    everyone, one conditional update and one commit; anything else (no record yet, a race with the
    scheduler) goes through the one-person path. Answers come back in the order of ``requests``.
    """
    if not requests:
        return []
    config = await get_config(session)
    query = (
        select(AttendanceRecord, Shift)
        .join(Shift, col(Shift.id) == AttendanceRecord.shift_id)
        .where(
            col(AttendanceRecord.person_id).in_({r.person_id for r in requests}),
            col(AttendanceRecord.opens_at) <= max(r.now for r in requests),
            col(AttendanceRecord.closes_at) >= min(r.now for r in requests),
        )
        .order_by(AttendanceRecord.starts_at)
    )
    open_records: dict[int, list[tuple[AttendanceRecord, Shift]]] = defaultdict(list)
    for record, shift in (await session.exec(query)).all():
        open_records[record.person_id].append((record, shift))

    answers: list[CheckIn | None] = [None] * len(requests)
    stamps: list[_Stamp] = []
    others: list[int] = []
    for index, request in enumerate(requests):
        found = next(
            (
                (record, shift)
                for record, shift in open_records.get(request.person_id, [])
                if record.opens_at <= request.now <= record.closes_at
            ),
            None,
        )
        if found is None:
            others.append(index)
            continue
        record, shift = found
        occ = record_occurrence(record, ShiftSpec.of(shift))
        answer = _check_in_answer(occ, record.status == RecordStatus.LEAVE, record, config, request)
        if answer.outcome == CheckInOutcome.DONE:
            stamps.append(_Stamp(index, request, record, answer))
        else:
            answers[index] = answer

    if stamps:
        written = await _stamp_check_ins(session, stamps)
        for stamp in stamps:
            if stamp.index in written:
                answers[stamp.index] = stamp.answer
            else:  # the scheduler (or a double tap) got there first: say what the record says now
                others.append(stamp.index)
    for index in sorted(others):
        answers[index] = await _check_in_alone(session, requests[index], tz, config)
    return [answer for answer in answers if answer is not None]


def _check_in_answer(
    occ: Occurrence,
    on_leave: bool,
    record: AttendanceRecord | None,
    config: AttendanceConfig,
    request: CheckInRequest,
) -> CheckIn:
    """What a check-in to ``occ`` comes to, before anything is written (``DONE``: write it)."""
    name = occ.shift.name
    if on_leave:
        return CheckIn(CheckInOutcome.ON_LEAVE, name, occ, record)
    if record is not None and record.checkin_at is not None:
        return CheckIn(CheckInOutcome.ALREADY, name, occ, record, record.late_minutes)
    distance = None
    if config.require_location and config.latitude is not None and config.longitude is not None:
        if request.location is None:
            return CheckIn(CheckInOutcome.NEED_LOCATION, name, occ, record, radius_m=config.radius_m)
        distance = distance_m(config.latitude, config.longitude, *request.location)
        if distance > config.radius_m:
            return CheckIn(
                CheckInOutcome.TOO_FAR, name, occ, record, distance_m=distance, radius_m=config.radius_m
            )
    late = late_minutes(occ, request.now)
    return CheckIn(CheckInOutcome.DONE, name, occ, record, late, distance_m=distance)


def _stamp_values(stamp: _Stamp) -> dict[str, Any]:
    late = stamp.answer.late_minutes
    return {
        "checkin_at": stamp.request.now,
        "status": RecordStatus.LATE if late else RecordStatus.PRESENT,
        "late_minutes": late,
        "distance_m": stamp.answer.distance_m,
    }


def _stamp_statement() -> Any:
    table = AttendanceRecord.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == bindparam("record_id"),
            table.c.checkin_at.is_(None),
            table.c.status == RecordStatus.EXPECTED,
        )
        .values(
            checkin_at=bindparam("stamp_at"),
            status=bindparam("stamp_status"),
            late_minutes=bindparam("stamp_late"),
            distance_m=bindparam("stamp_distance"),
        )
    )


async def _stamp_check_ins(session: AsyncSession, stamps: Sequence[_Stamp]) -> set[int]:
    """Write the check-ins of records still waiting for one, in one statement and one commit; returns the
    indexes of the stamps that were written (a record checked in, or closed, meanwhile is left alone)."""
    values = {stamp.index: _stamp_values(stamp) for stamp in stamps}
    rows = [
        {
            "record_id": stamp.record.id,
            "stamp_at": values[stamp.index]["checkin_at"],
            "stamp_status": values[stamp.index]["status"],
            "stamp_late": values[stamp.index]["late_minutes"],
            "stamp_distance": values[stamp.index]["distance_m"],
        }
        for stamp in stamps
    ]
    connection = await session.connection()
    result = await connection.execute(_stamp_statement(), rows)
    if connection.dialect.supports_sane_multi_rowcount and result.rowcount == len(rows):
        written = {stamp.index for stamp in stamps}
    else:  # find out which ones went through: their record now bears their time
        table = AttendanceRecord.__table__  # type: ignore[attr-defined]
        ids = {stamp.record.id for stamp in stamps}
        stamped = dict(
            (
                await connection.execute(select(table.c.id, table.c.checkin_at).where(table.c.id.in_(ids)))
            ).all()
        )
        written = {stamp.index for stamp in stamps if stamped.get(stamp.record.id) == stamp.request.now}
    await session.commit()
    for stamp in stamps:
        if stamp.index in written:
            if stamp.record in session:
                session.expunge(stamp.record)
            for name, value in values[stamp.index].items():
                setattr(stamp.record, name, value)
    return written


def _settled(record: AttendanceRecord, occ: Occurrence) -> CheckIn:
    """The answer for a record that can no longer take a check-in."""
    name = occ.shift.name
    if record.status == RecordStatus.LEAVE:
        return CheckIn(CheckInOutcome.ON_LEAVE, name, occ, record)
    if record.checkin_at is not None:
        return CheckIn(CheckInOutcome.ALREADY, name, occ, record, record.late_minutes)
    return CheckIn(CheckInOutcome.CLOSED, name, occ)  # marked absent as the window closed


async def _check_in_alone(
    session: AsyncSession, request: CheckInRequest, tz: ZoneInfo, config: AttendanceConfig
) -> CheckIn:
    """The one-person path: find the duty open now (making its record if need be) and check in."""
    duties = await next_duties(session, request.person_id, request.now, tz)
    open_now = [d for d in duties if d.occ.window_contains(request.now)]
    if not open_now:
        return _not_now(duties, request.now)
    duty = open_now[0]
    answer = _check_in_answer(duty.occ, duty.on_leave, None, config, request)
    if answer.outcome != CheckInOutcome.DONE:
        return answer
    record = await record_for(session, duty, request.now)
    if record.checkin_at is not None or record.status != RecordStatus.EXPECTED:
        return _settled(record, duty.occ)
    answer.record = record
    if await _stamp_check_ins(session, [_Stamp(0, request, record, answer)]):
        return answer
    await session.refresh(record)
    return _settled(record, duty.occ)


def _not_now(duties: Sequence[Duty], now: datetime) -> CheckIn:
    upcoming = [d for d in duties if d.occ.opens_at > now and not d.on_leave]
    next_occ = upcoming[0].occ if upcoming else None
    closed = [d for d in duties if d.occ.closes_at < now < d.occ.ends_at and not d.on_leave]
    if closed:
        occ = closed[-1].occ
        return CheckIn(CheckInOutcome.CLOSED, occ.shift.name, occ, next_occ=next_occ)
    if next_occ is not None:
        return CheckIn(CheckInOutcome.TOO_EARLY, next_occ.shift.name, next_occ, next_occ=next_occ)
    return CheckIn(CheckInOutcome.NO_SHIFT)
