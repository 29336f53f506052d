"""Quiz polls on their way out: due, claimed right before the request, sent (with Telegram's poll id) or
failed; rows left ``sending`` by a crash go back to ``pending``, flagged. No Telegram here: the sending is
``bot.training.scheduled``'s.

Like the delivery outbox (``bot.delivery``), this errs towards *at least once*: a poll can arrive twice only
when the process died, or a read timed out, after Telegram accepted it and before it was marked — and such a
row is flagged ``maybe_duplicate``. An answer to the lost copy is not matched (its poll id was never
recorded) and changes nothing; the copy sent again is answered as usual.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, Lesson, LessonState, PollState, QuizPoll, ReviewCard
from bot.training.service.common import OPEN_POLL_STATES

MAX_ATTEMPTS = 5
ERROR_LENGTH = 255


def _error(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


async def due_polls(
    session: AsyncSession, *, now: datetime | None = None, limit: int = 500
) -> list[QuizPoll]:
    """Polls to send now, in order per person: a lesson's once its notes arrived, reviews at once."""
    now = now or utcnow()
    result = await session.exec(
        select(QuizPoll)
        .outerjoin(Lesson, col(Lesson.id) == col(QuizPoll.lesson_id))
        .where(
            col(QuizPoll.state) == PollState.PENDING,
            or_(col(QuizPoll.lesson_id).is_(None), col(Lesson.state) == LessonState.QUIZ),
            or_(col(QuizPoll.next_attempt_at).is_(None), col(QuizPoll.next_attempt_at) <= now),
        )
        .order_by(col(QuizPoll.chat_id), col(QuizPoll.lesson_id), col(QuizPoll.position), col(QuizPoll.id))
        .limit(limit)
    )
    return list(result.all())


async def claim(session: AsyncSession, poll_id: int, *, by: str) -> QuizPoll | None:
    """Mark a pending poll ``sending`` by the process ``by`` right before its request; None if it is no
    longer pending."""
    result = await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.id) == poll_id, col(QuizPoll.state) == PollState.PENDING)
        .values(state=PollState.SENDING, attempts=QuizPoll.attempts + 1, claimed_by=by)
    )
    await session.commit()
    if not result.rowcount:
        return None
    return await session.get(QuizPoll, poll_id, populate_existing=True)


async def mark_sent(
    session: AsyncSession,
    poll_id: int,
    telegram_poll_id: str,
    message_id: int,
    *,
    now: datetime | None = None,
) -> None:
    """Telegram accepted the poll: keep its poll id, which its answers carry."""
    await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.id) == poll_id)
        .values(
            state=PollState.SENT,
            poll_id=telegram_poll_id,
            message_id=message_id,
            sent_at=now or utcnow(),
            next_attempt_at=None,
            error=None,
        )
    )
    await session.commit()


async def mark_failed(session: AsyncSession, poll_id: int, error: str) -> None:
    """Give up on a poll (the person blocked the bot, or Telegram refused it), keeping the reason."""
    await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.id) == poll_id)
        .values(state=PollState.FAILED, error=_error(error), next_attempt_at=None)
    )
    await session.commit()


async def mark_retry(
    session: AsyncSession, poll: QuizPoll, at: datetime, error: str, *, maybe_duplicate: bool
) -> None:
    """Try again at ``at`` (the request did not go through, or may not have); gives up after a few tries."""
    if poll.attempts >= MAX_ATTEMPTS:
        await mark_failed(session, poll.id or 0, error)
        return
    values: dict[str, Any] = {"state": PollState.PENDING, "next_attempt_at": at, "error": _error(error)}
    if maybe_duplicate:
        values["maybe_duplicate"] = True
    await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.id) == poll.id, col(QuizPoll.state) == PollState.SENDING)
        .values(**values)
    )
    await session.commit()


async def recover(session: AsyncSession, process: str) -> int:
    """Polls left ``sending`` by another process (one that died: only one bot runs) are sent again, flagged;
    those this process is sending are left alone."""
    result = await session.exec(
        update(QuizPoll)
        .where(
            col(QuizPoll.state) == PollState.SENDING,
            or_(col(QuizPoll.claimed_by).is_(None), col(QuizPoll.claimed_by) != process),
        )
        .values(
            state=PollState.PENDING,
            maybe_duplicate=True,
            claimed_by=None,
            next_attempt_at=None,
            error="interrupted; sent again (may have arrived twice)",
        )
    )
    await session.commit()
    return int(result.rowcount or 0)


def open_poll() -> Any:
    """A poll that is on its way, or sent and not answered yet."""
    return or_(
        col(QuizPoll.state).in_(OPEN_POLL_STATES),
        and_(col(QuizPoll.state) == PollState.SENT, col(QuizPoll.answered_at).is_(None)),
    )


async def due_reviews(
    session: AsyncSession, enrolment_id: int, catalog: Catalog, day: date, *, limit: int
) -> list[ReviewCard]:
    """Cards due on ``day`` whose question is not already on its way or waiting for an answer, earliest
    first. A card whose question is gone from its note (removed, or reworded: a new question) is retired."""
    open_keys = {
        (note_id, key)
        for note_id, key in (
            await session.exec(
                select(QuizPoll.note_id, QuizPoll.question_key).where(
                    QuizPoll.enrolment_id == enrolment_id, open_poll()
                )
            )
        ).all()
    }
    cards = (
        await session.exec(
            select(ReviewCard)
            .where(ReviewCard.enrolment_id == enrolment_id, col(ReviewCard.due_on) <= day)
            .order_by(col(ReviewCard.due_on), col(ReviewCard.id))
        )
    ).all()
    due: list[ReviewCard] = []
    for card in cards:
        if catalog.question(card.note_id, card.question_key) is None:
            card.due_on = None
            session.add(card)
        elif (card.note_id, card.question_key) not in open_keys and len(due) < limit:
            due.append(card)
    return due


def review_poll(
    enrolment: Enrolment, card: ReviewCard, catalog: Catalog, chat_id: int, **values: Any
) -> QuizPoll:
    """A poll asking a card's question again, as its note says it now."""
    question = catalog.question(card.note_id, card.question_key)
    assert question is not None, "due_reviews retires cards whose question is gone"
    assert enrolment.id is not None
    return QuizPoll(
        enrolment_id=enrolment.id,
        review=True,
        note_id=card.note_id,
        question_key=question.key,
        question=question.question,
        options=list(question.options),
        correct_option=question.answer,
        explanation=question.explanation,
        chat_id=chat_id,
        **values,
    )
