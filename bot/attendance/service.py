"""Attendance: shifts and rosters, check-in and out, the scheduler's due work, requests. No Telegram.

Every function that depends on the time takes ``now`` (an aware datetime) and the local zone ``tz``, so
tests control both. Reports live in ``reports.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.calendar import DayPlan, Override, plan_day
from bot.attendance.models import (
    AttendanceConfig,
    AttendanceRecord,
    AttendanceRequest,
    AttendanceRequestCard,
    CalendarDay,
    DayKind,
    Punch,
    RecordStatus,
    RequestKind,
    RequestStatus,
    Shift,
    ShiftAssignment,
)
from bot.attendance.schedule import (
    CHECKOUT_CLOSE_AFTER,
    CHECKOUT_REMINDER_AFTER,
    Occurrence,
    ShiftDraft,
    ShiftSpec,
    early_minutes,
    late_minutes,
    local_date,
    local_moment,
    occurrence,
)
from bot.people.models import Person, Role

CONFIG_ID = 1
MAX_CATCH_UP = timedelta(days=7)
"""After downtime the scheduler records absences for at most this far back."""
ABSENCE_NOTICE_MAX_AGE = timedelta(hours=12)
"""Absences found later than this after the window closed are recorded without telling the person."""
LOOKAHEAD_DAYS = 8
MAX_LEAVE_DAYS = 31
MAX_BACKDATE_DAYS = 31
REASON_MAX_LENGTH = 200
RECENT_CHECKOUT = timedelta(hours=12)
EARTH_RADIUS_M = 6_371_000.0


# --- small helpers ---------------------------------------------------------------------------------


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


async def _insert_ignore(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows, skipping those that break a unique constraint; the ids of the rows inserted."""
    if not rows:
        return []
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(rows).on_conflict_do_nothing().returning(model.id)
    result = await session.exec(statement)  # type: ignore[call-overload]
    return [row[0] for row in result.all()]


def _clean_reason(reason: str | None) -> str:
    return " ".join((reason or "").split())[:REASON_MAX_LENGTH]


# --- configuration ---------------------------------------------------------------------------------


async def get_config(session: AsyncSession) -> AttendanceConfig:
    """The workplace's attendance settings (created with defaults the first time)."""
    config = await session.get(AttendanceConfig, CONFIG_ID)
    if config is None:
        await _insert_ignore(session, AttendanceConfig, [{"id": CONFIG_ID}])
        await session.commit()
        config = await session.get(AttendanceConfig, CONFIG_ID)
    assert config is not None
    return config


async def set_workplace(session: AsyncSession, latitude: float, longitude: float) -> AttendanceConfig:
    """Remember where the workplace is and require a location at check-in."""
    config = await get_config(session)
    config.latitude, config.longitude, config.require_location = latitude, longitude, True
    session.add(config)
    await session.commit()
    return config


async def set_radius(session: AsyncSession, radius_m: int) -> AttendanceConfig:
    """How far from the workplace a check-in may be."""
    config = await get_config(session)
    config.radius_m = radius_m
    session.add(config)
    await session.commit()
    return config


async def set_require_location(session: AsyncSession, required: bool) -> AttendanceConfig:
    """Turn the location check on (only once the workplace is known) or off."""
    config = await get_config(session)
    config.require_location = required and config.latitude is not None
    session.add(config)
    await session.commit()
    return config


# --- shifts ------------------------------------------------------------------------------------


async def get_shift(session: AsyncSession, name: str) -> Shift | None:
    """The shift called ``name`` (active or not)."""
    result = await session.exec(select(Shift).where(Shift.name == name.strip()))
    return result.first()


async def save_shift(session: AsyncSession, draft: ShiftDraft) -> tuple[Shift, bool]:
    """Create the shift, or update (and reactivate) the one with the same name; ``(shift, created)``."""
    shift = await get_shift(session, draft.name)
    created = shift is None or not shift.active
    shift = shift or Shift(name=draft.name, start_minute=0, end_minute=1)
    for name in (
        "start_minute",
        "end_minute",
        "weekdays",
        "window_minutes",
        "grace_minutes",
        "close_minutes",
    ):
        setattr(shift, name, getattr(draft, name))
    shift.active = True
    session.add(shift)
    await session.commit()
    return shift, created


async def list_shifts(session: AsyncSession, *, active_only: bool = True) -> list[Shift]:
    """Shifts by start time."""
    query = select(Shift)
    if active_only:
        query = query.where(Shift.active)
    result = await session.exec(query.order_by(Shift.start_minute, Shift.name))
    return list(result.all())


async def deactivate_shift(session: AsyncSession, shift_id: int) -> Shift | None:
    """Stop a shift (its records stay for the reports)."""
    shift = await session.get(Shift, shift_id)
    if shift is None:
        return None
    shift.active = False
    session.add(shift)
    await session.commit()
    return shift


class AssignOutcome(StrEnum):
    """What an assignment did."""

    ADDED = "added"
    ALREADY = "already"


async def assign(
    session: AsyncSession, shift: Shift, person: Person, start: date, end: date | None = None
) -> AssignOutcome:
    """Put ``person`` on ``shift`` from ``start`` to ``end`` (open-ended when None); overlapping
    assignments are merged."""
    assert shift.id is not None and person.id is not None
    result = await session.exec(
        select(ShiftAssignment).where(
            ShiftAssignment.shift_id == shift.id, ShiftAssignment.person_id == person.id
        )
    )
    for existing in result.all():
        existing_end = existing.end_date or date.max
        wanted_end = end or date.max
        touches = existing.start_date <= wanted_end + timedelta(days=1) and start <= existing_end + timedelta(
            days=1
        )
        if not touches:
            continue
        if existing.start_date <= start and wanted_end <= existing_end:
            return AssignOutcome.ALREADY
        existing.start_date = min(existing.start_date, start)
        existing.end_date = None if end is None or existing.end_date is None else max(existing_end, end)
        session.add(existing)
        await session.commit()
        return AssignOutcome.ADDED
    session.add(ShiftAssignment(shift_id=shift.id, person_id=person.id, start_date=start, end_date=end))
    await session.commit()
    return AssignOutcome.ADDED


async def unassign(session: AsyncSession, shift: Shift, person: Person, from_day: date) -> bool:
    """Take ``person`` off ``shift`` from ``from_day`` on; False if they were not on it then."""
    result = await session.exec(
        select(ShiftAssignment).where(
            ShiftAssignment.shift_id == shift.id,
            ShiftAssignment.person_id == person.id,
            or_(col(ShiftAssignment.end_date).is_(None), col(ShiftAssignment.end_date) >= from_day),
        )
    )
    changed = False
    for assignment in result.all():
        if assignment.start_date >= from_day:
            await session.delete(assignment)
        else:
            assignment.end_date = from_day - timedelta(days=1)
            session.add(assignment)
        changed = True
    await session.commit()
    return changed


async def assignees(session: AsyncSession, shift_id: int, day: date) -> list[Person]:
    """People on a shift on ``day`` by their assignments (swaps aside)."""
    result = await session.exec(
        select(Person)
        .join(ShiftAssignment, col(ShiftAssignment.person_id) == Person.id)
        .where(
            ShiftAssignment.shift_id == shift_id,
            col(ShiftAssignment.start_date) <= day,
            or_(col(ShiftAssignment.end_date).is_(None), col(ShiftAssignment.end_date) >= day),
        )
        .order_by(Person.first_name, Person.id)
    )
    return list({person.id: person for person in result.all()}.values())


async def shift_staff(session: AsyncSession, shift_ids: Iterable[int], today: date) -> list[Person]:
    """Staff on any of the given active shifts from ``today`` on: assignments that have not ended (current
    ones and those starting later), each person once, by id."""
    ids = list(dict.fromkeys(shift_ids))
    if not ids:
        return []
    result = await session.exec(
        select(Person)
        .join(ShiftAssignment, col(ShiftAssignment.person_id) == Person.id)
        .join(Shift, col(Shift.id) == ShiftAssignment.shift_id)
        .where(
            col(ShiftAssignment.shift_id).in_(ids),
            Shift.active,
            col(Person.role).in_([Role.STAFF, Role.ADMIN]),
            or_(col(ShiftAssignment.end_date).is_(None), col(ShiftAssignment.end_date) >= today),
        )
        .order_by(col(Person.id))
    )
    return list({person.id: person for person in result.all()}.values())


async def person_assignments(
    session: AsyncSession, person_id: int, today: date
) -> list[tuple[Shift, ShiftAssignment]]:
    """A person's current and future assignments to active shifts."""
    result = await session.exec(
        select(Shift, ShiftAssignment)
        .join(ShiftAssignment, col(ShiftAssignment.shift_id) == Shift.id)
        .where(
            ShiftAssignment.person_id == person_id,
            Shift.active,
            or_(col(ShiftAssignment.end_date).is_(None), col(ShiftAssignment.end_date) >= today),
        )
        .order_by(Shift.start_minute, ShiftAssignment.start_date)
    )
    return [(shift, assignment) for shift, assignment in result.all()]


async def staff(session: AsyncSession) -> list[Person]:
    """Everyone who works here (staff and admins), by name."""
    result = await session.exec(
        select(Person)
        .where(col(Person.role).in_([Role.STAFF, Role.ADMIN]))
        .order_by(Person.first_name, Person.id)
    )
    return list(result.all())


async def admins(session: AsyncSession) -> list[Person]:
    """The admins, who receive summaries and decide requests."""
    result = await session.exec(select(Person).where(Person.role == Role.ADMIN).order_by(Person.id))
    return list(result.all())


# --- calendar ----------------------------------------------------------------------------------


async def overrides(session: AsyncSession, first: date, last: date) -> dict[date, Override]:
    """Admin overrides between two dates."""
    result = await session.exec(
        select(CalendarDay).where(col(CalendarDay.day) >= first, col(CalendarDay.day) <= last)
    )
    return {row.day: Override(row.kind, row.works_as, row.note) for row in result.all()}


async def day_plans(session: AsyncSession, first: date, last: date) -> dict[date, DayPlan]:
    """The plan of every day between two dates."""
    known = await overrides(session, first, last)
    return {day: plan_day(day, known) for day in days_between(first, last)}


async def set_day(
    session: AsyncSession,
    day: date,
    kind: DayKind,
    *,
    works_as: int | None = None,
    note: str | None = None,
    by: Person | None = None,
) -> CalendarDay:
    """Make ``day`` a day off or a workday (running the shifts of weekday ``works_as``)."""
    result = await session.exec(select(CalendarDay).where(CalendarDay.day == day))
    row = result.first() or CalendarDay(day=day, kind=kind)
    row.kind = kind
    row.works_as = works_as if kind == DayKind.WORK else None
    row.note = _clean_reason(note)[:100] or None
    row.created_by_id = by.id if by else None
    session.add(row)
    await session.commit()
    return row


async def clear_day(session: AsyncSession, day: date) -> bool:
    """Remove an admin override; False if there was none."""
    result = await session.exec(delete(CalendarDay).where(col(CalendarDay.day) == day))
    await session.commit()
    return bool(result.rowcount)


# --- rosters -----------------------------------------------------------------------------------


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
    """Who is expected on which shift each day from ``first`` to ``last``: assignments on the days the
    calendar runs those shifts, swaps applied, leave marked. ``person_id`` limits it to one person."""
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
        if plan.weekday is None:
            continue
        todays: list[tuple[ShiftSpec, int]] = []
        for assignment in assignments:
            spec = shifts[assignment.shift_id]
            if (
                str(plan.weekday) in spec.weekdays
                and assignment.start_date <= day
                and (assignment.end_date is None or day <= assignment.end_date)
            ):
                todays.append((spec, assignment.person_id))
        for swap in swaps_on.get(day, []):
            a, b = swap.person_id, swap.colleague_id
            todays = [(spec, b if p == a else a if p == b else p) for spec, p in todays]  # type: ignore[misc]
        for spec, person in dict.fromkeys(todays):
            if wanted is not None and person not in wanted:
                continue
            on_leave = any(r.start_date <= day <= r.end_date for r in leave.get(person, []))
            duties.append(Duty(occurrence(spec, day, tz), person, on_leave))
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


def _record_values(duty: Duty, **values: Any) -> dict[str, Any]:
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
    query = select(AttendanceRecord).where(
        col(AttendanceRecord.work_date) >= first, col(AttendanceRecord.work_date) <= last
    )
    if person_id is not None:
        query = query.where(AttendanceRecord.person_id == person_id)
    return list((await session.exec(query)).all())


async def _record_for(session: AsyncSession, duty: Duty, now: datetime) -> AttendanceRecord:
    """The record of a duty, made now if the scheduler has not made it yet."""
    key = duty.key
    await _insert_ignore(session, AttendanceRecord, [_record_values(duty, created_at=now)])
    result = await session.exec(
        select(AttendanceRecord).where(
            AttendanceRecord.person_id == key[0],
            AttendanceRecord.shift_id == key[1],
            AttendanceRecord.work_date == key[2],
        )
    )
    return result.one()


# --- check-in and check-out ----------------------------------------------------------------------


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


def record_occurrence(record: AttendanceRecord, spec: ShiftSpec) -> Occurrence:
    return Occurrence(
        spec,
        record.work_date,
        record.opens_at,
        record.starts_at,
        record.late_after,
        record.closes_at,
        record.ends_at,
    )


async def _shift_specs(session: AsyncSession, ids: Iterable[int]) -> dict[int, ShiftSpec]:
    wanted = set(ids)
    if not wanted:
        return {}
    result = await session.exec(select(Shift).where(col(Shift.id).in_(wanted)))
    return {s.id: ShiftSpec.of(s) for s in result.all() if s.id is not None}


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
    record = await _record_for(session, duty, request.now)
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


class CheckOutOutcome(StrEnum):
    """What happened to a check-out."""

    DONE = "done"
    EARLY = "early"  # before the end of the shift: needs a confirmation
    ALREADY = "already"
    CLOSED = "closed"  # closed without a check-out by the scheduler: a correction is needed
    NOT_CHECKED_IN = "not_checked_in"


@dataclass(slots=True)
class CheckOut:
    """The answer to a check-out."""

    outcome: CheckOutOutcome
    shift_name: str = ""
    record: AttendanceRecord | None = None
    early_minutes: int = 0


async def check_out(
    session: AsyncSession, person_id: int, now: datetime, tz: ZoneInfo, *, early_ok: bool = False
) -> CheckOut:
    """Check a person out of the shift they are checked in to; before its end only with ``early_ok``."""
    today = local_date(now, tz)
    records = [
        r
        for r in await records_between(session, today - timedelta(days=2), today, person_id=person_id)
        if r.checkin_at is not None and r.checkin_at <= now
    ]
    open_records = [
        r
        for r in records
        if r.checkout_at is None and r.closed_at is None and now <= r.ends_at + CHECKOUT_CLOSE_AFTER
    ]
    if not open_records:
        recent = [r for r in records if now - (r.checkout_at or r.closed_at or now) < RECENT_CHECKOUT]
        if recent:
            record = max(recent, key=lambda r: r.starts_at)
            name = (await _shift_specs(session, [record.shift_id]))[record.shift_id].name
            outcome = CheckOutOutcome.ALREADY if record.checkout_at else CheckOutOutcome.CLOSED
            return CheckOut(outcome, name, record, record.early_minutes)
        return CheckOut(CheckOutOutcome.NOT_CHECKED_IN)
    record = max(open_records, key=lambda r: r.starts_at)
    name = (await _shift_specs(session, [record.shift_id]))[record.shift_id].name
    early = early_minutes(record.ends_at, now)
    if early and not early_ok:
        return CheckOut(CheckOutOutcome.EARLY, name, record, early)
    result = await session.exec(
        update(AttendanceRecord)
        .where(col(AttendanceRecord.id) == record.id, col(AttendanceRecord.checkout_at).is_(None))
        .values(checkout_at=now, early_minutes=early)
    )
    await session.commit()
    await session.refresh(record)
    if not result.rowcount:
        return CheckOut(CheckOutOutcome.ALREADY, name, record, record.early_minutes)
    return CheckOut(CheckOutOutcome.DONE, name, record, early)


# --- the scheduler's work ----------------------------------------------------------------------


class NoticeKind(StrEnum):
    """Something the scheduler tells one person."""

    WINDOW_OPEN = "window_open"  # first reminder: check-in is open
    SHIFT_START = "shift_start"  # second reminder: the shift started and they have not checked in
    ABSENT = "absent"
    CHECKOUT_REMINDER = "checkout_reminder"
    CHECKOUT_CLOSED = "checkout_closed"


@dataclass(frozen=True, slots=True)
class Notice:
    """A message the scheduler has decided to send (and recorded as sent)."""

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


async def tick(session: AsyncSession, now: datetime, tz: ZoneInfo) -> Tick:
    """Do whatever is due at ``now`` since the last run, and record it, so that it is never done twice.

    * windows open now: make the records, remind whoever has not checked in — once when the window opens,
      once more at the start (a reminder whose moment has passed is not sent: after the start only the
      second one goes out, after the window closed none);
    * windows that closed since the last run (also while the bot was down, up to a week back): record
      absences;
    * shifts that ended: remind whoever has not checked out, then close their record and flag it.

    The caller sends the returned notices after this returns (the records already say they were sent).
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
        created = set(await _insert_ignore(session, AttendanceRecord, [_new_record(d, now) for d in missing]))
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
    await session.commit()
    return done


def _due(occ: Occurrence, now: datetime) -> NoticeKind:
    """What a record that has no check-in calls for at ``now``: the first or second reminder, or absence."""
    if now >= occ.closes_at:
        return NoticeKind.ABSENT
    return NoticeKind.WINDOW_OPEN if now < occ.starts_at else NoticeKind.SHIFT_START


def _new_record(duty: Duty, now: datetime) -> dict[str, Any]:
    """A record made by the scheduler, with the reminder it is about to send (or the absence) in it."""
    if duty.on_leave:
        return _record_values(duty, created_at=now)
    values: dict[str, Any] = {
        NoticeKind.ABSENT: {"status": RecordStatus.ABSENT},
        NoticeKind.WINDOW_OPEN: {"reminded_at": now},
        NoticeKind.SHIFT_START: {"start_reminded_at": now},
    }[_due(duty.occ, now)]
    return _record_values(duty, created_at=now, **values)


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


async def claim_summary(session: AsyncSession, now: datetime, tz: ZoneInfo, at_minute: int) -> bool:
    """Whether the daily summary is due now and not yet sent today; claims it when so."""
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
    await session.commit()
    return bool(result.rowcount)


# --- requests: leave, swaps, corrections -------------------------------------------------------


class RequestError(StrEnum):
    """Why a request was refused."""

    BAD_RANGE = "bad_range"  # end before start
    TOO_LONG = "too_long"
    TOO_OLD = "too_old"
    OVERLAP = "overlap"  # leave already asked for on those days
    SELF = "self"
    NOT_STAFF = "not_staff"
    NO_SHIFT = "no_shift"  # no shift that day to swap or correct
    PAST = "past"  # a swap for a shift that already started
    FUTURE = "future"  # a correction for a time still to come
    DUPLICATE = "duplicate"


async def request_leave(
    session: AsyncSession,
    person: Person,
    start: date,
    end: date,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask for leave from ``start`` to ``end`` (inclusive)."""
    today = local_date(now, tz)
    if end < start:
        return RequestError.BAD_RANGE
    if (end - start).days + 1 > MAX_LEAVE_DAYS:
        return RequestError.TOO_LONG
    if start < today - timedelta(days=MAX_BACKDATE_DAYS):
        return RequestError.TOO_OLD
    result = await session.exec(
        select(AttendanceRequest).where(
            AttendanceRequest.person_id == person.id,
            AttendanceRequest.kind == RequestKind.LEAVE,
            col(AttendanceRequest.status).in_([RequestStatus.PENDING, RequestStatus.APPROVED]),
            col(AttendanceRequest.start_date) <= end,
            col(AttendanceRequest.end_date) >= start,
        )
    )
    if result.first() is not None:
        return RequestError.OVERLAP
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.LEAVE,
            person_id=person.id,
            start_date=start,
            end_date=end,
            reason=_clean_reason(reason),
            created_at=now,
        ),
    )


async def _save_request(session: AsyncSession, request: AttendanceRequest) -> AttendanceRequest:
    session.add(request)
    await session.commit()
    return request


async def request_swap(
    session: AsyncSession,
    person: Person,
    colleague: Person,
    day: date,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask ``colleague`` to swap shifts on ``day``: they work the requester's shift, the requester works
    theirs (if they have one). The colleague must accept, then an admin decides."""
    if colleague.id == person.id:
        return RequestError.SELF
    if not colleague.is_staff:
        return RequestError.NOT_STAFF
    assert person.id is not None
    duties = [d for d in await roster(session, day, day, tz, person_id=person.id) if not d.on_leave]
    if not duties:
        return RequestError.NO_SHIFT
    if min(d.occ.starts_at for d in duties) <= now:
        return RequestError.PAST
    result = await session.exec(
        select(AttendanceRequest).where(
            AttendanceRequest.kind == RequestKind.SWAP,
            AttendanceRequest.person_id == person.id,
            AttendanceRequest.start_date == day,
            col(AttendanceRequest.status).in_(
                [RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING, RequestStatus.APPROVED]
            ),
        )
    )
    if result.first() is not None:
        return RequestError.DUPLICATE
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.SWAP,
            person_id=person.id,
            colleague_id=colleague.id,
            status=RequestStatus.AWAITING_COLLEAGUE,
            start_date=day,
            end_date=day,
            shift_id=duties[0].occ.shift.id,
            reason=_clean_reason(reason),
            created_at=now,
        ),
    )


class AnswerOutcome(StrEnum):
    """What a colleague's or an admin's answer did."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    ALREADY = "already"  # decided before
    NOT_READY = "not_ready"  # a swap the colleague has not accepted yet


async def answer_swap(
    session: AsyncSession, request_id: int, colleague: Person, accept: bool, now: datetime
) -> tuple[AnswerOutcome, AttendanceRequest | None]:
    """The colleague accepts (the request goes to the admins) or declines (it ends)."""
    request = await session.get(AttendanceRequest, request_id)
    if request is None or request.kind != RequestKind.SWAP:
        return AnswerOutcome.NOT_FOUND, None
    if request.colleague_id != colleague.id:
        return AnswerOutcome.NOT_YOURS, request
    if request.status != RequestStatus.AWAITING_COLLEAGUE:
        return AnswerOutcome.ALREADY, request
    request.status = RequestStatus.PENDING if accept else RequestStatus.DECLINED
    request.colleague_answered_at = now
    session.add(request)
    await session.commit()
    return AnswerOutcome.DONE, request


async def request_correction(
    session: AsyncSession,
    person: Person,
    day: date,
    punch: Punch,
    minute: int,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask for a missed check-in or check-out (补卡) at local time ``minute`` on the shift of ``day``."""
    assert person.id is not None
    today = local_date(now, tz)
    if day < today - timedelta(days=MAX_BACKDATE_DAYS):
        return RequestError.TOO_OLD
    duties = [d for d in await roster(session, day, day, tz, person_id=person.id) if not d.on_leave]
    records = await records_between(session, day, day, person_id=person.id)
    specs = await _shift_specs(session, [r.shift_id for r in records])
    occs = {d.occ.shift.id: d.occ for d in duties}
    for record in records:
        occs.setdefault(record.shift_id, record_occurrence(record, specs[record.shift_id]))
    if not occs:
        return RequestError.NO_SHIFT
    candidates = [local_moment(day, minute + 1440 * extra, tz) for extra in (0, 1)]

    def fit(occ: Occurrence) -> tuple[float, datetime]:
        anchor = occ.starts_at if punch == Punch.IN else occ.ends_at
        moment = min(candidates, key=lambda m: abs((m - anchor).total_seconds()))
        return abs((moment - anchor).total_seconds()), moment

    occ = min(occs.values(), key=lambda o: fit(o)[0])
    punch_at = fit(occ)[1]
    if punch_at > now:
        return RequestError.FUTURE
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.CORRECTION,
            person_id=person.id,
            start_date=day,
            end_date=day,
            shift_id=occ.shift.id,
            punch=punch,
            punch_at=punch_at,
            reason=_clean_reason(reason),
            created_at=now,
        ),
    )


async def get_request(session: AsyncSession, request_id: int) -> AttendanceRequest | None:
    return await session.get(AttendanceRequest, request_id)


async def pending_requests(session: AsyncSession) -> list[AttendanceRequest]:
    """Requests waiting for an admin, oldest first."""
    result = await session.exec(
        select(AttendanceRequest)
        .where(AttendanceRequest.status == RequestStatus.PENDING)
        .order_by(AttendanceRequest.id)
    )
    return list(result.all())


async def decide(
    session: AsyncSession,
    request_id: int,
    admin: Person,
    approve: bool,
    now: datetime,
    tz: ZoneInfo,
) -> tuple[AnswerOutcome, AttendanceRequest | None]:
    """An admin approves or rejects a request; approval takes effect at once (leave turns the records of
    those days into leave, a swap moves the day's shifts, a correction writes the punch)."""
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
    await session.commit()
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
    record = await _record_for(session, duty, now)
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


async def cancel_request(session: AsyncSession, request_id: int, person: Person) -> AnswerOutcome:
    """The requester withdraws a request that was not decided yet."""
    result = await session.exec(
        update(AttendanceRequest)
        .where(
            col(AttendanceRequest.id) == request_id,
            col(AttendanceRequest.person_id) == person.id,
            col(AttendanceRequest.status).in_([RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING]),
        )
        .values(status=RequestStatus.CANCELLED)
    )
    await session.commit()
    return AnswerOutcome.DONE if result.rowcount else AnswerOutcome.ALREADY


async def my_requests(session: AsyncSession, person_id: int, limit: int = 10) -> list[AttendanceRequest]:
    """A person's latest requests, newest first."""
    result = await session.exec(
        select(AttendanceRequest)
        .where(
            or_(
                AttendanceRequest.person_id == person_id,
                and_(
                    col(AttendanceRequest.colleague_id) == person_id,
                    col(AttendanceRequest.status) == RequestStatus.AWAITING_COLLEAGUE,
                ),
            )
        )
        .order_by(col(AttendanceRequest.id).desc())
        .limit(limit)
    )
    return list(result.all())


# --- the request cards: admins' decision cards and the colleague's swap question -----------------


async def add_request_cards(
    session: AsyncSession, request_id: int, messages: Iterable[tuple[int, int]]
) -> None:
    """Remember the messages ``(chat id, message id)`` that show a request with its buttons: the admins'
    cards, and the question to the colleague of a swap until they answer it."""
    for chat_id, message_id in messages:
        session.add(AttendanceRequestCard(request_id=request_id, chat_id=chat_id, message_id=message_id))
    await session.commit()


async def take_request_cards(
    session: AsyncSession, request_id: int
) -> list[tuple[AttendanceRequestCard, Person | None]]:
    """The remembered cards of a request with the person each was sent to; they are forgotten as they are
    handed out, so each card is updated once."""
    result = await session.exec(
        select(AttendanceRequestCard, Person)
        .join(Person, col(Person.telegram_id) == col(AttendanceRequestCard.chat_id), isouter=True)
        .where(col(AttendanceRequestCard.request_id) == request_id)
        .order_by(col(AttendanceRequestCard.id))
    )
    cards = list(result.all())
    if cards:
        await session.exec(
            delete(AttendanceRequestCard).where(col(AttendanceRequestCard.id).in_([c.id for c, _ in cards]))
        )
        await session.commit()
    return [(card, person) for card, person in cards]


async def forget_request_card(session: AsyncSession, chat_id: int, message_id: int) -> None:
    """Forget one remembered message (its buttons were answered and it was updated already)."""
    await session.exec(
        delete(AttendanceRequestCard).where(
            col(AttendanceRequestCard.chat_id) == chat_id, col(AttendanceRequestCard.message_id) == message_id
        )
    )
    await session.commit()
