"""Answers: only from the person the poll was sent to, once; review cards; the lesson's score; readiness,
told once to the admins (by language) and to the person, through the outbox."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.models import Campaign, Delivery
from bot.people.models import Person, Role
from bot.training import service
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, PollState, QuizPoll, ReviewCard
from tests.unit.training.conftest import FRIDAY, OFFICE, THURSDAY, at, deliver, person

NOW = at(THURSDAY, "09:00")


async def quiz_sent(session: AsyncSession, catalog: Catalog, *, days_done: int = 0) -> list[QuizPoll]:
    """员工10 enrolled, Thursday's lesson delivered and its polls sent (poll ids p0, p1, ...)."""
    someone = await person(session, 10, "员工10")
    plan = catalog.default
    assert plan is not None
    await service.enrol(session, someone, plan, now=at(THURSDAY, "07:00"))
    await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:30"))
    for _ in range(3):
        await deliver(session)
        await service.advance_lessons(session, catalog, OFFICE, at(THURSDAY, "08:31"))
    polls = await service.due_polls(session)
    for number, poll in enumerate(polls):
        assert await service.claim(session, poll.id or 0, by="this") is not None
        await service.mark_sent(session, poll.id or 0, f"p{number}", 500 + number)
    session.expunge_all()
    return list((await session.exec(select(QuizPoll).order_by(col(QuizPoll.id)))).all())


def wrong_of(poll: QuizPoll) -> int:
    return (poll.correct_option + 1) % len(poll.options)


async def record(
    session: AsyncSession, catalog: Catalog, poll_id: str, option: int, *, by: int = 10, at_=NOW
):
    return await service.record_answer(
        session, catalog, OFFICE, poll_id=poll_id, telegram_id=by, option_ids=[option], now=at_
    )


async def test_only_the_person_the_poll_was_sent_to_counts_once(
    session: AsyncSession, catalog: Catalog
) -> None:
    polls = await quiz_sent(session, catalog)
    right = polls[0].correct_option
    ignored = service.AnswerOutcome.IGNORED
    assert (await record(session, catalog, "p0", right, by=11)).outcome == ignored  # someone else
    assert (await record(session, catalog, "nope", right)).outcome == ignored  # never sent
    assert (await record(session, catalog, "p0", 9)).outcome == ignored  # no such option
    none = await service.record_answer(
        session, catalog, OFFICE, poll_id="p0", telegram_id=10, option_ids=[], now=NOW
    )
    assert none.outcome == ignored
    assert (await record(session, catalog, "p0", right)).outcome == service.AnswerOutcome.RECORDED
    assert (await record(session, catalog, "p0", wrong_of(polls[0]))).outcome == service.AnswerOutcome.ALREADY
    session.expunge_all()
    first = await session.get(QuizPoll, polls[0].id)
    assert first is not None and first.correct is True and first.chosen == right and first.answered_at == NOW


async def test_a_wrong_answer_starts_a_review_and_the_lesson_is_scored(
    session: AsyncSession, catalog: Catalog
) -> None:
    polls = await quiz_sent(session, catalog)
    wrong = await record(session, catalog, "p0", wrong_of(polls[0]))
    assert wrong.outcome == service.AnswerOutcome.RECORDED and not wrong.correct
    assert wrong.review_on == FRIDAY and wrong.lesson_score is None
    right = await record(session, catalog, "p1", polls[1].correct_option)
    assert right.review_on is None and right.lesson_score is None
    last = await record(session, catalog, "p2", polls[2].correct_option)
    assert last.lesson_score == (2, 3)
    (card,) = (await session.exec(select(ReviewCard))).all()
    assert (card.note_id, card.question_key, card.due_on, card.lapses) == (
        "refund",
        polls[0].question_key,
        FRIDAY,
        1,
    )


async def test_ready_once_every_day_is_taught_and_every_question_right(
    session: AsyncSession, catalog: Catalog
) -> None:
    boss = await person(session, 900, "老板", Role.ADMIN)
    await person(session, 902, "主管", Role.ADMIN)
    boss.language = "en"
    session.add(boss)
    await session.commit()
    polls = await quiz_sent(session, catalog)
    await record(session, catalog, "p0", wrong_of(polls[0]))
    await record(session, catalog, "p1", polls[1].correct_option)
    assert not (await record(session, catalog, "p2", polls[2].correct_option)).ready  # day 2 not taught yet

    # Day 2 (a note without a quiz) is taught on Friday: still one question wrong.
    await service.start_due_lessons(session, catalog, OFFICE, at(FRIDAY, "08:30"))
    await deliver(session)
    assert (await service.advance_lessons(session, catalog, OFFICE, at(FRIDAY, "08:31"))).ready == 0
    review = [p for p in await service.due_polls(session) if p.review]
    assert [p.note_id for p in review] == ["refund"]
    await service.claim(session, review[0].id or 0, by="this")
    await service.mark_sent(session, review[0].id or 0, "r0", 600)
    answered = await record(session, catalog, "r0", review[0].correct_option, at_=at(FRIDAY, "09:00"))
    assert answered.ready and answered.lesson_score == (1, 1)

    enrolment = (await session.exec(select(Enrolment))).one()
    assert enrolment.ready_at == at(FRIDAY, "09:00")
    campaigns = (
        await session.exec(select(Campaign).where(col(Campaign.ref) == f"training:ready:{enrolment.id}"))
    ).all()
    chats = {
        campaign.payload["text"][:16]: sorted(
            (await session.exec(select(Delivery.chat_id).where(Delivery.campaign_id == campaign.id))).all()
        )
        for campaign in campaigns
    }
    # One campaign per language: 主管 and the configured admin 901 who never wrote in Chinese, 老板 in English.
    assert chats == {
        "🎓 <b>员工10</b> 完成": [901, 902],
        "🎓 <b>员工10</b> fi": [900],
        "🎉 你完成了“两日课”的培训，每": [10],
    }
    assert "答对 3/4 题" in next(
        c.payload["text"] for c in campaigns if c.payload["text"].startswith("🎓 <b>员工10</b> 完")
    )

    # Told once: asking again later tells nobody again.
    learner = await session.get(Person, enrolment.person_id)
    assert learner is not None and catalog.default is not None
    assert not await service.mark_if_ready(
        session, enrolment, catalog.default, learner, OFFICE, at(FRIDAY, "10:00")
    )
    again = (
        await session.exec(select(Campaign).where(col(Campaign.ref) == f"training:ready:{enrolment.id}"))
    ).all()
    assert len(again) == 3


async def test_a_question_never_answered_is_not_done(session: AsyncSession, catalog: Catalog) -> None:
    polls = await quiz_sent(session, catalog)
    for number, poll in enumerate(polls[:2]):
        await record(session, catalog, f"p{number}", poll.correct_option)
    enrolment = (await session.exec(select(Enrolment))).one()
    enrolment.next_day = 2
    plan = catalog.default
    assert plan is not None
    assert not await service.is_ready(session, enrolment, plan)
    failed = await session.get(QuizPoll, polls[2].id)
    assert failed is not None
    failed.state = PollState.FAILED  # could not be sent at all: it does not hold anyone back
    session.add(failed)
    other_plan = QuizPoll(  # nor does a question of a plan learned before, not of this one
        enrolment_id=enrolment.id or 0,
        note_id="elsewhere",
        question_key="k",
        question="别的计划的题",
        options=["a", "b"],
        correct_option=0,
        chat_id=10,
        state=PollState.SENT,
    )
    session.add(other_plan)
    await session.commit()
    assert await service.is_ready(session, enrolment, plan)
