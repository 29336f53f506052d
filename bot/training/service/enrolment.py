"""Who learns which plan: enrolment (new staff in the default plan, or anyone by an admin), pause, resume,
another plan, removal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.knowledge.notes import Plan
from bot.people.models import Person, Role
from bot.training.models import Enrolment, EnrolmentState, PollState, QuizPoll


class EnrolOutcome(StrEnum):
    """How an enrolment went."""

    ENROLLED = "enrolled"
    ALREADY = "already"
    NOT_STAFF = "not_staff"


async def get_enrolment(session: AsyncSession, enrolment_id: int) -> Enrolment | None:
    return await session.get(Enrolment, enrolment_id, populate_existing=True)


async def enrolment_of(session: AsyncSession, person_id: int) -> Enrolment | None:
    result = await session.exec(select(Enrolment).where(Enrolment.person_id == person_id))
    return result.first()


async def enrol(
    session: AsyncSession,
    person: Person,
    plan: Plan,
    *,
    by: Person | None = None,
    now: datetime | None = None,
    commit: bool = True,
) -> EnrolOutcome:
    """Put a member of staff (or an admin) on ``plan``, from its first day. With ``commit=False`` the row is
    only flushed, for a caller committing it with its own change (someone becoming staff)."""
    if person.role not in (Role.STAFF, Role.ADMIN):
        return EnrolOutcome.NOT_STAFF
    assert person.id is not None
    if await enrolment_of(session, person.id) is not None:
        return EnrolOutcome.ALREADY
    session.add(
        Enrolment(
            person_id=person.id,
            plan_id=plan.id,
            enrolled_at=now or utcnow(),
            enrolled_by_id=by.id if by is not None else None,
        )
    )
    if commit:
        await session.commit()
    else:
        await session.flush()
    return EnrolOutcome.ENROLLED


async def enrol_person(
    session: AsyncSession, person_id: int, plan: Plan, *, by: Person, now: datetime | None = None
) -> tuple[EnrolOutcome, Enrolment | None]:
    """An admin enrols someone by their row id (from a button: the person may not exist, or not be staff);
    the outcome and their enrolment, new or not."""
    person = await session.get(Person, person_id)
    if person is None:
        return EnrolOutcome.NOT_STAFF, None
    outcome = await enrol(session, person, plan, by=by, now=now)
    return outcome, await enrolment_of(session, person_id)


async def set_paused(session: AsyncSession, enrolment: Enrolment, paused: bool) -> Enrolment:
    """Stop sending lessons, or start again where they stopped."""
    enrolment.state = EnrolmentState.PAUSED if paused else EnrolmentState.ACTIVE
    session.add(enrolment)
    await session.commit()
    return enrolment


async def change_plan(session: AsyncSession, enrolment: Enrolment, plan: Plan) -> bool:
    """Move someone to another plan, from its first day (False: it is already their plan)."""
    if enrolment.plan_id == plan.id:
        return False
    enrolment.plan_id = plan.id
    enrolment.next_day = 0
    enrolment.ready_at = None
    session.add(enrolment)
    await session.commit()
    return True


async def remove(session: AsyncSession, enrolment_id: int) -> list[tuple[int, int]] | None:
    """Take someone out of training, with their lessons, answers and reviews. Returns the ``(chat_id,
    message_id)`` of their polls still open, to close; None if they were already gone."""
    open_polls = await session.exec(
        select(QuizPoll.chat_id, QuizPoll.message_id).where(
            QuizPoll.enrolment_id == enrolment_id,
            QuizPoll.state == PollState.SENT,
            col(QuizPoll.answered_at).is_(None),
        )
    )
    to_close = [(chat_id, message_id) for chat_id, message_id in open_polls.all() if message_id is not None]
    result = await session.exec(delete(Enrolment).where(col(Enrolment.id) == enrolment_id))
    await session.commit()
    return to_close if result.rowcount else None


async def not_enrolled(session: AsyncSession) -> list[Person]:
    """Staff and admins not in training, by name."""
    enrolled = select(Enrolment.person_id)
    result = await session.exec(
        select(Person)
        .where(col(Person.role).in_([Role.STAFF, Role.ADMIN]), col(Person.id).not_in(enrolled))
        .order_by(Person.first_name, Person.id)
    )
    return list(result.all())
