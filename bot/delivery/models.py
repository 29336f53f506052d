"""The delivery outbox: campaigns (one message to many chats) and one row per chat, written before sending."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class CampaignState(StrEnum):
    """Where a campaign stands; a scheduled campaign is ``active`` with ``send_after`` in the future."""

    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryState(StrEnum):
    """The state of one (campaign, chat) row.

    ``pending`` → ``sending`` (claimed under a lease, the request is about to leave) → ``sent`` | ``failed`` |
    ``blocked``, or back to ``pending`` for a retry (or when the lease ran out: ``maybe_duplicate``).
    ``pending`` rows of a cancelled campaign become ``cancelled``.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class ChatKind(StrEnum):
    """Which of Telegram's per-chat limits applies to a chat."""

    PRIVATE = "private"
    GROUP = "group"


class Campaign(SQLModel, table=True):
    """One message to many chats: what to send (``payload``), when, and by whom."""

    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(32), index=True, description="Who owns it: notice, job, ...")
    ref: str | None = Field(default=None, sa_type=String(64), index=True, description="e.g. notice:12")
    title: str = Field(default="", max_length=200, description="Short description for audit lists")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1, description="Bumped by every edit of the payload")
    pin: bool = Field(default=False, description="Pin the message in group chats")
    priority: int = Field(default=0, description="Higher goes first")
    state: str = Field(default=CampaignState.ACTIVE, sa_type=String(16), index=True)
    total: int = Field(default=0)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="Report made")
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Delivery(SQLModel, table=True):
    """One chat of a campaign: written before anything is sent, updated as sending goes on."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("campaign_id", "chat_id", name="uq_delivery_campaign_chat"),
        Index("ix_delivery_campaign_state", "campaign_id", "state"),
        Index("ix_delivery_state_lease", "state", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", ondelete="CASCADE")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    chat_kind: str = Field(default=ChatKind.PRIVATE, sa_type=String(16))
    label: str = Field(default="", max_length=128, description="Person or group name when queued")
    state: str = Field(default=DeliveryState.PENDING, sa_type=String(16), index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sent_version: int | None = Field(default=None, description="Payload version shown in the chat")
    followup: bool = Field(default=False, index=True, description="A pin or an edit is still to do")
    pinned: bool | None = Field(default=None, description="None: not asked or not done yet")
    maybe_duplicate: bool = Field(default=False, description="Resent after an unknown outcome")
    error: str | None = Field(default=None, max_length=255)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(
        default=None, sa_type=String(128), description="The instance sending it, while ``sending``"
    )
    lease_until: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="Another instance may take the row back after this"
    )
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RateBudget(SQLModel, table=True):
    """One flood limit shared by every instance (``overall``, or ``chat:<id>`` for a group): one row per key,
    overwritten by each reservation. Times are seconds since the epoch on the database's clock."""

    __tablename__ = "rate_budget"

    key: str = Field(sa_type=String(64), primary_key=True)
    slots: list[float] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The most recent send times, oldest first, as many as the limit allows per window",
    )
    last_slot: float = Field(default=0.0, description="The latest send time reserved")
    spacing_until: float = Field(default=0.0, description="Even spacing: when the next slot is due (overall)")
    paused_until: float = Field(default=0.0, description="Telegram asked to wait (429) until then")
