"""The flood limits shared through PostgreSQL: two instances (two limiters, each with its own budget and
connections) reserving at once stay under one set of limits; a 429 seen by one holds the other; without the
database each keeps half the limits on its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy.pool import NullPool

from bot.app import build_application
from bot.config import Settings
from bot.db import create_engine
from bot.delivery.limiter import Limiter, Limits, most_in_window
from bot.delivery.sender import TelegramRateLimiter
from bot.delivery.shared_budget import OVERALL, Reservation, SharedBudget, chat_key
from tests.conftest import POSTGRES_URL

needs_postgresql = pytest.mark.skipif(
    not POSTGRES_URL, reason="the shared budget lives in PostgreSQL: set TEST_DATABASE_URL"
)
on_postgresql = pytest.mark.parametrize("backend", ["postgresql"])

#: Small, fast limits: 20 a second overall, 4 a second in one group.
FAST = Limits(overall_per_second=20, group_per_minute=4, group_window=1.0, private_per_second=0, margin=0.02)
GROUP = -1001


async def _paused(budget: SharedBudget, key: str) -> None:
    """Wait until the row of ``key`` records a pause (it is written in the background)."""
    for _ in range(200):
        row = await budget.snapshot(key)
        if row is not None and row["paused_until"] > 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no pause recorded for {key}")


class RecordingBudget(SharedBudget):
    """A budget that keeps every slot it reserved (on the database's clock)."""

    def __init__(self, *args: object, slots: list[tuple[int | str | None, float]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.slots = slots

    async def reserve(self, chat_id: int | str | None, limits: Limits) -> Reservation:
        reservation = await super().reserve(chat_id, limits)
        if reservation.reserved:
            assert reservation.slot is not None
            self.slots.append((chat_id, reservation.slot))
        return reservation


@pytest.fixture
async def instances(
    database_url: str,
) -> AsyncIterator[tuple[Limiter, Limiter, list[tuple[int | str | None, float]]]]:
    """Two limiters, as two instances would have, with their own connections to one database, and the
    slots both reserved."""
    slots: list[tuple[int | str | None, float]] = []
    limiters = []
    for _ in range(2):
        limiter = Limiter(FAST)
        limiter.shared = RecordingBudget(
            create_engine(database_url, poolclass=NullPool), slots=slots, owns_engine=True
        )
        limiters.append(limiter)
    yield limiters[0], limiters[1], slots
    for limiter in limiters:
        assert limiter.shared is not None
        await limiter.shared.close()


@needs_postgresql
@on_postgresql
async def test_two_instances_together_keep_one_group_and_one_overall_limit(
    instances: tuple[Limiter, Limiter, list[tuple[int | str | None, float]]],
) -> None:
    first, second, slots = instances

    async def send(limiter: Limiter, chat_id: int) -> None:
        await limiter.acquire(chat_id, interactive=True)

    requests = [
        *(send(limiter, GROUP) for limiter in (first, second) for _ in range(5)),
        *(send(limiter, 5000 + i) for limiter in (first, second) for i in range(12)),
        *(send(limiter, -2000 - i) for limiter in (first, second) for i in range(3)),
    ]
    await asyncio.wait_for(asyncio.gather(*requests), timeout=60)

    assert len(slots) == 40, "every request took a shared slot"
    group = [slot for chat, slot in slots if chat == GROUP]
    assert len(group) == 10
    # (Slots are seconds since the epoch, exact to about a microsecond: windows a little shorter than the
    # limiter's own, which adds the margin, keep rounding out of the count.)
    assert most_in_window(group, FAST.group_window + FAST.margin / 2) <= FAST.group_per_minute
    everything = [slot for _, slot in slots]
    assert most_in_window(everything, 1.0 + FAST.margin / 2) <= FAST.overall_per_second
    assert first.shared is not None and not first.shared.degraded
    assert second.shared is not None and not second.shared.degraded
    assert first.stats.requests + second.stats.requests == 40


@needs_postgresql
@on_postgresql
async def test_a_full_group_is_refused_without_holding_up_other_chats(
    instances: tuple[Limiter, Limiter, list[tuple[int | str | None, float]]],
) -> None:
    first, second, _ = instances
    assert first.shared is not None and second.shared is not None
    for _ in range(FAST.group_per_minute):
        assert (await first.shared.reserve(GROUP, FAST)).reserved
    refused = await second.shared.reserve(GROUP, FAST)
    assert not refused.reserved
    assert 0 < refused.wait <= FAST.group_window + FAST.margin
    other = await second.shared.reserve(-7, FAST)
    assert other.reserved and other.wait < FAST.group_window
    row = await first.shared.snapshot(chat_key(GROUP))
    assert row is not None and len(row["slots"]) == FAST.group_per_minute, "one row per group, its last slots"


@needs_postgresql
@on_postgresql
async def test_a_flood_answer_seen_by_one_instance_holds_the_other(
    instances: tuple[Limiter, Limiter, list[tuple[int | str | None, float]]],
) -> None:
    first, second, _ = instances
    assert first.shared is not None and second.shared is not None
    slow = replace(FAST, group_window=10.0)  # the window stays full while the pause is decided
    first.limits = second.limits = slow
    for _ in range(slow.group_per_minute):
        await first.acquire(GROUP)
    first.on_retry_after(GROUP, 30)  # the group's shared window was full: that group waits, not everything
    await _paused(first.shared, chat_key(GROUP))
    overall = await first.shared.snapshot(OVERALL)
    assert overall is not None and overall["paused_until"] == 0
    held = await second.shared.reserve(GROUP, slow)
    assert not held.reserved and held.wait > slow.group_window + 5, "held by the pause, beyond the window"
    other = await second.shared.reserve(-7, slow)
    assert other.reserved and other.wait < 5

    first.on_retry_after(-8, 30)  # a group with room in its window: the overall limit was hit, all stop
    await _paused(first.shared, OVERALL)
    group_row = await first.shared.snapshot(chat_key(-8))
    assert group_row is None or group_row["paused_until"] == 0
    later = await second.shared.reserve(-9, slow)
    assert later.reserved and later.wait > 20
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(second.acquire(-10), timeout=1.5)


async def test_without_the_database_each_instance_keeps_half_the_limits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", poolclass=NullPool)
    limiter = Limiter(Limits(overall_per_second=0, group_per_minute=4, group_window=60, margin=0.01))
    limiter.shared = SharedBudget(unreachable, timeout=5, owns_engine=True)
    caplog.set_level(logging.WARNING, logger="bot.delivery.shared_budget")
    try:
        assert await asyncio.wait_for(limiter.acquire(GROUP), timeout=20)
        assert limiter.shared.degraded
        assert limiter.active_limits.group_per_minute == 2
        assert await limiter.acquire(GROUP, wait_for_chat=False)
        assert not await limiter.acquire(GROUP, wait_for_chat=False), "half of 4 a window: the third waits"
        assert await limiter.acquire(-9, wait_for_chat=False)
        limiter.on_retry_after(-10, 1)
        await asyncio.sleep(0)
        unreachable_logs = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(unreachable_logs) == 1, "logged once"
    finally:
        await limiter.shared.close()


@pytest.mark.parametrize(
    ("url", "webhook_url", "shared"),
    [
        ("postgresql+asyncpg://postgres@127.0.0.1/xingzhan", "https://bot.example.org/telegram", True),
        ("postgresql+asyncpg://postgres@127.0.0.1/xingzhan", None, False),
        ("sqlite+aiosqlite://", "https://bot.example.org/telegram", False),
    ],
)
async def test_only_webhook_instances_on_postgresql_share_their_limits(
    url: str, webhook_url: str | None, shared: bool
) -> None:
    settings = Settings(_env_file=None, bot_token="123:abc", database_url=url, webhook_url=webhook_url)  # type: ignore[call-arg]
    application = build_application(settings)
    rate_limiter = application.bot.rate_limiter
    assert isinstance(rate_limiter, TelegramRateLimiter)
    assert isinstance(rate_limiter.limiter.shared, SharedBudget) is shared
    await rate_limiter.shutdown()
    await application.bot_data.engine.dispose()
