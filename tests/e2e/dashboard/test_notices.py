"""Notices on the dashboard: the acknowledgement rate, who has not confirmed, remind now; staff see theirs."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import Floor, bearer, sent_notice

Client = TestClient[Any, Any]


async def test_who_confirmed_and_remind_now(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    api = fake_bot_api
    notice_id = await sent_notice(app, api, floor)
    headers = await bearer(client, api, floor.admin)
    (shown,) = (await (await client.get("/api/notices", headers=headers)).json())["notices"]
    assert shown["id"] == notice_id and shown["summary"] == "明天 8 点开安全会"
    assert (shown["acknowledged"], shown["expected"], shown["missing"]) == (1, 3, ["王强", "王经理"])

    mark = api.mark()
    reminded = await client.post(f"/api/notices/{notice_id}/remind", headers=headers)
    assert await reminded.json() == {"reminded": 2}
    reminder = await api.wait_for("sendMessage", since=mark, chat_id=floor.wang.id)
    assert "安全会" in reminder.params["text"]
    assert not api.calls_to("sendMessage", since=mark, chat_id=floor.li.id)  # 李娜 confirmed already


async def test_staff_see_the_notices_they_have_not_confirmed(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    notice_id = await sent_notice(app, fake_bot_api, floor)
    wang = await (
        await client.get("/api/notices", headers=await bearer(client, fake_bot_api, floor.wang))
    ).json()
    assert [n["id"] for n in wang["waiting"]] == [notice_id]
    li = await (await client.get("/api/notices", headers=await bearer(client, fake_bot_api, floor.li))).json()
    assert li == {"waiting": []}
    refused = await client.post(
        f"/api/notices/{notice_id}/remind", headers=await bearer(client, fake_bot_api, floor.li)
    )
    assert refused.status == 403
