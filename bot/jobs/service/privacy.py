"""Privacy: forgetting a person's job data on request, and purging applications left untouched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.jobs.models import JobApplication, JobSubscription
from bot.people.models import Person


@dataclass(frozen=True, slots=True)
class Forgotten:
    applications: int = 0
    subscriptions: int = 0
    posting_ids: tuple[int, ...] = field(default_factory=tuple)


async def forget_person(session: AsyncSession, person: Person) -> Forgotten:
    """Delete everything a job seeker told us: their applications and their alert choice."""
    result = await session.exec(
        select(JobApplication.posting_id).where(JobApplication.person_id == person.id)
    )
    posting_ids = tuple(sorted(set(result.all())))
    removed = await session.exec(delete(JobApplication).where(col(JobApplication.person_id) == person.id))
    unsubscribed = await session.exec(
        delete(JobSubscription).where(col(JobSubscription.person_id) == person.id)
    )
    await session.commit()
    return Forgotten(int(removed.rowcount or 0), int(unsubscribed.rowcount or 0), posting_ids)


async def purge_applications(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete applications untouched since ``older_than`` (the retention period); how many."""
    result = await session.exec(delete(JobApplication).where(col(JobApplication.updated_at) < older_than))
    await session.commit()
    return int(result.rowcount or 0)


async def people_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    """People by their row id."""
    if not ids:
        return {}
    result = await session.exec(select(Person).where(col(Person.id).in_(list(ids))))
    return {p.id: p for p in result.all() if p.id is not None}
