"""``/quiz``: the next question due for review, asked now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.training.catalog import Catalog
from bot.training.models import Enrolment, QuizPoll, ReviewCard
from bot.training.service import polls


@dataclass(frozen=True, slots=True)
class ReviewAsk:
    """The poll to send now, or why there is none: questions still waiting for an answer, the next due day."""

    poll: QuizPoll | None = None
    waiting: int = 0
    next_on: date | None = None


async def ask_review(
    session: AsyncSession, enrolment: Enrolment, catalog: Catalog, chat_id: int, today: date, now: datetime
) -> ReviewAsk:
    """Write the poll of the next question due for review (sent by the caller), if there is one."""
    assert enrolment.id is not None
    cards = await polls.due_reviews(session, enrolment.id, catalog, today, limit=1)
    if cards:
        poll = polls.review_poll(enrolment, cards[0], catalog, chat_id, created_at=now)
        session.add(poll)
        await session.commit()
        return ReviewAsk(poll)
    waiting = await session.exec(
        select(func.count()).where(QuizPoll.enrolment_id == enrolment.id, polls.open_poll())
    )
    upcoming = await session.exec(
        select(func.min(ReviewCard.due_on)).where(
            ReviewCard.enrolment_id == enrolment.id, col(ReviewCard.due_on) > today
        )
    )
    await session.commit()  # cards whose question is gone were retired
    return ReviewAsk(None, int(waiting.one()), upcoming.one())


async def reviews_due(session: AsyncSession, enrolment_id: int, today: date) -> int:
    """How many questions are due for review on ``today``."""
    result = await session.exec(
        select(func.count()).where(ReviewCard.enrolment_id == enrolment_id, col(ReviewCard.due_on) <= today)
    )
    return int(result.one())
