"""Admin notices (broadcasts through the delivery outbox) and who acknowledged them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class NoticeState(StrEnum):
    """A notice is a draft until an admin confirms it; then its campaign does the sending."""

    DRAFT = "draft"
    CONFIRMED = "confirmed"
    DISCARDED = "discarded"


class Notice(SQLModel, table=True):
    """One notice: what, to whom, with which options, and the campaign that sends it."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(default=NoticeState.DRAFT, sa_type=String(16), index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", max_length=200)
    audience: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="Chosen audience kinds and their values, e.g. {'staff': [], 'group': ['-100…']}",
    )
    needs_ack: bool = Field(default=True)
    pin: bool = Field(default=False)
    remind_every_minutes: int = Field(default=0, description="0: no reminders")
    remind_times: int = Field(default=0)
    reminders_sent: int = Field(default=0)
    next_reminder_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    send_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="None: at once")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="SET NULL")
    panel_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    panel_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class NoticeAck(SQLModel, table=True):
    """A person pressed 收到 on a notice."""

    __tablename__ = "notice_ack"
    __table_args__ = (UniqueConstraint("notice_id", "person_id", name="uq_notice_ack_person"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    acknowledged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
