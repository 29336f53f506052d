"""An instance that cannot reach PostgreSQL to stand by says so in one line and exits, as at any start-up
with an unusable database; the restart policy tries again."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.playground.botapi import FakeBotAPI
from tests.e2e.processes import BotProcesses


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_no_database_to_stand_by_on_is_one_line(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://xingzhan:s3cret@127.0.0.1:{_closed_port()}/xingzhan"
    async with BotProcesses(fake_bot_api, url, tmp_path) as bots:
        bot = await bots.start("a")
        assert await bot.exit_code() == 1
        lines = bot.output().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "error: cannot use the database DATABASE_URL=postgresql+asyncpg://xingzhan:***@"
    )
    assert "s3cret" not in lines[0]
    assert fake_bot_api.calls == [], "nothing asked of Telegram before standing by"
