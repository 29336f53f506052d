"""Shifts and who works them: definitions, assignments over date ranges, the staff and the admins."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import Shift, ShiftAssignment
from bot.attendance.schedule import ShiftDraft
from bot.clock import utcnow
from bot.people.models import Person, Role


async def get_shift(session: AsyncSession, name: str) -> Shift | None:
    """The shift called ``name`` (active or not)."""
    result = await session.exec(select(Shift).where(Shift.name == name.strip()))
    return result.first()


async def save_shift(session: AsyncSession, draft: ShiftDraft) -> tuple[Shift, bool]:
    """Create the shift, or update (and reactivate) the one with the same name; ``(shift, created)``.

    A draft that does not say whether the shift runs on public holidays leaves that as it was (no, for a new
    shift)."""
    shift = await get_shift(session, draft.name)
    created = shift is None or not shift.active
    values = {k: v for k, v in dataclasses.asdict(draft).items() if v is not None}
    if shift is None:
        shift = Shift.model_validate(values, update={"active": True})
    else:
        shift.sqlmodel_update(values, update={"active": True})
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


async def set_on_holidays(session: AsyncSession, shift_id: int, on_holidays: bool) -> Shift | None:
    """Make a shift run on public holidays, or not; None if there is no such active shift."""
    shift = await session.get(Shift, shift_id)
    if shift is None or not shift.active:
        return None
    shift.on_holidays = on_holidays
    session.add(shift)
    await session.commit()
    return shift


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
    session: AsyncSession,
    shift: Shift,
    person: Person,
    start: date,
    end: date | None = None,
    *,
    now: datetime | None = None,
) -> AssignOutcome:
    """Put ``person`` on ``shift`` from ``start`` to ``end`` (open-ended when None).

    Days already covered stay as they are; the days added become assignments of their own, made ``now``,
    because an assignment counts only for the shifts that start after it was made (stretching an old one
    over today would make someone expected for a shift that began before anyone put them on it).
    """
    assert shift.id is not None and person.id is not None
    result = await session.exec(
        select(ShiftAssignment).where(
            ShiftAssignment.shift_id == shift.id, ShiftAssignment.person_id == person.id
        )
    )
    covered = [(a.start_date, a.end_date or date.max) for a in result.all()]
    added = _uncovered(start, end or date.max, covered)
    if not added:
        return AssignOutcome.ALREADY
    made = now or utcnow()
    for first, last in added:
        session.add(
            ShiftAssignment(
                shift_id=shift.id,
                person_id=person.id,
                start_date=first,
                end_date=None if last == date.max else last,
                created_at=made,
            )
        )
    await session.commit()
    return AssignOutcome.ADDED


def _uncovered(first: date, last: date, covered: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """The runs of days from ``first`` to ``last`` (inclusive) outside every ``covered`` range."""
    runs: list[tuple[date, date]] = []
    cursor = first
    for begin, finish in sorted(covered):
        if finish < cursor:
            continue
        if begin > last:
            break
        if begin > cursor:
            runs.append((cursor, begin - timedelta(days=1)))
        if finish >= last:
            return runs
        cursor = finish + timedelta(days=1)
    runs.append((cursor, last))
    return runs


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
