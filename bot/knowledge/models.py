"""The question log (every question asked, what the bot answered, the feedback, the admin queue), the
phrasings learned from it (``learned.py``) and the notes saved from chat (``saved.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, String, Text, UniqueConstraint
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


class LearnedFrom(StrEnum):
    """How a phrasing was learned."""

    PICK = "pick"  # the asker picked the note under "did you mean"
    ADMIN = "admin"  # an admin answered the queued question by pointing to the note


class LearnedPhrasing(SQLModel, table=True):
    """A question people asked, learned as another way of asking for a note (see ``learned.py``)."""

    __tablename__ = "learned_phrasing"
    __table_args__ = (UniqueConstraint("normalized", "note_id"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: str = Field(max_length=255, index=True)
    normalized: str = Field(max_length=200, description="The question's comparable form (normalize_query)")
    text: str = Field(sa_column=Column(Text, nullable=False), description="The question as it was asked")
    audience: str = Field(default="staff", sa_type=String(16), description="Who asked: staff or public")
    source: str = Field(default=LearnedFrom.PICK, sa_type=String(8))
    score: int = Field(default=0, description="Raised by confirmations and 👍, lowered by 👎; gone at 0")
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)


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
    saved_note_id: str | None = Field(
        default=None,
        max_length=255,
        description="The note that answers it: the admin's answer saved as a note, or the note they pointed to",
    )
    learned_id: int | None = Field(
        default=None,
        foreign_key="learned_phrasing.id",
        ondelete="SET NULL",
        index=True,
        description="The learned phrasing that answered this question, or that it taught",
    )


class SavedNote(SQLModel, table=True):
    """A note created or edited from chat (an admin's answer saved as a note, a note edited in the dashboard):
    its whole text in the knowledge folder's format, so that every instance of the bot reads the same notes.
    ``version`` counts the saves: 1 when created, one more at every edit."""

    __tablename__ = "saved_note"

    note_id: str = Field(primary_key=True, max_length=255, description="The note's id, e.g. answers/q12")
    text: str = Field(sa_column=Column(Text, nullable=False), description="Front matter and Markdown body")
    saved_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    saved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1)
