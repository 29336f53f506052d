"""The playground end to end: the whole thing as ``python -m bot playground`` starts it, and a headless browser.

The playground always runs on SQLite (its own file under its data folder): its tests take no database
fixture, so they run once, whatever ``TEST_DATABASE_URL`` says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot import clock
from bot.attendance.schedule import local_date, local_moment
from bot.playground import Playground

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def playground(tmp_path: Path) -> AsyncIterator[Playground]:
    """An empty playground on a free port, its data under the test's folder, the repository's notes, no ``.env``
    read."""
    async with Playground(
        data_dir=tmp_path / "data", port=0, knowledge_dir=ROOT / "knowledge", env_file=None
    ) as running:
        yield running


@pytest.fixture
async def client(playground: Playground) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client of the playground's page server (paths relative to its address)."""
    async with aiohttp.ClientSession(playground.url, timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


def before_work_tomorrow(playground: Playground) -> None:
    """Put the bot's clock at 07:00 tomorrow, local time: where the clock goes for a check-in (and what falls
    due on the way) must not depend on the time of day the tests run at."""
    tomorrow = local_date(clock.utcnow(), playground.tz) + timedelta(days=1)
    clock.advance_to(local_moment(tomorrow, 7 * 60, playground.tz))
