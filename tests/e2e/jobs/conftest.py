"""The running bot for the jobs flows, and the world they happen in: village groups, postings, applications."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest

from bot.app import BotApplication
from bot.clock import utcnow
from bot.delivery.sender import TelegramRateLimiter
from bot.jobs import service
from bot.jobs.models import JobPosting
from bot.people import service as people
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, bot_settings, press, reply_to, running_bot

VILLAGES = ("三合村", "团结村", "红崖村")


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


async def village_groups(
    api: FakeBotAPI, admin: FakeUser, villages: Sequence[str] = VILLAGES, *, first_id: int = -100_001
) -> list[Any]:
    """Groups the admin added the bot to and bound to a village each (``/village``)."""
    groups = []
    for number, village in enumerate(villages):
        group = api.group(first_id - number, f"{village}老乡群")
        await api.add_bot_to_group(admin, group)
        await reply_to(api, admin, f"/village {village}", expect=village, chat=group)
        groups.append(group)
    return groups


async def seed(
    app: BotApplication, admin: FakeUser, *, published: bool = True, **fields: object
) -> JobPosting:
    """A posting written by the admin (open unless not ``published``; announced nowhere)."""
    values: dict[str, Any] = {
        "title": "仓库打包",
        "description": "把网店的货打包发走。",
        "headcount": 3,
        "pay": "120元/天",
        "hours": "9:00-17:00",
        "location": "平安区物流园",
        "closes_at": utcnow() + timedelta(days=7),
    }
    values.update(fields)
    async with app.bot_data.db() as session:
        creator = await people.record_person(
            session, people.Profile(admin.id, admin.first_name), admin_ids={admin.id}
        )
        posting = await service.create_posting(session, creator, service.PostingDraft(**values))
        if published:
            await service.publish(session, posting)
        return posting


async def stored(app: BotApplication, posting_id: int) -> JobPosting:
    """The posting as the database has it now."""
    async with app.bot_data.db() as session:
        posting = await service.get_posting(session, posting_id)
        assert posting is not None
        return posting


async def open_card(api: FakeBotAPI, admin: FakeUser, label: str) -> Call:
    """``/postings``, then the posting labelled ``label``: its card (the edited message)."""
    listing = await reply_to(api, admin, "/postings", expect="岗位：")
    mark = api.mark()
    await press(api, admin, listing.result, text=label)
    return await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)


async def publish(api: FakeBotAPI, admin: FakeUser, card: Call, label: str) -> int:
    """Press the publish button ``label`` of a card and wait for the bot's confirmation; the mark before."""
    mark = api.mark()
    await press(api, admin, card.result, text=label)
    await api.wait_for("sendMessage", lambda c: "已发布" in c.params["text"], since=mark, chat_id=ADMIN_ID)
    return mark


async def apply(api: FakeBotAPI, user: FakeUser, posting_id: int, *answers: str) -> Call:
    """Follow a posting's group link, answer the five questions and send: the bot's "报名成功"."""
    await reply_to(api, user, f"/start job_{posting_id}", expect="你叫什么名字")
    for answer, question in zip(answers, ("手机号", "哪个村", "什么时候", "还有什么", "请核对"), strict=True):
        await reply_to(api, user, answer, expect=question)
    return await reply_to(api, user, "✅ 提交", expect="报名成功")


async def refusal(api: FakeBotAPI, user: FakeUser, data: str) -> dict[str, Any]:
    """Press a button with ``data`` (forged: it need not be on any message); the bot's answer to it."""
    mark = api.mark()
    await api.press_button(user, 1, data, strict=False)
    return (await api.wait_for("answerCallbackQuery", since=mark)).params
