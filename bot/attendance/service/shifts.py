"""Shifts and who works them: definitions, assignments over date ranges, the staff and the admins."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import Shift, ShiftAssignment
from bot.attendance.schedule import ShiftDraft
from bot.people.models import Person, Role


async def get_shift(session: AsyncSession, name: str) -> Shift | None:
    """The shift called ``name`` (active or not)."""
    result = await session.exec(select(Shift).where(Shift.name == name.strip()))
    return result.first()


async def save_shift(session: AsyncSession, draft: ShiftDraft) -> tuple[Shift, bool]:
    """Create the shift, or update (and reactivate) the one with the same name; ``(shift, created)``."""
    shift = await get_shift(session, draft.name)
    created = shift is None or not shift.active
    if shift is None:
        shift = Shift.model_validate(draft, update={"active": True})
    else:
        shift.sqlmodel_update(dataclasses.asdict(draft), update={"active": True})
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
