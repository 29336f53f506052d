"""Alerts (``alerts.py``): admins hear about questions the notes could not answer, through the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.context import BotApplication
from bot.delivery.models import Campaign, Delivery, DeliveryState
from bot.knowledge import alerts
from bot.knowledge.buttons import AnswerQuestion
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, reply_to, staff

UNKNOWN = [
    "公司有没有宿舍",
    "停车场在哪里",
    "夏天有没有高温补贴",
    "办公室的空调坏了找谁",
    "宿舍能养猫吗",
    "Is there a dormitory",
]


async def _alert_rows(bot: BotApplication) -> list[tuple[Campaign, Delivery]]:
    async with bot.bot_data.db() as session:
        result = await session.exec(
            select(Campaign, Delivery)
            .join(Delivery, col(Delivery.campaign_id) == col(Campaign.id))
            .where(Campaign.kind == alerts.ALERT_KIND)
            .order_by(col(Delivery.id))
        )
        return list(result.all())


async def _eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 5.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_the_alert_comes_through_the_outbox_in_each_admins_language(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser
) -> None:
    api = fake_bot_api
    boss = await staff(kb_bot, api, 900_002, "Boss", role="admin", language_code="en")
    asker = await staff(kb_bot, api, 8001, "小梅")

    honest = await reply_to(api, asker, UNKNOWN[0])
    assert "不想乱猜" in honest.params["text"]
    chinese = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: UNKNOWN[0] in t)
    english = await api.wait_for("sendMessage", chat_id=boss.id, text=lambda t: UNKNOWN[0] in t)
    assert chinese.params["text"] == f"❓ 小梅 提了一个我答不上来的问题：\n{UNKNOWN[0]}"
    assert english.params["text"] == f"❓ New unanswered question from 小梅:\n{UNKNOWN[0]}"
    [zh_button] = buttons(chinese)
    [en_button] = buttons(english)
    assert zh_button["text"] == "✍️ 回答" and en_button["text"] == "✍️ Answer"
    assert zh_button["callback_data"] == en_button["callback_data"] and AnswerQuestion.matches(
        zh_button["callback_data"]
    )

    async def both_sent() -> bool:
        rows = await _alert_rows(kb_bot)
        return len(rows) == 2 and all(d.state == DeliveryState.SENT for _c, d in rows)

    await _eventually(both_sent, "both alert rows to be marked sent")
    rows = await _alert_rows(kb_bot)
    assert {(c.ref, d.chat_id) for c, d in rows} == {("kb_alert:zh_CN", ADMIN_ID), ("kb_alert:en", boss.id)}
    assert asker.id not in {d.chat_id for _c, d in rows}

    mark = api.mark()
    await api.press_button(manager, chinese.result, text="✍️ 回答")
    prompt = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
    assert "请发送" in prompt.params["text"] and UNKNOWN[0] in prompt.params["text"]
    mark = api.mark()
    await api.send_text(manager, "本站不提供宿舍。")
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=asker.id)
    assert "本站不提供宿舍" in delivered.params["text"]


async def test_an_admin_who_blocked_the_bot_does_not_stop_anything(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser
) -> None:
    api = fake_bot_api
    leader = await staff(kb_bot, api, 900_003, "李组长", role="admin", language_code="zh-hans")
    await api.block_bot(leader)
    asker = await staff(kb_bot, api, 8001, "小梅")

    await reply_to(api, asker, UNKNOWN[1])
    await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: UNKNOWN[1] in t)
    refused = await api.wait_for("sendMessage", ok=False, chat_id=leader.id)
    assert refused.status == 403

    async def settled() -> bool:
        states = {d.chat_id: d.state for _c, d in await _alert_rows(kb_bot)}
        return states == {ADMIN_ID: DeliveryState.SENT, leader.id: DeliveryState.BLOCKED}

    await _eventually(settled, "the manager's row sent and the leader's blocked")
    answer = await reply_to(api, asker, "退货流程")
    assert answer.params["text"].startswith("<b>📘 ")


async def test_a_rush_of_questions_gives_each_admin_one_digest(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts, "ALERT_WINDOW", timedelta(seconds=5))
    api = fake_bot_api
    floor = [
        await staff(kb_bot, api, 8001 + n, name)
        for n, name in enumerate(["小梅", "阿明", "卓玛", "小红", "阿强", "小丽"])
    ]
    after_start = api.mark()

    await reply_to(api, floor[0], UNKNOWN[0])
    first = await api.wait_for("sendMessage", since=after_start, chat_id=ADMIN_ID)
    assert UNKNOWN[0] in first.params["text"] and len(buttons(first)) == 1

    rush = api.mark()
    await asyncio.gather(
        *(reply_to(api, user, text) for user, text in zip(floor[1:], UNKNOWN[1:], strict=True))
    )
    assert api.calls_to("sendMessage", since=rush, chat_id=ADMIN_ID) == []

    digest = await api.wait_for("sendMessage", since=rush, chat_id=ADMIN_ID, timeout=10)
    text = digest.params["text"]
    assert text.startswith("❓ 有 5 个问题在等你回答：") and "/unanswered" in text
    assert all(question in text for question in UNKNOWN[1:]) and UNKNOWN[0] not in text
    labels = [b["text"] for b in buttons(digest)]
    assert len(labels) == 5 and all(label.startswith("✍️ 回答 #") for label in labels)

    await api.wait_idle(quiet=0.5)
    alerts_to_manager = api.calls_to("sendMessage", since=after_start, chat_id=ADMIN_ID)
    assert [c.params["text"] for c in alerts_to_manager] == [first.params["text"], text]
    campaigns = {c.id for c, _d in await _alert_rows(kb_bot)}
    assert len(campaigns) == 2

    queue = await reply_to(api, manager, "/unanswered")
    assert "6 个" in queue.params["text"]


async def test_a_thumbs_down_alerts_the_admins_once(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser
) -> None:
    api = fake_bot_api
    asker = await staff(kb_bot, api, 8001, "小梅")
    answer = await reply_to(api, asker, "退货流程")
    mark = api.mark()
    await api.press_button(asker, answer.result, text="👎")
    alert = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
    assert alert.params["text"] == "👎 这个回答没能帮到 小梅：\n退货流程"
    assert [b["text"] for b in buttons(alert)] == ["✍️ 回答"]
    assert len(await _alert_rows(kb_bot)) == 1
