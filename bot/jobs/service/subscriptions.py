"""Alerts for new postings: who wants to hear about which villages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs.models import JobSubscription
from bot.people.models import Person


async def get_subscription(session: AsyncSession, person: Person) -> JobSubscription | None:
    result = await session.exec(select(JobSubscription).where(JobSubscription.person_id == person.id))
    return result.first()


async def subscribe(
    session: AsyncSession, person: Person, village: str | None, *, now: datetime | None = None
) -> JobSubscription:
    """Alerts for new postings in ``village`` (None: every village); replaces an earlier choice."""
    subscription = await get_subscription(session, person)
    if subscription is None:
        assert person.id is not None
        subscription = JobSubscription(person_id=person.id, created_at=now or utcnow())
    subscription.village = village
    session.add(subscription)
    await session.commit()
    return subscription


async def unsubscribe(session: AsyncSession, person: Person) -> bool:
    subscription = await get_subscription(session, person)
    if subscription is None:
        return False
    await session.delete(subscription)
    await session.commit()
    return True


async def subscribers_for(session: AsyncSession, villages: Iterable[str]) -> list[Person]:
    """People to tell about a posting announced in ``villages``: everywhere-subscribers and those villages'."""
    wanted = sorted(set(villages))
    condition = col(JobSubscription.village).is_(None)
    if wanted:
        condition = condition | col(JobSubscription.village).in_(wanted)
    result = await session.exec(
        select(Person)
        .join(JobSubscription, col(JobSubscription.person_id) == col(Person.id))
        .where(condition)
        .order_by(col(Person.id))
    )
    return list(result.all())
