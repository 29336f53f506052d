"""Outbox leases: a claim names its instance and a deadline; recovery takes back only what ran out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service
from bot.delivery.instance import instance_id
from bot.delivery.models import Campaign, Delivery, DeliveryState
from bot.delivery.payload import Payload

TEXT = Payload(text="今晚八点开会")
LIVE, DEAD = "station-b:7:aa11", "station-a:7:ff00"


async def _rows(session: AsyncSession, campaign_id: int) -> dict[int, Delivery]:
    query = select(Delivery).where(Delivery.campaign_id == campaign_id)
    rows = await session.exec(query.execution_options(populate_existing=True))
    return {row.chat_id: row for row in rows.all()}


async def _queue(session: AsyncSession, chats: range | list[int]) -> int:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(c) for c in chats])
    assert campaign.id is not None
    return campaign.id


def test_instance_id_names_host_and_process_once() -> None:
    first = instance_id()
    host, pid, suffix = first.rsplit(":", 2)
    assert host and int(pid) > 0 and len(suffix) == 8
    assert instance_id() == first


async def test_a_claim_records_owner_and_deadline_and_every_outcome_ends_it(session: AsyncSession) -> None:
    campaign_id = await _queue(session, [1, 2, 3, 4])
    now = utcnow()
    work = {w.chat_id: w for w in await service.due_work(session)}
    claimed = await service.claim_batch(session, list(work.values()), owner=LIVE, now=now)
    assert [w.chat_id for w in claimed] == [1, 2, 3, 4] and all(w.attempts == 1 for w in claimed)
    rows = await _rows(session, campaign_id)
    assert {(r.state, r.lease_owner, r.lease_until) for r in rows.values()} == {
        (DeliveryState.SENDING, LIVE, now + service.LEASE)
    }
    campaign = await session.get(Campaign, campaign_id, populate_existing=True)
    assert campaign is not None and campaign.started_at == now

    await service.mark_sent(session, work[1], 501)
    await service.mark_retry(session, work[2], now + timedelta(seconds=5), "flood control: retry in 5s")
    await service.mark_failed(session, work[3], "Bad Request: chat not found")
    await service.mark_blocked(session, work[4], "Forbidden: bot was blocked by the user")
    rows = await _rows(session, campaign_id)
    assert [rows[c].state for c in (1, 2, 3, 4)] == ["sent", "pending", "failed", "blocked"]
    assert all(r.lease_owner is None and r.lease_until is None for r in rows.values())
    assert await service.recover_interrupted(session, now=now + service.LEASE * 10) == 0


async def test_a_batch_claims_only_rows_still_pending(session: AsyncSession) -> None:
    campaign_id = await _queue(session, range(1, 6))
    work = await service.due_work(session)
    assert await service.claim(session, work[1], owner=DEAD)
    await service.cancel_campaign(session, campaign_id)  # 1, 3, 4, 5 were pending: cancelled
    assert await service.claim_batch(session, work, owner=LIVE) == []
    other = await _queue(session, range(10, 14))
    work = await service.due_work(session)
    assert await service.claim(session, work[2], owner=DEAD)
    claimed = await service.claim_batch(session, work[::-1], limit=2, owner=LIVE)
    assert [w.chat_id for w in claimed] == [13, 11], "the first ones in the list's order, taken ones skipped"
    assert [w.chat_id for w in await service.claim_batch(session, work, limit=2, owner=LIVE)] == [10]
    rows = await _rows(session, other)
    assert rows[12].lease_owner == DEAD and {rows[c].lease_owner for c in (10, 11, 13)} == {LIVE}


async def test_recovery_leaves_a_live_lease_alone_and_takes_an_expired_one(session: AsyncSession) -> None:
    campaign_id = await _queue(session, [1, 2, 3])
    now = utcnow()
    first, second, _third = await service.due_work(session)
    await service.claim(session, first, owner=DEAD, now=now - service.LEASE - timedelta(seconds=1))
    await service.claim(session, second, owner=LIVE, now=now)

    assert await service.recover_interrupted(session, now=now) == 1
    rows = await _rows(session, campaign_id)
    assert (rows[1].state, rows[1].maybe_duplicate, rows[1].lease_owner) == ("pending", True, None)
    assert rows[1].error == service.LEASE_LOST
    assert (rows[2].state, rows[2].maybe_duplicate, rows[2].lease_owner) == ("sending", False, LIVE)
    assert (rows[3].state, rows[3].maybe_duplicate) == ("pending", False)
    assert [w.chat_id for w in await service.due_work(session, now=now)] == [1, 3]

    assert await service.recover_interrupted(session, now=now, every_lease=True) == 1
    assert (await _rows(session, campaign_id))[2].maybe_duplicate


async def test_renewal_keeps_a_long_send_its_own(session: AsyncSession) -> None:
    campaign_id = await _queue(session, [1, 2])
    start = utcnow()
    mine, theirs = await service.due_work(session)
    await service.claim(session, mine, owner=LIVE, now=start)
    await service.claim(session, theirs, owner=DEAD, now=start)
    for step in (1, 2, 3, 4):  # the owner renews every half lease; nobody takes its row meanwhile
        at = start + service.LEASE / 2 * step
        assert await service.renew_leases(session, LIVE, now=at) == 1
        assert await service.recover_interrupted(session, now=at + timedelta(seconds=1)) == (step == 2)
    rows = await _rows(session, campaign_id)
    assert (rows[1].state, rows[1].lease_until) == ("sending", start + service.LEASE * 3)
    assert (rows[2].state, rows[2].maybe_duplicate) == ("pending", True), "its owner stopped renewing"
    assert await service.recover_interrupted(session, now=start + service.LEASE * 3) == 1


async def test_rows_left_sending_without_a_lease_count_as_expired(session: AsyncSession) -> None:
    """Rows an older version left ``sending`` (before leases existed) are taken back at once."""
    campaign_id = await _queue(session, [1])
    await session.exec(update(Delivery).values(state=DeliveryState.SENDING))
    await session.commit()
    assert await service.recover_interrupted(session) == 1
    assert (await _rows(session, campaign_id))[1].maybe_duplicate


async def test_single_writer_is_sqlite_only(session: AsyncSession, backend: str) -> None:
    assert service.single_writer(session) is (backend == "sqlite")


async def test_a_concurrent_claim_skips_locked_rows_instead_of_waiting(
    session_factory: Callable[[], AsyncSession], backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: there are no row locks to skip")
    async with session_factory() as session:
        campaign_id = await _queue(session, range(1, 7))
        work = await service.due_work(session)
    async with session_factory() as first, session_factory() as second:
        # The first instance is in the middle of claiming rows 1-3: they are locked until it commits.
        locked = select(Delivery).where(col(Delivery.chat_id).in_([1, 2, 3])).with_for_update()
        assert len((await first.exec(locked)).all()) == 3
        claimed = await asyncio.wait_for(service.claim_batch(second, work, owner=LIVE), timeout=5)
        assert [w.chat_id for w in claimed] == [4, 5, 6]
        await first.rollback()
        claimed = await service.claim_batch(first, work, owner=DEAD)
        assert [w.chat_id for w in claimed] == [1, 2, 3]
    async with session_factory() as session:
        rows = await _rows(session, campaign_id)
    assert {c: r.lease_owner for c, r in rows.items()} == {
        1: DEAD,
        2: DEAD,
        3: DEAD,
        4: LIVE,
        5: LIVE,
        6: LIVE,
    }
