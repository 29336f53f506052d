"""Enrolment: new staff join the default plan in the transaction that makes them staff; admins enrol, pause,
move and remove."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.knowledge.notes import Plan
from bot.people import service as people
from bot.people.models import Person, Role
from bot.training import service
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, EnrolmentState, PollState, QuizPoll
from tests.unit.training.conftest import THURSDAY, at, person

NOW = at(THURSDAY, "09:00")


async def test_an_invite_redeemed_enrols_in_the_same_transaction(
    session: AsyncSession, catalog: Catalog
) -> None:
    boss = await person(session, 900, "老板", Role.ADMIN)
    seeker = await person(session, 20, "小梅", Role.SEEKER)
    heard: list[tuple[int, datetime]] = []

    async def enrol_new_staff(session: AsyncSession, someone: Person, now: datetime) -> None:
        assert someone.role == Role.STAFF  # already staff, not yet committed
        heard.append((someone.telegram_id, now))
        assert catalog.default is not None
        await service.enrol(session, someone, catalog.default, now=now, commit=False)

    invite = await people.create_invite(session, boss, ttl=timedelta(hours=1), now=NOW)
    outcome = await people.redeem_invite(
        session, invite.code, seeker, now=NOW, became_staff=[enrol_new_staff]
    )
    assert outcome == people.InviteOutcome.JOINED and heard == [(20, NOW)]
    session.expunge_all()
    enrolment = (await session.exec(select(Enrolment))).one()
    assert (enrolment.plan_id, enrolment.enrolled_at, enrolment.enrolled_by_id) == ("新员工", NOW, None)

    # Refused invites tell nobody.
    other = await person(session, 21, "阿明", Role.SEEKER)
    again = await people.redeem_invite(session, invite.code, other, became_staff=[enrol_new_staff])
    assert again == people.InviteOutcome.USED and len(heard) == 1


async def test_only_staff_and_once(session: AsyncSession, catalog: Catalog) -> None:
    plan = catalog.default
    assert plan is not None
    seeker = await person(session, 20, "求职者", Role.SEEKER)
    worker = await person(session, 21, "员工")
    boss = await person(session, 900, "老板", Role.ADMIN)
    assert await service.enrol(session, seeker, plan) == service.EnrolOutcome.NOT_STAFF
    assert await service.enrol(session, worker, plan, by=boss) == service.EnrolOutcome.ENROLLED
    assert await service.enrol(session, worker, plan, by=boss) == service.EnrolOutcome.ALREADY
    assert [p.first_name for p in await service.not_enrolled(session)] == ["老板"]
    outcome, enrolment = await service.enrol_person(session, boss.id or 0, plan, by=boss)
    assert (
        outcome == service.EnrolOutcome.ENROLLED
        and enrolment is not None
        and enrolment.enrolled_by_id == boss.id
    )
    assert await service.enrol_person(session, 424242, plan, by=boss) == (
        service.EnrolOutcome.NOT_STAFF,
        None,
    )


async def test_pause_move_and_remove(session: AsyncSession, catalog: Catalog) -> None:
    plan = catalog.default
    assert plan is not None
    worker = await person(session, 21, "员工")
    await service.enrol(session, worker, plan)
    enrolment = await service.enrolment_of(session, worker.id or 0)
    assert enrolment is not None and enrolment.id is not None
    await service.set_paused(session, enrolment, True)
    assert enrolment.state == EnrolmentState.PAUSED
    await service.set_paused(session, enrolment, False)
    assert enrolment.state == EnrolmentState.ACTIVE

    enrolment.next_day, enrolment.ready_at = 2, NOW
    assert not await service.change_plan(session, enrolment, plan)
    other = Plan("实习生", "实习生计划", plan.days)
    assert await service.change_plan(session, enrolment, other)
    assert (enrolment.plan_id, enrolment.next_day, enrolment.ready_at) == ("实习生", 0, None)

    session.add_all(
        QuizPoll(
            enrolment_id=enrolment.id,
            note_id="refund",
            question_key=f"k{n}",
            question="问",
            options=["a", "b"],
            correct_option=0,
            chat_id=21,
            state=state,
            message_id=30 + n,
            answered_at=NOW if answered else None,
        )
        for n, (state, answered) in enumerate(
            [(PollState.SENT, False), (PollState.SENT, True), (PollState.PENDING, False)]
        )
    )
    await session.commit()
    assert await service.remove(session, enrolment.id) == [(21, 30)]  # the open poll, to close
    assert (await session.exec(select(QuizPoll))).all() == []
    assert await service.remove(session, enrolment.id) is None
