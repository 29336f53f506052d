"""Leases in the running sender: two senders share one outbox, a slow request keeps its row, a live
instance's rows are left alone and a dead one's are taken back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.clock import utcnow
from bot.db import SessionFactory
from bot.delivery import service
from bot.delivery.limiter import Limiter
from bot.delivery.models import Delivery
from bot.delivery.sender import Sender, SenderConfig, TelegramRateLimiter
from bot.playground.botapi import FakeBotAPI
from tests.e2e.delivery.test_sender import FAST, STRAY_429, _finished, _people, _queue, _rows, _run_until

LIVE, DEAD = "station-b:7:aa11", "station-a:7:ff00"
SHORT_LEASE = SenderConfig(progress_interval=0.2, idle_poll=0.2, backoff_base=0.1, lease=0.6)


def _client(fake: FakeBotAPI, limiter: Limiter) -> ExtBot[None]:
    """One instance's connection to the Bot API; instances share ``limiter`` as they share Telegram's limits."""
    return ExtBot(
        fake.token,
        base_url=f"{fake.base_url}/bot",
        rate_limiter=TelegramRateLimiter(limiter),
        request=HTTPXRequest(connection_pool_size=64),
    )


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[ExtBot[None]]:
    async with _client(fake, Limiter()) as bot:
        yield bot


class _Tally(Sender):
    """A sender that notes which rows it sent."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sent: list[int] = []

    async def _send(self, item: service.Work) -> None:
        await super()._send(item)
        self.sent.append(item.delivery_id)


async def test_two_senders_drain_one_campaign_with_one_copy_per_chat(
    fake: FakeBotAPI, db: SessionFactory, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("only one instance runs on a SQLite database")
    users = _people(fake, 300)
    campaign_id = await _queue(db, users)
    limiter = Limiter()
    async with _client(fake, limiter) as first_bot, _client(fake, limiter) as second_bot:
        first = _Tally(first_bot, db, config=FAST, instance="station-a:1:0001")
        second = _Tally(second_bot, db, config=FAST, instance="station-b:1:0002")
        second.start()
        try:
            await _run_until(first, lambda: _finished(db, campaign_id), limit=40)
        finally:
            await second.stop()

    assert {u: fake.accepted_sends[u] for u in users} == dict.fromkeys(users, 1)
    # Two senders and the fake share one event loop here, so stalls between a limiter slot and its request
    # push more requests over a window than with one (see STRAY_429); each is retried, none is lost or doubled.
    assert fake.rejected_429 <= max(STRAY_429, len(users) // 20)
    rows = await _rows(db, campaign_id)
    assert all(r.state == "sent" and not r.maybe_duplicate and r.lease_owner is None for r in rows.values())
    assert first.sent and second.sent, "both instances sent"
    assert set(first.sent) | set(second.sent) == {r.id for r in rows.values()}
    assert len(first.sent) + len(second.sent) == 300 + fake.rejected_429, "one attempt per row, and per 429"


async def test_a_slow_request_keeps_its_lease(
    fake: FakeBotAPI, bot: ExtBot[None], db: SessionFactory
) -> None:
    """A request that takes longer than the lease: the sender renews it, so nobody takes the row back."""
    (user,) = _people(fake, 1)
    fake.delay_next("sendMessage", 1.5)
    campaign_id = await _queue(db, [user])
    taken_back: list[int] = []

    async def watch() -> None:
        while True:
            async with db() as session:
                taken_back.append(await service.recover_interrupted(session))
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch())
    try:
        await _run_until(Sender(bot, db, config=SHORT_LEASE), lambda: _finished(db, campaign_id))
    finally:
        watcher.cancel()
    assert len(taken_back) >= 3 and not any(taken_back), "another instance found no expired lease"
    row = (await _rows(db, campaign_id))[user]
    assert (row.state, row.maybe_duplicate, fake.accepted_sends[user]) == ("sent", False, 1)


async def test_a_live_instance_keeps_its_rows_and_a_dead_ones_are_sent_again(
    fake: FakeBotAPI, bot: ExtBot[None], db: SessionFactory, backend: str
) -> None:
    abandoned, held, fresh = _people(fake, 3)
    campaign_id = await _queue(db, [abandoned, held, fresh])
    now = utcnow()
    async with db() as session:
        work = {w.chat_id: w for w in await service.due_work(session)}
        assert await service.claim(session, work[abandoned], owner=DEAD, now=now - timedelta(hours=1))
        assert await service.claim(session, work[held], owner=LIVE, now=now)
    sender = Sender(bot, db, config=SHORT_LEASE)
    sender.start()
    try:
        await fake.wait_until(
            lambda: fake.accepted_sends[abandoned] and fake.accepted_sends[fresh], timeout=10
        )
        await asyncio.sleep(1.0)  # several rounds of lease upkeep
        rows = await _rows(db, campaign_id)
        if backend == "sqlite":
            # Only one instance can run on a SQLite file: at start every row in flight is a dead process's.
            assert fake.accepted_sends[held] == 1 and rows[held].maybe_duplicate
        else:
            assert (rows[held].state, rows[held].lease_owner, rows[held].maybe_duplicate) == (
                "sending",
                LIVE,
                False,
            )
            assert fake.accepted_sends[held] == 0, "the other instance is still sending it"
            async with db() as session:  # that instance dies: nobody renews its lease any more
                await session.exec(
                    update(Delivery)
                    .where(col(Delivery.lease_owner) == LIVE)
                    .values(lease_until=utcnow() - timedelta(seconds=1))
                )
                await session.commit()
        await _run_until(sender, lambda: _finished(db, campaign_id))
    finally:
        await sender.stop()

    rows = await _rows(db, campaign_id)
    assert {c: fake.accepted_sends[c] for c in (abandoned, held, fresh)} == dict.fromkeys(
        (abandoned, held, fresh), 1
    )
    assert {c: (r.state, r.maybe_duplicate) for c, r in rows.items()} == {
        abandoned: ("sent", True),
        held: ("sent", True),
        fresh: ("sent", False),
    }
