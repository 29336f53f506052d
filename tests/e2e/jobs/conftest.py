"""The running bot for the jobs flows, with helpers to talk to it as a user."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import BotApplication
from bot.delivery.sender import TelegramRateLimiter
from tests.e2e.conftest import bot_settings, running_bot
from tests.fakes.bot_api import Call, FakeBotAPI, FakeUser


@pytest.fixture
async def jobs_bot(fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    """The bot as ``python -m bot run`` starts it (outbox sender included).

    A person cannot type faster than the bot's one-message-a-second pace in a private chat, but a test can;
    only that per-chat pause is lifted here so that the long forms run quickly. The overall and per-group
    limits stay as in production.
    """
    async with running_bot(bot_settings(fake_bot_api, database_url)) as application:
        limiter = application.bot.rate_limiter
        if isinstance(limiter, TelegramRateLimiter):
            limiter.limiter.limits = dataclasses.replace(limiter.limiter.limits, private_per_second=0)
        yield application


async def say(api: FakeBotAPI, user: FakeUser, text: str, expect: str, *, chat: Any = None) -> Call:
    """Send ``text`` as ``user`` and wait for the bot's message containing ``expect`` in that chat."""
    mark = api.mark()
    await api.send_text(user, text, chat=chat)
    chat_id = chat.id if chat is not None else user.id
    return await api.wait_for(
        "sendMessage", lambda c: expect in c.params.get("text", ""), since=mark, chat_id=chat_id
    )


async def press(api: FakeBotAPI, user: FakeUser, message: Any, label: str) -> int:
    """Press the button labelled ``label``; returns the mark taken before pressing."""
    mark = api.mark()
    await api.press_button(user, message, text=label)
    return mark


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons of a message as the user sees it."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]
