"""Lessons: due at the person's moment, claimed once with their quiz and reviews, moved on message by message
as the outbox delivers, and given back when they cannot be delivered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import gettext_for
from bot.knowledge.notes import Note, Plan, PlanDay
from bot.people.models import Role
from bot.training import service
from bot.training.catalog import Catalog
from bot.training.models import (
    Enrolment,
    EnrolmentState,
    Lesson,
    LessonState,
    PollState,
    QuizPoll,
    ReviewCard,
)
from bot.training.service import lessons as lessons_module
from tests.unit.training.conftest import FRIDAY, OFFICE, THURSDAY, at, deliver, person, queued_texts

_ = gettext_for("zh_CN")


async def enrolled(
    session: AsyncSession, catalog: Catalog, telegram_id: int = 10, **fields: object
) -> Enrolment:
    someone = await person(session, telegram_id, f"员工{telegram_id}")
    plan = catalog.default
    assert plan is not None
    assert (
        await service.enrol(session, someone, plan, now=at(THURSDAY, "07:00"))
        == service.EnrolOutcome.ENROLLED
    )
    enrolment = await service.enrolment_of(session, someone.id or 0)
    assert enrolment is not None
    for key, value in fields.items():
        setattr(enrolment, key, value)
    session.add(enrolment)
    await session.commit()
    return enrolment


async def lessons(session: AsyncSession) -> list[Lesson]:
    session.expunge_all()
    return list((await session.exec(select(Lesson).order_by(col(Lesson.id)))).all())


async def polls(session: AsyncSession) -> list[QuizPoll]:
    session.expunge_all()
    return list((await session.exec(select(QuizPoll).order_by(col(QuizPoll.id)))).all())


async def test_a_lesson_is_claimed_once_at_its_moment(session: AsyncSession, catalog: Catalog) -> None:
    await enrolled(session, catalog)
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:29")) == 0
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:30")) == 1
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:31")) == 0
    (lesson,) = await lessons(session)
    assert (lesson.day_index, lesson.lesson_date, lesson.state) == (0, THURSDAY, LessonState.NOTES)
    assert lesson.note_ids == ["refund", "greeting"] and len(lesson.parts) == 2 and lesson.parts_queued == 1
    assert lesson.parts[0].startswith(
        "📚 <b>培训第 1/2 天：退款和开场</b>\n请先看下面的笔记，看完后有 3 道测验题。"
    )
    assert [(p.note_id, p.position, p.state) for p in await polls(session)] == [
        ("refund", 0, PollState.PENDING),
        ("refund", 1, PollState.PENDING),
        ("greeting", 2, PollState.PENDING),
    ]
    assert await service.due_polls(session) == []  # not before the notes arrived
    enrolment = (await session.exec(select(Enrolment))).one()
    assert enrolment.next_day == 1


async def test_nobody_paused_demoted_or_enrolled_after_the_moment(
    session: AsyncSession, catalog: Catalog
) -> None:
    await enrolled(session, catalog, 10, state=EnrolmentState.PAUSED)
    await enrolled(session, catalog, 11, enrolled_at=at(THURSDAY, "09:00"))
    demoted = await enrolled(session, catalog, 12)
    seeker = await person(session, 12, "员工12", Role.SEEKER)
    assert seeker.id == demoted.person_id
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "10:00")) == 0
    assert (
        await service.start_due_lessons(session, catalog, OFFICE, at(FRIDAY, "08:30")) == 1
    )  # 11, the next day


async def test_the_messages_go_one_after_the_other_then_the_quiz(
    session: AsyncSession, catalog: Catalog
) -> None:
    await enrolled(session, catalog)
    now = at(THURSDAY, "08:30")
    await service.start_due_lessons(session, catalog, OFFICE, now)
    assert await service.advance_lessons(session, catalog, OFFICE, now) == service.Advanced()  # not sent yet
    assert await deliver(session) == 1
    assert await service.advance_lessons(session, catalog, OFFICE, now) == service.Advanced(queued=1)
    assert await service.advance_lessons(session, catalog, OFFICE, now) == service.Advanced()  # once
    assert await deliver(session) == 1
    assert await service.advance_lessons(session, catalog, OFFICE, now) == service.Advanced(quizzes=1)
    texts = await queued_texts(session)
    assert texts[0].startswith("📚") and texts[1].startswith("<b>📘 开场问候</b>")
    assert [p.question for p in await service.due_polls(session)] == [
        "退到储蓄卡一般多久到账？",
        "能承诺几点到账吗？",
        "顾客已经说清问题时第一句怎么回？",
    ]


async def test_an_undelivered_lesson_is_taught_again_the_next_workday(
    session: AsyncSession, catalog: Catalog
) -> None:
    await enrolled(session, catalog)
    await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:30"))
    await deliver(session, "blocked")
    assert await service.advance_lessons(session, catalog, OFFICE, at(THURSDAY, "08:31")) == service.Advanced(
        undelivered=1
    )
    (lesson,) = await lessons(session)
    assert lesson.state == LessonState.UNDELIVERED
    assert {p.state for p in await polls(session)} == {PollState.FAILED}
    assert (await session.exec(select(Enrolment))).one().next_day == 0
    assert await service.start_due_lessons(session, catalog, OFFICE, at(FRIDAY, "08:30")) == 1
    assert [lesson.day_index for lesson in await lessons(session)] == [0, 0]


async def test_after_the_last_day_only_reviews_due(session: AsyncSession, catalog: Catalog) -> None:
    enrolment = await enrolled(session, catalog, next_day=2)
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:30")) == 0
    question = catalog.notes["refund"].quiz[0]
    session.add(
        ReviewCard(enrolment_id=enrolment.id or 0, note_id="refund", question_key=question.key, due_on=FRIDAY)
    )
    session.add(
        ReviewCard(enrolment_id=enrolment.id or 0, note_id="refund", question_key="gone", due_on=FRIDAY)
    )
    await session.commit()
    assert await service.start_due_lessons(session, catalog, OFFICE, at(FRIDAY, "08:30")) == 1
    (lesson,) = await lessons(session)
    assert lesson.day_index is None and lesson.parts == ["🔁 <b>复习：1 道以前答错的题。</b>"]
    (poll,) = await polls(session)
    assert poll.review and poll.question == question.question and poll.lesson_id == lesson.id
    cards = {card.question_key: card.due_on for card in (await session.exec(select(ReviewCard))).all()}
    assert cards == {question.key: FRIDAY, "gone": None}  # a question gone from its note is retired


def test_a_long_note_is_split_and_the_heading_stands_alone_when_it_must() -> None:
    long = Note(
        "long",
        "长笔记",
        [],
        [],
        "staff",
        "\n\n".join(f"第 {n} 段。" + "字" * 4070 for n in range(4)),
        [],
        __file__,
    )  # type: ignore[arg-type]
    plan = Plan("p", "计划", (PlanDay("", ("long",)),))
    parts = service.lesson_parts(_, plan, 0, [long], 0, 0)
    assert parts[0] == "📚 <b>培训第 1/1 天</b>\n请看下面的笔记。"  # the first part is full enough
    assert len(parts) > 3 and all(len(part) <= 4096 for part in parts)
    assert "".join(parts).count("第 3 段") == 1
    review = service.lesson_parts(_, plan, None, [], 0, 2)
    assert review == ["🔁 <b>复习：2 道以前答错的题。</b>"]
    with_reviews = service.lesson_parts(_, plan, 0, [long], 3, 2)
    assert "看完后有 3 道测验题。\n之后还有 2 道以前答错的题，复习一下。" in with_reviews[0]


async def test_the_calendar_counts(session: AsyncSession, catalog: Catalog) -> None:
    await enrolled(session, catalog)
    saturday = date(2025, 10, 18)
    assert await service.start_due_lessons(session, catalog, OFFICE, at(saturday, "08:30")) == 0
    sunday = saturday + timedelta(days=1)
    assert await service.start_due_lessons(session, catalog, OFFICE, at(sunday, "08:30")) == 0
    assert (
        await service.start_due_lessons(session, catalog, OFFICE, at(sunday + timedelta(days=1), "08:30"))
        == 1
    )


async def test_one_persons_failure_does_not_hold_back_the_others(
    session: AsyncSession, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = (await enrolled(session, catalog, 10)).id
    second = (await enrolled(session, catalog, 11)).id
    real = lessons_module.lesson_parts
    broken = {"left": 1}

    def once_broken(*args: object, **kwargs: object) -> list[str]:
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("a note that cannot be rendered")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lessons_module, "lesson_parts", once_broken)
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:30")) == 1
    assert [lesson.enrolment_id for lesson in await lessons(session)] == [second]
    enrolment = (await session.exec(select(Enrolment).where(Enrolment.id == first))).one()
    assert enrolment.next_day == 0  # nothing of the failed claim was kept
    assert await service.start_due_lessons(session, catalog, OFFICE, at(THURSDAY, "08:31")) == 1
    assert [lesson.enrolment_id for lesson in await lessons(session)] == [second, first]
