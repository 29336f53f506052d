"""The leader election on PostgreSQL's advisory lock: one leader, a standby that takes over when the
leader's connection goes, and a heartbeat that notices a lost connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.failover.leader import KEEPALIVES, LeaderElection, asyncpg_dsn
from tests.conftest import POSTGRES_URL

needs_postgresql = pytest.mark.skipif(
    not POSTGRES_URL, reason="the election needs PostgreSQL: set TEST_DATABASE_URL"
)


def test_the_asyncpg_dsn_keeps_credentials_and_drops_the_driver() -> None:
    dsn = asyncpg_dsn("postgresql+asyncpg://bot:s3cret@db.example:5433/xingzhan?ssl=require")
    assert dsn == "postgresql://bot:s3cret@db.example:5433/xingzhan?ssl=require"


@pytest.fixture
async def elections() -> AsyncIterator[list[LeaderElection]]:
    """Elections made by the test, closed after it."""
    made: list[LeaderElection] = []
    yield made
    for election in made:
        await election.close()


def _election(made: list[LeaderElection], name: str, **options: float) -> LeaderElection:
    election = LeaderElection(POSTGRES_URL, name, retry_seconds=0.1, **options)
    made.append(election)
    return election


@needs_postgresql
async def test_one_leader_and_a_standby_that_knows_who_leads(elections: list[LeaderElection]) -> None:
    first, second = _election(elections, "alpha"), _election(elections, "beta")
    assert await first.try_to_lead()
    assert await first.try_to_lead(), "asking again while leading keeps the lead"
    assert not await second.try_to_lead()
    assert await second.current_leader() == "alpha"
    await first.close()  # the leader's connection goes, and the lock with it
    assert await second.try_to_lead()
    assert await second.current_leader() == "beta"


@needs_postgresql
async def test_the_lock_connection_has_the_keepalives_set_for_its_session(
    elections: list[LeaderElection],
) -> None:
    election = _election(elections, "alpha")
    await election.connect()
    connection = election._connection
    for name, value in KEEPALIVES.items():
        shown = await connection.fetchval(f"SHOW {name}")
        assert shown.removesuffix("ms").removesuffix("s") == value, (name, shown)
    assert await connection.fetchval("SHOW application_name") == "xingzhan:alpha"


@needs_postgresql
async def test_a_standby_waits_then_is_elected_when_the_leader_dies(
    elections: list[LeaderElection], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.failover.leader")
    leader, standby = _election(elections, "alpha"), _election(elections, "beta")
    assert await leader.try_to_lead()
    waiting = asyncio.create_task(standby.wait_for_leadership())
    await asyncio.sleep(0.5)
    assert not waiting.done()
    assert "standby: instance alpha leads; waiting" in caplog.text
    await leader.close()
    waited = await asyncio.wait_for(waiting, timeout=5)
    assert waited >= 0.5 and standby.leading
    assert "instance beta elected leader after" in caplog.text
    assert "catching up" in caplog.text


@needs_postgresql
async def test_the_heartbeat_notices_a_terminated_session_at_once(
    elections: list[LeaderElection], caplog: pytest.LogCaptureFixture
) -> None:
    leader = _election(elections, "alpha", heartbeat_seconds=0.2, heartbeat_timeout=1.0)
    assert await leader.try_to_lead()
    lost = asyncio.Event()
    holding = asyncio.create_task(leader.keep_leading(lost.set))
    await asyncio.sleep(0.5)
    assert not lost.is_set(), "a live connection keeps the lead"
    admin = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'xingzhan:alpha'"
            " AND datname = current_database()"
        )
        await asyncio.wait_for(lost.wait(), timeout=3)
        assert not await admin.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            0x585A_4C44,
        ), "the lock went with the session"
    finally:
        await admin.close()
    await asyncio.wait_for(holding, timeout=1)
    assert not leader.leading
    assert "lost the leadership lock; stopping" in caplog.text


@needs_postgresql
async def test_a_heartbeat_that_cannot_answer_counts_as_lost(elections: list[LeaderElection]) -> None:
    leader = _election(elections, "alpha", heartbeat_seconds=0.1, heartbeat_timeout=0.3)
    assert await leader.try_to_lead()
    blocker = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL))
    try:
        # The leader's connection is busy with a query that waits for a lock: its heartbeat cannot answer.
        await blocker.execute("SELECT pg_advisory_lock(42)")
        stuck = asyncio.create_task(leader._connection.fetchval("SELECT pg_advisory_lock(42)"))
        await asyncio.sleep(0.2)
        lost = asyncio.Event()
        await asyncio.wait_for(leader.keep_leading(lost.set), timeout=3)
        assert lost.is_set()
        stuck.cancel()
        await asyncio.gather(stuck, return_exceptions=True)
    finally:
        await blocker.close()


@needs_postgresql
async def test_instances_migrate_one_at_a_time(elections: list[LeaderElection]) -> None:
    first, second = _election(elections, "alpha"), _election(elections, "beta")
    order: list[str] = []

    async def migrate(election: LeaderElection, name: str) -> None:
        async with election.migration_lock():
            order.append(f"{name} starts")
            await asyncio.sleep(0.3)
            order.append(f"{name} ends")

    await asyncio.gather(migrate(first, "alpha"), migrate(second, "beta"))
    assert order in (
        ["alpha starts", "alpha ends", "beta starts", "beta ends"],
        ["beta starts", "beta ends", "alpha starts", "alpha ends"],
    )


async def test_any_heartbeat_failure_ends_the_lead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only a connection error: a leader that cannot prove it holds the lock stops."""
    leader = LeaderElection("postgresql+asyncpg://postgres@127.0.0.1/none", "alpha", heartbeat_seconds=0.01)
    leader.leading = True

    async def broken() -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(leader, "heartbeat", broken)
    lost = asyncio.Event()
    await asyncio.wait_for(leader.keep_leading(lost.set), timeout=2)
    assert lost.is_set() and not leader.leading
