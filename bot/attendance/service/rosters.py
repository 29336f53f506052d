"""Rosters: who is expected on which shift each day (assignments, calendar, swaps, leave), and their records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import (
    AttendanceRecord,
    AttendanceRequest,
    RecordStatus,
    RequestKind,
    RequestStatus,
    Shift,
    ShiftAssignment,
)
from bot.attendance.schedule import Occurrence, ShiftSpec, local_date, occurrence
from bot.attendance.service.common import insert_ignore
from bot.attendance.service.overrides import day_plans
from bot.attendance.service.shifts import list_shifts
from bot.people.models import Person, Role

LOOKAHEAD_DAYS = 8


@dataclass(frozen=True, slots=True)
class Duty:
    """A person expected on one shift on one day."""

    occ: Occurrence
    person_id: int
    on_leave: bool = False

    @property
    def key(self) -> tuple[int, int, date]:
        assert self.occ.shift.id is not None
        return (self.person_id, self.occ.shift.id, self.occ.work_date)


async def _approved(
    session: AsyncSession, kind: RequestKind, first: date, last: date, person_ids: set[int] | None
) -> list[AttendanceRequest]:
    query = select(AttendanceRequest).where(
        AttendanceRequest.kind == kind,
        AttendanceRequest.status == RequestStatus.APPROVED,
        col(AttendanceRequest.start_date) <= last,
        col(AttendanceRequest.end_date) >= first,
    )
    if person_ids is not None:
        query = query.where(
            or_(
                col(AttendanceRequest.person_id).in_(person_ids),
                col(AttendanceRequest.colleague_id).in_(person_ids),
            )
        )
    result = await session.exec(query.order_by(AttendanceRequest.id))
    return list(result.all())


async def roster(
    session: AsyncSession, first: date, last: date, tz: ZoneInfo, *, person_id: int | None = None
) -> list[Duty]:
    """Who is expected on which shift each day from ``first`` to ``last``: assignments made before the
    shift started, on the days the calendar runs those shifts (public holidays only for shifts that run
    then), swaps applied, leave marked. ``person_id`` limits it to one person."""
    wanted = {person_id} if person_id is not None else None
    swaps = await _approved(session, RequestKind.SWAP, first, last, wanted)
    people = None
    if wanted is not None:
        people = set(wanted)
        for swap in swaps:
            people.update(p for p in (swap.person_id, swap.colleague_id) if p is not None)
    shifts = {s.id: ShiftSpec.of(s) for s in await list_shifts(session)}
    query = select(ShiftAssignment).where(
        col(ShiftAssignment.start_date) <= last,
        or_(col(ShiftAssignment.end_date).is_(None), col(ShiftAssignment.end_date) >= first),
        col(ShiftAssignment.shift_id).in_(list(shifts)),
        col(ShiftAssignment.person_id).in_(
            select(Person.id).where(col(Person.role).in_([Role.STAFF, Role.ADMIN]))
        ),
    )
    if people is not None:
        query = query.where(col(ShiftAssignment.person_id).in_(people))
    assignments = list((await session.exec(query)).all())
    plans = await day_plans(session, first, last)
    leave: dict[int, list[AttendanceRequest]] = defaultdict(list)
    for request in await _approved(session, RequestKind.LEAVE, first, last, wanted):
        leave[request.person_id].append(request)
    swaps_on: dict[date, list[AttendanceRequest]] = defaultdict(list)
    for swap in swaps:
        swaps_on[swap.start_date].append(swap)

    duties: list[Duty] = []
    for day, plan in plans.items():
        runs: dict[int, Occurrence] = {}
        for shift_id, spec in shifts.items():
            weekday = plan.weekday_for(spec.on_holidays)
            if shift_id is not None and weekday is not None and str(weekday) in spec.weekdays:
                runs[shift_id] = occurrence(spec, day, tz)
        todays: list[tuple[Occurrence, int]] = []
        for assignment in assignments:
            occ = runs.get(assignment.shift_id)
            if (
                occ is not None
                and assignment.start_date <= day
                and (assignment.end_date is None or day <= assignment.end_date)
                and assignment.created_at <= occ.starts_at
            ):
                todays.append((occ, assignment.person_id))
        for swap in swaps_on.get(day, []):
            a, b = swap.person_id, swap.colleague_id
            todays = [(occ, b if p == a else a if p == b else p) for occ, p in todays]  # type: ignore[misc]
        for occ, person in dict.fromkeys(todays):
            if wanted is not None and person not in wanted:
                continue
            on_leave = any(r.start_date <= day <= r.end_date for r in leave.get(person, []))
            duties.append(Duty(occ, person, on_leave))
    duties.sort(key=lambda d: (d.occ.starts_at, d.occ.shift.name, d.person_id))
    return duties


async def next_duties(
    session: AsyncSession, person_id: int, now: datetime, tz: ZoneInfo, days: int = LOOKAHEAD_DAYS
) -> list[Duty]:
    """A person's shifts that have not ended yet, over the next ``days`` days."""
    today = local_date(now, tz)
    duties = await roster(
        session, today - timedelta(days=1), today + timedelta(days=days), tz, person_id=person_id
    )
    return [d for d in duties if d.occ.ends_at > now]


def record_values(duty: Duty, **values: Any) -> dict[str, Any]:
    """The columns of a new record of ``duty`` (``values`` added or replaced)."""
    occ = duty.occ
    return {
        "person_id": duty.person_id,
        "shift_id": occ.shift.id,
        "work_date": occ.work_date,
        "opens_at": occ.opens_at,
        "starts_at": occ.starts_at,
        "late_after": occ.late_after,
        "closes_at": occ.closes_at,
        "ends_at": occ.ends_at,
        "status": RecordStatus.LEAVE if duty.on_leave else RecordStatus.EXPECTED,
        "reminded_at": None,
        "start_reminded_at": None,
        **values,
    }


async def records_between(
    session: AsyncSession, first: date, last: date, *, person_id: int | None = None
) -> list[AttendanceRecord]:
    """The records of the days from ``first`` to ``last`` (of one person with ``person_id``)."""
    query = select(AttendanceRecord).where(
        col(AttendanceRecord.work_date) >= first, col(AttendanceRecord.work_date) <= last
    )
    if person_id is not None:
        query = query.where(AttendanceRecord.person_id == person_id)
    return list((await session.exec(query)).all())


async def record_for(session: AsyncSession, duty: Duty, now: datetime) -> AttendanceRecord:
    """The record of a duty, made now if the scheduler has not made it yet."""
    key = duty.key
    await insert_ignore(session, AttendanceRecord, [record_values(duty, created_at=now)])
    result = await session.exec(
        select(AttendanceRecord).where(
            AttendanceRecord.person_id == key[0],
            AttendanceRecord.shift_id == key[1],
            AttendanceRecord.work_date == key[2],
        )
    )
    return result.one()


def record_occurrence(record: AttendanceRecord, spec: ShiftSpec) -> Occurrence:
    """The occurrence a record was made for, with the moments it recorded (not today's definition)."""
    return Occurrence(
        spec,
        record.work_date,
        record.opens_at,
        record.starts_at,
        record.late_after,
        record.closes_at,
        record.ends_at,
    )


async def shift_specs(session: AsyncSession, ids: Iterable[int]) -> dict[int, ShiftSpec]:
    """The definitions of the given shifts (active or not), by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    result = await session.exec(select(Shift).where(col(Shift.id).in_(wanted)))
    return {s.id: ShiftSpec.of(s) for s in result.all() if s.id is not None}
