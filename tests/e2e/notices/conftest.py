"""Shared fixtures and helpers of the notices flows' tests (the bot itself is the ``bot`` fixture of tests/e2e)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.app import BotApplication
from bot.delivery.models import Delivery
from bot.delivery.sender import SenderConfig
from bot.notices.buttons import Send
from bot.notices.models import Notice
from bot.people import service as people
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, real_pacing, reply_to, staff

TEXT = "明天上午10点全员培训，请准时到"
#: Quick progress reports, so that a test does not wait three seconds for the panel to change.
QUICK = SenderConfig(progress_interval=0.3, idle_poll=0.3, backoff_base=0.2)


@pytest.fixture
def api(fake_bot_api: FakeBotAPI, bot: BotApplication) -> FakeBotAPI:
    """The fake with Telegram's flood limits on, the bot keeping them as in production, and a sender that
    reports progress quickly."""
    fake_bot_api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    real_pacing(bot)
    bot.bot_data.sender.config = QUICK
    return fake_bot_api


async def staff_members(
    bot: BotApplication, api: FakeBotAPI, count: int, start: int = 6000
) -> list[FakeUser]:
    """``count`` staff members named 员工00, 员工01, ..."""
    return [await staff(bot, api, start + i, f"员工{i:02d}", username=f"s{start + i}") for i in range(count)]


async def village_groups(bot: BotApplication, api: FakeBotAPI, count: int, **options: Any) -> list[int]:
    """``count`` village groups the bot is in (村群0, 村群1, ...); their chat ids."""
    ids = []
    async with bot.bot_data.db() as session:
        for i in range(count):
            chat = api.group(-(4000 + i), f"村群{i}", **options)
            await people.record_group(
                session, chat.id, title=chat.title or "", chat_type="group", active=True
            )
            ids.append(chat.id)
    return ids


async def press_and_wait(
    api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str, *, edits: bool = True
) -> Call:
    """Press a button; the bot's answer to the press. With ``edits`` it also waits until the bot has changed
    the message (an edit the fake answered 429 for, because the admin clicks faster than one message a
    second, is retried after the flood wait, behind the outbox when a notice is going out)."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    before = api.message(chat_id, message_id)
    answer = await press(api, user, message, data)
    if edits:
        await api.wait_until(
            lambda: api.message(chat_id, message_id) != before, timeout=15, message="an edit"
        )
    return answer


async def press_stale(api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str) -> Call:
    """Press a button the message may no longer show (replayed, or pressed as it changes); the bot's answer."""
    mark = api.mark()
    update = await api.press_button(user, message, data, strict=False)
    query_id = update["callback_query"]["id"]
    return await api.wait_for("answerCallbackQuery", since=mark, callback_query_id=query_id)


def panel_now(api: FakeBotAPI, message_id: int) -> dict[str, Any]:
    """The admin's notice panel as shown now."""
    message = api.message(ADMIN_ID, message_id)
    assert message is not None
    return message


def notice_id(message: dict[str, Any]) -> int:
    """The notice of a draft panel (from its send button)."""
    return next(
        Send.unpack(b["callback_data"]) for b in buttons(message) if Send.matches(b.get("callback_data"))
    ).notice_id


async def draft(api: FakeBotAPI, admin: FakeUser, text: str = TEXT) -> tuple[int, dict[str, Any]]:
    """``/notice <text>``: the new notice's id and its draft panel."""
    call = await reply_to(api, admin, f"/notice {text}")
    assert "通知 #" in call.params["text"] and "草稿" in call.params["text"]
    return notice_id(call.result), call.result


async def wait_report(api: FakeBotAPI, message_id: int, word: str = "发送完成", limit: float = 20) -> str:
    """The panel's text once it says ``word`` (the final report by default)."""
    await api.wait_until(
        lambda: word in panel_now(api, message_id)["text"], timeout=limit, message=f"the panel to say {word}"
    )
    return str(panel_now(api, message_id)["text"])


async def delivery_rows(bot: BotApplication, notice: int) -> dict[int, Delivery]:
    """The outbox rows of a notice's campaign, by chat."""
    async with bot.bot_data.db() as session:
        stored = await session.get(Notice, notice)
        assert stored is not None and stored.campaign_id is not None
        rows = await session.exec(select(Delivery).where(Delivery.campaign_id == stored.campaign_id))
        return {row.chat_id: row for row in rows.all()}
