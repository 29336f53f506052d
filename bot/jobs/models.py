"""Job postings, the applications job seekers send, and their alerts for new postings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class PostingState(StrEnum):
    """A posting is written as a draft, open once published, then filled or closed (admins can reopen)."""

    DRAFT = "draft"
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class ApplicationStatus(StrEnum):
    """Where an application stands; admins move it along, the applicant can withdraw it."""

    NEW = "new"
    CONTACTED = "contacted"
    INTERVIEWED = "interviewed"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JobPosting(SQLModel, table=True):
    """One job offer: what, how many people, pay, hours, where, until when."""

    __tablename__ = "job_posting"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=40)
    description: str = Field(max_length=1000)
    headcount: int = Field(default=1)
    pay: str = Field(max_length=60)
    hours: str = Field(max_length=200)
    location: str = Field(max_length=60)
    requirements: str | None = Field(default=None, max_length=300)
    closes_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        index=True,
        description="End of the deadline day; None: no deadline",
    )
    state: str = Field(default=PostingState.DRAFT, sa_type=String(16), index=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="When filled or closed")


class JobApplication(SQLModel, table=True):
    """A job seeker's application to one posting (one per person and posting; applying again updates it)."""

    __tablename__ = "job_application"
    __table_args__ = (UniqueConstraint("posting_id", "person_id", name="uq_job_application_posting_person"),)

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="job_posting.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=30)
    phone: str = Field(max_length=20)
    contact_shared: bool = Field(default=False, description="The phone number is the sender's own contact")
    village: str = Field(max_length=64)
    availability: str = Field(max_length=100)
    note: str | None = Field(default=None, max_length=200)
    status: str = Field(default=ApplicationStatus.NEW, sa_type=String(16), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True, description="Retention clock"
    )
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_changed_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class JobSubscription(SQLModel, table=True):
    """A person who wants to hear about new postings: in one village, or everywhere (``village`` None)."""

    __tablename__ = "job_subscription"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", unique=True)
    village: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
