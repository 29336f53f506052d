"""People who talk to the bot, staff invites and the village groups the bot is in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, String
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class Role(StrEnum):
    """What a person may do; everyone starts as a job seeker."""

    ADMIN = "admin"
    STAFF = "staff"
    SEEKER = "seeker"


class Person(SQLModel, table=True):
    """Anyone who has written to the bot."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True, index=True))
    first_name: str = Field(default="", max_length=128)
    last_name: str | None = Field(default=None, max_length=128)
    username: str | None = Field(default=None, max_length=64, index=True)
    telegram_language: str | None = Field(default=None, max_length=16)
    language: str | None = Field(default=None, max_length=8, description="Chosen with /lang")
    role: str = Field(default=Role.SEEKER, sa_type=String(16), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def display_name(self) -> str:
        """First and last name, falling back to the username or id."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part).strip()
        return name or (f"@{self.username}" if self.username else str(self.telegram_id))

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Staff or admin: everyone who works here."""
        return self.role in (Role.ADMIN, Role.STAFF)


class Invite(SQLModel, table=True):
    """A one-time, expiring code that makes whoever opens it staff."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=200, description="Who it is for")


class GroupChat(SQLModel, table=True):
    """A group or supergroup the bot has been added to, optionally bound to a village."""

    __tablename__ = "group_chat"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True, index=True))
    title: str = Field(default="", max_length=255)
    chat_type: str = Field(default="group", max_length=16)
    village: str | None = Field(default=None, max_length=64, index=True)
    active: bool = Field(default=True, index=True)
    added_by_telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
