"""The question log: every question asked, what the bot answered, the feedback, and the admin queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, String, Text
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class Outcome(StrEnum):
    """What the bot did with a question."""

    ANSWER = "answer"
    SUGGEST = "suggest"
    UNKNOWN = "unknown"


class Feedback(StrEnum):
    """The asker's verdict on an answer."""

    UP = "up"
    DOWN = "down"


class QueueState(StrEnum):
    """Where a question stands in the admins' queue (unanswered or disliked questions)."""

    OPEN = "open"
    ANSWERED = "answered"
    DISMISSED = "dismissed"


class Question(SQLModel, table=True):
    """One question asked of the knowledge base."""

    __tablename__ = "question"

    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(default="staff", sa_type=String(16))
    note_id: str | None = Field(default=None, max_length=255, index=True, description="Best matching note")
    score: float = Field(default=0.0)
    outcome: str = Field(default=Outcome.UNKNOWN, sa_type=String(16), index=True)
    feedback: str | None = Field(default=None, sa_type=String(8))
    feedback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    queue_state: str | None = Field(default=None, sa_type=String(16), index=True)
    answered_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    answer_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    saved_note_id: str | None = Field(default=None, max_length=255)
