"""The tables of form state: the step each open conversation is at, and each person's answers so far."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class ConversationState(SQLModel, table=True):
    """The state of one open conversation (a ``ConversationHandler`` by name, one key per person and chat)."""

    __tablename__ = "conversation_state"

    name: str = Field(primary_key=True, max_length=64, description="The conversation handler's name")
    key: str = Field(primary_key=True, max_length=64, description="The conversation key as a JSON list")
    user_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, nullable=True, index=True),
        description="Whose conversation it is (Telegram user id), to read one person's forms at once",
    )
    state: str = Field(sa_column=Column(Text, nullable=False), description="The state, as JSON")
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        description="When the conversation last moved: its timeout counts from here",
    )


class ConversationUserData(SQLModel, table=True):
    """A person's answers so far (python-telegram-bot's ``user_data``), as a JSON object."""

    __tablename__ = "conversation_user_data"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: str = Field(sa_column=Column(Text, nullable=False), description="A JSON object")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
