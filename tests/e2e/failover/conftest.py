"""Two instances of ``python -m bot run`` on one PostgreSQL database and the fake Bot API: a leader and a
standby, started in that order so that the test knows which one leads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence

import pytest
from sqlalchemy.pool import NullPool

from bot.db import SessionFactory, create_engine, create_session_factory
from bot.delivery.models import Delivery
from bot.playground.botapi import FakeBotAPI
from tests.conftest import POSTGRES_URL
from tests.e2e.processes import ELECTED, READY, STANDBY, BotProcess, BotProcesses

TAKEOVER_SECONDS = 10.0

needs_postgresql = [
    pytest.mark.skipif(not POSTGRES_URL, reason="two instances need PostgreSQL: set TEST_DATABASE_URL"),
    pytest.mark.parametrize("backend", ["postgresql"]),
]
"""The marks of a module whose tests run two instances (PostgreSQL only)."""


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    """Sessions on the test's database, beside the bot processes."""
    engine = create_engine(database_url, poolclass=NullPool)
    yield create_session_factory(engine)
    await engine.dispose()


async def leader_and_standby(bots: BotProcesses) -> tuple[BotProcess, BotProcess]:
    """Start instance ``a`` and wait until it leads and is ready, then ``b`` and wait until it stands by."""
    leader = await bots.start("a")
    await leader.wait_for_output(ELECTED, timeout=30)
    await leader.wait_for_output(READY, timeout=30)
    standby = await bots.start("b")
    await standby.wait_for_output(STANDBY, timeout=30)
    return leader, standby


async def taken_over(standby: BotProcess, killed: float) -> float:
    """The seconds from ``killed`` (``time.monotonic()`` at the leader's SIGKILL) until the standby is elected
    and ready, asserted under 10 s."""
    ready = await standby.wait_for_output(READY, timeout=TAKEOVER_SECONDS + 20)
    takeover = ready - killed
    assert takeover < TAKEOVER_SECONDS, f"the standby took {takeover:.1f} s to take over:\n{standby.output()}"
    assert "elected leader after" in standby.output()
    return takeover


async def all_sent(
    api: FakeBotAPI, chats: Collection[int], rows: Callable[[], Awaitable[Sequence[Delivery]]]
) -> Sequence[Delivery]:
    """Wait until every chat has a copy and every outbox row is marked sent; the rows."""
    await api.wait_until(lambda: all(api.accepted_sends[c] for c in chats), timeout=40)
    for _ in range(100):
        found = await rows()
        if all(r.state == "sent" for r in found):
            break
        await asyncio.sleep(0.1)
    return found


def one_copy_each(
    api: FakeBotAPI, chats: Collection[int], rows: Sequence[Delivery], sent_by_leader: set[int]
) -> tuple[set[int], set[int]]:
    """Assert that every chat got one copy — two only where the row is flagged as possibly duplicated, and
    never for what the dead leader had sent; the flagged chats and the duplicated ones."""
    assert {r.state for r in rows} == {"sent"}
    counts = {c: api.accepted_sends[c] for c in chats}
    duplicates = {c for c, n in counts.items() if n > 1}
    flagged = {r.chat_id for r in rows if r.maybe_duplicate}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    assert duplicates <= flagged, "a second copy only where the row is flagged as possibly duplicated"
    assert all(counts[c] == 1 for c in sent_by_leader), "nothing the leader had sent was sent again"
    return flagged, duplicates
