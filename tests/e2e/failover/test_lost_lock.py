"""A leader whose lock's session ends on the server (an administrator's ``pg_terminate_backend``, PostgreSQL
restarted, the network gone long enough for the keepalives) stops at once with its own exit status; the
standby is elected and ready within 10 s."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg
import pytest

from bot.failover import EXIT_LOST_LEADERSHIP
from bot.failover.leader import asyncpg_dsn
from bot.playground.botapi import FakeBotAPI
from tests.e2e.failover.conftest import TAKEOVER_SECONDS, leader_and_standby, needs_postgresql
from tests.e2e.processes import READY, BotProcesses

pytestmark = needs_postgresql


async def test_a_leader_that_loses_its_lock_stops_and_the_standby_takes_over(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    async with BotProcesses(fake_bot_api, database_url, tmp_path) as bots:
        leader, standby = await leader_and_standby(bots)
        admin = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'xingzhan:a'"
                " AND datname = current_database()"
            )
        finally:
            await admin.close()
        lost = time.monotonic()
        assert ended == 1
        try:
            exit_code = await leader.exit_code(timeout=5)
        except TimeoutError:
            pytest.fail(f"the leader did not stop after losing its lock:\n{leader.output()}")
        assert exit_code == EXIT_LOST_LEADERSHIP
        assert time.monotonic() - lost < 3, "the leader stopped at its next heartbeat"
        assert "lost the leadership lock; stopping" in leader.output()
        ready = await standby.wait_for_output(READY, timeout=TAKEOVER_SECONDS + 10)
        assert ready - lost < TAKEOVER_SECONDS, standby.output()
