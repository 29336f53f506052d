"""Pytest fixtures and helpers around :class:`~bot.playground.botapi.FakeBotAPI`.

Import them into a ``conftest.py`` (list the fixture in ``__all__`` instead of ``noqa`` if
another fixture in that module requests it, or ruff reports F811)::

    from tests.fakes.fixtures import fake_bot_api, running_application  # noqa: F401
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence

import pytest_asyncio
from telegram.ext import Application

from bot.playground.botapi import FakeBotAPI

__all__ = ["fake_bot_api", "running_application"]


@pytest_asyncio.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A started :class:`FakeBotAPI`, stopped after the test."""
    async with FakeBotAPI() as fake:
        yield fake


@contextlib.asynccontextmanager
async def running_application(
    app: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: float = 1.0,
    allowed_updates: Sequence[str] | None = None,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Initialize and start ``app`` with long polling (short timeouts), stop it on exit."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0,
            timeout=dt.timedelta(seconds=poll_timeout),
            allowed_updates=allowed_updates,
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
