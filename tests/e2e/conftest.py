"""End-to-end fixtures: the real Application from ``build_application()`` against the fake Bot API."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApplication, build_application
from bot.config import Settings
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.fakes.fixtures import fake_bot_api

__all__ = ["ADMIN_ID", "fake_bot_api"]

ROOT = Path(__file__).resolve().parents[2]
ADMIN_ID = 900_001


def bot_settings(api: FakeBotAPI, database_url: str, **overrides: Any) -> Settings:
    """Settings pointing the bot at the fake server and the test database (no .env is read)."""
    values: dict[str, Any] = {
        "bot_token": api.token,
        "telegram_api_url": api.base_url,
        "database_url": database_url,
        "admin_ids": frozenset({ADMIN_ID}),
        "knowledge_dir": ROOT / "knowledge",
        "error_report_interval_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[BotApplication]:
    """Start the bot as ``python -m bot run`` does (startup hook included), with quick long polling."""
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=1))
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    """The running bot, with one configured admin."""
    async with running_bot(bot_settings(fake_bot_api, database_url)) as application:
        yield application


@pytest.fixture
def admin(fake_bot_api: FakeBotAPI) -> FakeUser:
    """The admin configured in ADMIN_IDS."""
    return fake_bot_api.user(ADMIN_ID, "王经理", username="manager_wang")


async def reply_to(
    api: FakeBotAPI, user: FakeUser, text: str, *, chat: Any = None, method: str = "sendMessage"
) -> Any:
    """Send ``text`` as ``user`` and return the bot's next call of ``method`` to that chat."""
    mark = api.mark()
    await api.send_text(user, text, chat=chat)
    chat_id = chat.id if chat is not None else user.id
    return await api.wait_for(method, since=mark, chat_id=chat_id)


async def make_staff(application: BotApplication, user: FakeUser, role: str = "staff") -> None:
    """Record ``user`` as staff (or another role) directly in the bot's database."""
    from bot.people import service
    from bot.people.models import Role

    assert application.bot_data.db is not None
    async with application.bot_data.db() as session:
        person = await service.record_person(
            session,
            service.Profile(user.id, user.first_name, user.last_name, user.username, user.language_code),
        )
        person.role = Role(role)
        session.add(person)
        await session.commit()
