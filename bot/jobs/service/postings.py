"""Postings: drafts, publishing, states, deadlines, counts, and the village groups they go to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.people.models import GroupChat, Person

DEEP_LINK_PREFIX = "job_"
ACTIVE_STATUSES = (
    ApplicationStatus.NEW,
    ApplicationStatus.CONTACTED,
    ApplicationStatus.INTERVIEWED,
)


@dataclass(slots=True)
class PostingDraft:
    """The fields of a posting while an admin writes it."""

    title: str = ""
    description: str = ""
    headcount: int = 1
    pay: str = ""
    hours: str = ""
    location: str = ""
    requirements: str | None = None
    closes_at: datetime | None = None


class PostingField(StrEnum):
    """The fields of a posting, in the order the admin's form asks for them (``deadline``: ``closes_at``)."""

    TITLE = "title"
    DESCRIPTION = "description"
    HEADCOUNT = "headcount"
    PAY = "pay"
    HOURS = "hours"
    LOCATION = "location"
    REQUIREMENTS = "requirements"
    DEADLINE = "deadline"


async def create_posting(
    session: AsyncSession, created_by: Person, draft: PostingDraft, *, now: datetime | None = None
) -> JobPosting:
    """Save a written posting as a draft."""
    now = now or utcnow()
    posting = JobPosting.model_validate(
        draft, update={"created_by_id": created_by.id, "created_at": now, "updated_at": now}
    )
    session.add(posting)
    await session.commit()
    return posting


async def get_posting(session: AsyncSession, posting_id: int) -> JobPosting | None:
    return await session.get(JobPosting, posting_id, populate_existing=True)


async def update_posting(
    session: AsyncSession, posting: JobPosting, name: str, value: object, *, now: datetime | None = None
) -> JobPosting:
    """Change one field (``deadline`` takes the closing moment or None); ValueError for other names."""
    field_name = PostingField(name)
    setattr(posting, "closes_at" if field_name is PostingField.DEADLINE else field_name.value, value)
    posting.updated_at = now or utcnow()
    session.add(posting)
    await session.commit()
    return posting


async def delete_draft(session: AsyncSession, posting: JobPosting) -> bool:
    """Delete a posting that was never published."""
    if posting.state != PostingState.DRAFT:
        return False
    await session.delete(posting)
    await session.commit()
    return True


def accepts_applications(posting: JobPosting, now: datetime | None = None) -> bool:
    """Open, and its deadline has not passed (even if the scheduler has not closed it yet)."""
    now = now or utcnow()
    return posting.state == PostingState.OPEN and (posting.closes_at is None or posting.closes_at > now)


def _open_now(now: datetime) -> Any:
    return (col(JobPosting.state) == PostingState.OPEN) & (
        col(JobPosting.closes_at).is_(None) | (col(JobPosting.closes_at) > now)
    )


async def open_postings(
    session: AsyncSession, *, offset: int = 0, limit: int = 5, now: datetime | None = None
) -> tuple[list[JobPosting], int]:
    """A page of postings taking applications, newest first, and how many there are."""
    now = now or utcnow()
    total = (await session.exec(select(func.count()).select_from(JobPosting).where(_open_now(now)))).one()
    result = await session.exec(
        select(JobPosting)
        .where(_open_now(now))
        .order_by(col(JobPosting.published_at).desc(), col(JobPosting.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all()), int(total)


async def all_postings(
    session: AsyncSession, *, offset: int = 0, limit: int = 8
) -> tuple[list[JobPosting], int]:
    """Every posting for admins: drafts and open ones first, then the rest, newest first."""
    result = await session.exec(select(JobPosting).order_by(col(JobPosting.id).desc()))
    order = {PostingState.DRAFT: 0, PostingState.OPEN: 1}
    postings = sorted(result.all(), key=lambda p: (order.get(p.state, 2), -(p.id or 0)))
    return postings[offset : offset + limit], len(postings)


async def publish(session: AsyncSession, posting: JobPosting, *, now: datetime | None = None) -> bool:
    """Open a draft for applications; False if it is not a draft or its deadline has passed."""
    now = now or utcnow()
    if posting.state != PostingState.DRAFT or (posting.closes_at is not None and posting.closes_at <= now):
        return False
    posting.state = PostingState.OPEN
    posting.published_at = now
    posting.updated_at = now
    session.add(posting)
    await session.commit()
    return True


class StateChange(StrEnum):
    """Outcome of an admin asking to fill, close or reopen a posting."""

    DONE = "done"
    UNCHANGED = "unchanged"
    IS_DRAFT = "is_draft"
    DEADLINE_PASSED = "deadline_passed"


async def change_state(
    session: AsyncSession, posting: JobPosting, state: PostingState, *, now: datetime | None = None
) -> StateChange:
    """Mark a published posting filled or closed, or reopen it (only with its deadline still ahead)."""
    now = now or utcnow()
    if posting.state == PostingState.DRAFT:
        return StateChange.IS_DRAFT
    if posting.state == state:
        return StateChange.UNCHANGED
    if state == PostingState.OPEN:
        if posting.closes_at is not None and posting.closes_at <= now:
            return StateChange.DEADLINE_PASSED
        posting.ended_at = None
    else:
        posting.ended_at = now
    posting.state = state
    posting.updated_at = now
    session.add(posting)
    await session.commit()
    return StateChange.DONE


async def close_expired(session: AsyncSession, *, now: datetime | None = None) -> list[JobPosting]:
    """Close every open posting whose deadline has passed; returns them."""
    now = now or utcnow()
    result = await session.exec(
        select(JobPosting).where(
            col(JobPosting.state) == PostingState.OPEN,
            col(JobPosting.closes_at).is_not(None),
            col(JobPosting.closes_at) <= now,
        )
    )
    closed = list(result.all())
    for posting in closed:
        posting.state = PostingState.CLOSED
        posting.ended_at = posting.updated_at = now
        session.add(posting)
    await session.commit()
    return closed


@dataclass(frozen=True, slots=True)
class PostingCounts:
    """Applications of a posting: still in play, hired, all (withdrawn ones left out)."""

    active: int = 0
    hired: int = 0
    total: int = 0


async def posting_counts(session: AsyncSession, posting_ids: Iterable[int]) -> dict[int, PostingCounts]:
    """Application counts per posting."""
    ids = list(posting_ids)
    if not ids:
        return {}
    result = await session.exec(
        select(JobApplication.posting_id, JobApplication.status, func.count())
        .where(col(JobApplication.posting_id).in_(ids))
        .group_by(JobApplication.posting_id, JobApplication.status)
    )
    raw: dict[int, dict[str, int]] = {}
    for posting_id, status, count in result.all():
        raw.setdefault(posting_id, {})[status] = count
    counts = {}
    for posting_id in ids:
        by_status = raw.get(posting_id, {})
        counts[posting_id] = PostingCounts(
            active=sum(by_status.get(s, 0) for s in ACTIVE_STATUSES),
            hired=by_status.get(ApplicationStatus.HIRED, 0),
            total=sum(n for s, n in by_status.items() if s != ApplicationStatus.WITHDRAWN),
        )
    return counts


# --- village groups --------------------------------------------------------------------------------


async def village_groups(session: AsyncSession) -> list[GroupChat]:
    """Active groups bound to a village, by village."""
    result = await session.exec(
        select(GroupChat)
        .where(col(GroupChat.active), col(GroupChat.village).is_not(None))
        .order_by(GroupChat.village, GroupChat.title)
    )
    return list(result.all())


async def known_villages(session: AsyncSession) -> list[str]:
    """Names of the villages that have a group, for answer buttons."""
    names: list[str] = []
    for group in await village_groups(session):
        if group.village and group.village not in names:
            names.append(group.village)
    return names
