"""Two instances of ``python -m bot run`` on one PostgreSQL database and the fake Bot API: a leader and a
standby, started in that order so that the test knows which one leads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.pool import NullPool

from bot.db import SessionFactory, create_engine, create_session_factory
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
