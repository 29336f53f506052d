"""End-to-end fixtures: the real Application from ``build_application()`` against the fake Bot API."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApplication, build_application
from bot.config import Settings
from bot.delivery.limiter import Limits
from bot.delivery.sender import TelegramRateLimiter
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.fakes.fixtures import fake_bot_api

__all__ = ["ADMIN_ID", "QUICK_PACING", "fake_bot_api"]

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
        "saved_notes_dir": Path(
            tempfile.mkdtemp(prefix="xingzhan-saved-notes-")
        ),  # never ./data of the checkout
        "error_report_interval_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


#: The flood limits the bot keeps in a test that is not about them: Telegram's overall and per-group limits,
#: but not one message a second in a private chat, which would make every test sending someone a few messages
#: through the outbox (a lesson and its quiz, a reminder after an answer) wait a second for each.
QUICK_PACING = Limits(private_per_second=0)


def set_pacing(application: BotApplication, limits: Limits) -> None:
    """Make the bot's shared limiter (the handlers' requests and the outbox) keep ``limits``."""
    rate_limiter = application.bot.rate_limiter
    assert isinstance(rate_limiter, TelegramRateLimiter), "the composition root installs the shared limiter"
    rate_limiter.limiter.limits = limits


def real_pacing(application: BotApplication) -> None:
    """Telegram's limits as in production, for a test about pacing (the fake enforcing the same limits)."""
    set_pacing(application, Limits())


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, *, pacing: Limits = QUICK_PACING) -> AsyncIterator[BotApplication]:
    """Start the bot as ``python -m bot run`` does (startup hook included), with quick long polling, keeping
    ``pacing`` (``Limits()`` for production's, or ``real_pacing`` once running)."""
    application = build_application(settings)
    set_pacing(application, pacing)
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
    api: FakeBotAPI,
    user: FakeUser,
    text: str,
    *,
    expect: str | None = None,
    chat: Any = None,
    method: str = "sendMessage",
    timeout: float = 5.0,  # noqa: ASYNC109 (passed on to the fake's wait_for)
) -> Call:
    """Send ``text`` as ``user``; the bot's next call of ``method`` to that chat (with ``expect``: the next
    one whose text contains it, so a late message of an earlier step is never taken for the answer)."""
    mark = api.mark()
    await api.send_text(user, text, chat=chat)
    chat_id = chat.id if chat is not None else user.id
    if expect is None:
        return await api.wait_for(method, since=mark, chat_id=chat_id, timeout=timeout)
    return await api.wait_for(
        method,
        lambda call: expect in str(call.params.get("text") or call.params.get("caption") or ""),
        since=mark,
        chat_id=chat_id,
        timeout=timeout,
    )


async def press(
    api: FakeBotAPI, user: FakeUser, message: Any, data: str | None = None, *, text: str | None = None
) -> Call:
    """Press a button of ``message`` (by its callback data or by its label); the bot's answer to the press
    (``answerCallbackQuery``). Messages the press causes come after ``api.mark()`` taken before it."""
    mark = api.mark()
    update = await api.press_button(user, message, data, text=text)
    query_id = update["callback_query"]["id"]
    return await api.wait_for("answerCallbackQuery", since=mark, callback_query_id=query_id)


def buttons(message: Any) -> list[dict[str, Any]]:
    """The inline buttons of a message (a message dict or a call), row after row."""
    if isinstance(message, Call):
        message = message.params
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def staff(
    application: BotApplication, api: FakeBotAPI, user_id: int, name: str, *, role: str = "staff", **user: Any
) -> FakeUser:
    """A person the bot knows as staff (or ``role``: ``admin``, ``seeker``): a fake user recorded in the
    bot's database. ``user`` goes to ``FakeBotAPI.user`` (username, language_code, ...)."""
    from bot.people import service
    from bot.people.models import Role

    fake = api.user(user_id, name, **user)
    async with application.bot_data.db() as session:
        person = await service.record_person(
            session,
            service.Profile(fake.id, fake.first_name, fake.last_name, fake.username, fake.language_code),
        )
        person.role = Role(role)
        session.add(person)
        await session.commit()
    return fake


CHROMIUM = shutil.which("chromium")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium, driven by Playwright (skipped without either)."""
    playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is in the test extra")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)")
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()
