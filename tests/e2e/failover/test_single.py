"""SQLite stays single: a second ``python -m bot run`` on the same database file refuses to start with one
line on stderr and its own exit status, and the first one goes on; once the first is killed, nothing is left
in the way of the next start."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.failover import EXIT_DATABASE_IN_USE
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import ADMIN_ID, reply_to
from tests.e2e.processes import BotProcesses

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


async def test_a_second_instance_on_the_same_sqlite_file_refuses_to_start(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    api = fake_bot_api
    admin = api.user(ADMIN_ID, "王经理")
    async with BotProcesses(api, database_url, tmp_path) as bots:
        first = await bots.start("first")
        await first.wait_ready()
        second = await bots.start("second")
        assert await second.exit_code() == EXIT_DATABASE_IN_USE
        lines = second.output().strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("error: another instance of the bot (pid ")
        assert f"pid {first.pid})" in lines[0]
        assert "two instances need PostgreSQL" in lines[0]
        assert first.alive
        await reply_to(api, admin, "/help", timeout=15)  # the first one still answers

        await first.kill()
        third = await bots.start("third")
        await third.wait_ready()
        assert "error:" not in third.output()
