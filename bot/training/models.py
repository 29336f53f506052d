"""Training: who learns which plan, each day's lesson, the quiz polls sent and answered, and review cards."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class EnrolmentState(StrEnum):
    """Whether lessons go out: an admin can pause someone's training and resume it."""

    ACTIVE = "active"
    PAUSED = "paused"


class Enrolment(SQLModel, table=True):
    """A person learning a plan (``knowledge/training/<plan_id>.yaml``); one plan at a time.

    ``next_day`` is the index of the plan day the next lesson teaches: claiming a lesson moves it on in the
    lesson's own transaction, so a day is never taught twice. ``ready_at`` is set, once, when every day was
    taught and every question answered right; the admins are told in that transaction.
    """

    __tablename__ = "training_enrolment"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, unique=True, index=True
        )
    )
    plan_id: str = Field(sa_type=String(64))
    state: str = Field(default=EnrolmentState.ACTIVE, sa_type=String(16), index=True)
    next_day: int = Field(default=0)
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    enrolled_by_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL", description="None: when hired"
    )
    ready_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LessonState(StrEnum):
    """Where a lesson stands: its notes go out part by part, then its quiz."""

    NOTES = "notes"  # the notes are going out through the delivery outbox, one part after the other
    QUIZ = "quiz"  # the notes arrived: the quiz polls go out
    UNDELIVERED = "undelivered"  # the notes could not be delivered (blocked bot): the day is taught again


class Lesson(SQLModel, table=True):
    """One day's lesson to one person (at most one a day): its messages, and the delivery of the current one.

    ``day_index`` is the plan day taught; None for a lesson of reviews only (after the plan's last day).
    ``parts`` are the message texts (HTML), fixed when the lesson was claimed; ``parts_queued`` of them have
    a campaign in the outbox, the latest being ``campaign_id``.
    """

    __tablename__ = "training_lesson"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_date", name="uq_training_lesson_date"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("training_enrolment.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    plan_id: str = Field(sa_type=String(64))
    day_index: int | None = Field(default=None)
    lesson_date: date
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    state: str = Field(default=LessonState.NOTES, sa_type=String(16), index=True)
    note_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    parts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    parts_queued: int = Field(default=0)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="SET NULL")


class PollState(StrEnum):
    """The sending of one quiz poll: recorded, claimed right before its request, then sent or failed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class QuizPoll(SQLModel, table=True):
    """A quiz question asked as a Telegram quiz poll, with what was asked (as it was then) and the answer.

    Written before it is sent; ``poll_id`` is Telegram's, and answers (``poll_answer``) are matched by it and
    by the person: an answer to a poll the bot did not send to that person changes nothing. A poll left
    unanswered is not yet done, never wrong.
    """

    __tablename__ = "training_poll"

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("training_enrolment.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    lesson_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("training_lesson.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    position: int = Field(default=0, description="Order within its lesson")
    review: bool = Field(default=False, description="Asked again after a wrong answer")
    note_id: str = Field(max_length=255, index=True)
    question_key: str = Field(max_length=16)
    question: str = Field(max_length=300)
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    correct_option: int
    explanation: str = Field(default="", max_length=200)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(default=PollState.PENDING, sa_type=String(16), index=True)
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=32, description="The process sending it")
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    maybe_duplicate: bool = Field(default=False, description="Sent again after an unknown outcome")
    error: str | None = Field(default=None, max_length=255)
    poll_id: str | None = Field(default=None, max_length=64, unique=True, index=True)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    chosen: int | None = Field(default=None)
    correct: bool | None = Field(default=None)


class ReviewCard(SQLModel, table=True):
    """A question someone answered wrong, scheduled for review by FSRS (``bot.training.review``).

    ``card`` is the FSRS card; ``due_on`` the local day it is asked again, None once it is learned.
    """

    __tablename__ = "training_card"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "note_id", "question_key", name="uq_training_card_question"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("training_enrolment.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    note_id: str = Field(max_length=255)
    question_key: str = Field(max_length=16)
    card: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due_on: date | None = Field(default=None, index=True)
    lapses: int = Field(default=0)
    reviews: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
