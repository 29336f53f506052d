"""Fixtures of the outbox's end-to-end tests: a migrated database and the fake Bot API with flood limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db import SessionFactory, create_engine, create_session_factory, upgrade_database
from bot.playground.botapi import FakeBotAPI


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SessionFactory]:
    """Sessions over a migrated database that several connections can share (file SQLite or PostgreSQL)."""
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API with Telegram's flood limits switched on."""
    async with FakeBotAPI() as fake:
        fake.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
        yield fake
