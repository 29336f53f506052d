"""Answers to quiz polls (``poll_answer``): recorded once, only from the person the poll was sent to, then the
question's review card (``bot.training.review``) and the person's readiness."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.people.models import Person
from bot.training import review
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, PollState, QuizPoll, ReviewCard
from bot.training.service.common import Office
from bot.training.service.readiness import mark_if_ready


class AnswerOutcome(StrEnum):
    """What became of an answer."""

    RECORDED = "recorded"
    ALREADY = "already"  # that poll was answered before
    IGNORED = "ignored"  # not a poll the bot sent to this person (or no option chosen): nothing changes


@dataclass(frozen=True, slots=True)
class Answer:
    """A recorded answer and what follows from it."""

    outcome: AnswerOutcome
    correct: bool = False
    #: A question under review asked on its own (``/quiz``), not in a lesson.
    standalone_review: bool = False
    #: ``(right, asked)`` when this answer completed its lesson's quiz.
    lesson_score: tuple[int, int] | None = None
    #: When the question is asked again (None: not in review, or learned now).
    review_on: date | None = None
    #: A question under review answered right and now learned.
    learned: bool = False
    ready: bool = False


async def record_answer(
    session: AsyncSession,
    catalog: Catalog,
    office: Office,
    *,
    poll_id: str,
    telegram_id: int,
    option_ids: Sequence[int],
    now: datetime,
) -> Answer:
    """Record ``telegram_id``'s answer to the poll ``poll_id``. Only the person the bot sent that poll to is
    heard; the first answer counts."""
    poll = (await session.exec(select(QuizPoll).where(QuizPoll.poll_id == poll_id))).first()
    if poll is None or poll.chat_id != telegram_id or poll.state != PollState.SENT or len(option_ids) != 1:
        return Answer(AnswerOutcome.IGNORED)
    chosen = option_ids[0]
    if not 0 <= chosen < len(poll.options):
        return Answer(AnswerOutcome.IGNORED)
    correct = chosen == poll.correct_option
    recorded = await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.id) == poll.id, col(QuizPoll.answered_at).is_(None))
        .values(answered_at=now, chosen=chosen, correct=correct)
    )
    if not recorded.rowcount:
        return Answer(AnswerOutcome.ALREADY)
    review_on, learned = await _review(session, poll, correct, office, now)
    score = await _lesson_score(session, poll.lesson_id)
    ready = False
    enrolment = await session.get(Enrolment, poll.enrolment_id)
    person = await session.get(Person, enrolment.person_id) if enrolment is not None else None
    plan = catalog.plan(enrolment.plan_id) if enrolment is not None else None
    if enrolment is not None and person is not None and plan is not None:
        ready = await mark_if_ready(session, enrolment, plan, person, office, now)
    await session.commit()
    return Answer(
        AnswerOutcome.RECORDED,
        correct=correct,
        standalone_review=poll.review and poll.lesson_id is None,
        lesson_score=score,
        review_on=review_on,
        learned=learned,
        ready=ready,
    )


async def _review(
    session: AsyncSession, poll: QuizPoll, correct: bool, office: Office, now: datetime
) -> tuple[date | None, bool]:
    """Rate the question's card: a wrong answer puts it in review (or back), a right one sends it further out
    or ends its review. Returns when it is due next, and whether it is learned now."""
    card = (
        await session.exec(
            select(ReviewCard).where(
                ReviewCard.enrolment_id == poll.enrolment_id,
                ReviewCard.note_id == poll.note_id,
                ReviewCard.question_key == poll.question_key,
            )
        )
    ).first()
    in_review = card is not None and card.due_on is not None
    if correct and not in_review:
        return None, False
    if card is None:
        card = ReviewCard(
            enrolment_id=poll.enrolment_id, note_id=poll.note_id, question_key=poll.question_key
        )
    rated = review.rate(card.card, correct, now, office.tz)
    card.card = rated.card
    card.due_on = rated.due_on
    card.reviews += 1
    card.lapses += 0 if correct else 1
    card.updated_at = now
    session.add(card)
    return rated.due_on, rated.due_on is None


async def _lesson_score(session: AsyncSession, lesson_id: int | None) -> tuple[int, int] | None:
    """``(right, answered)`` of a lesson's quiz once every poll of it that went out is answered."""
    if lesson_id is None:
        return None
    rows = (
        await session.exec(
            select(QuizPoll.answered_at, QuizPoll.correct).where(
                QuizPoll.lesson_id == lesson_id, col(QuizPoll.state) != PollState.FAILED
            )
        )
    ).all()
    if not rows or any(answered_at is None for answered_at, _ in rows):
        return None
    return sum(1 for _, correct in rows if correct), len(rows)


async def unanswered(session: AsyncSession, enrolment_id: int) -> int:
    """Polls sent to someone and not answered yet."""
    result = await session.exec(
        select(func.count()).where(
            QuizPoll.enrolment_id == enrolment_id,
            QuizPoll.state == PollState.SENT,
            col(QuizPoll.answered_at).is_(None),
        )
    )
    return int(result.one())
