"""Requests on the dashboard: the same decision as the chat's buttons, and the chat side changes too."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.dashboard.conftest import Floor, bearer, leave_request, status_of

Client = TestClient[Any, Any]


async def test_approving_on_the_dashboard_settles_the_chat_card_and_tells_the_requester(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    api = fake_bot_api
    card = await leave_request(api, floor.li)
    headers = await bearer(client, api, floor.admin)
    listed = await (await client.get("/api/requests", headers=headers)).json()
    assert listed["requests"] == [
        {
            "id": 1,
            "kind": "leave",
            "person_id": floor.ids["li"],
            "name": "李娜",
            "start_date": "2025-10-10",
            "end_date": "2025-10-10",
            "reason": "看病",
            "shift": None,
            "colleague": None,
            "punch": None,
            "punch_at": None,
        }
    ]

    mark = api.mark()
    decided = await client.post("/api/requests/1/decision", headers=headers, json={"approve": True})
    assert await decided.json() == {"outcome": "done", "status": "approved"}
    assert await status_of(app, 1) == "approved"
    edit = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert int(edit.params["message_id"]) == card.result["message_id"]
    assert edit.params["text"].endswith("✅ 王经理 已批准") and "reply_markup" not in edit.params
    await api.wait_for("sendMessage", since=mark, chat_id=floor.li.id, text=lambda t: "已被 王经理 批准" in t)

    again = await client.post("/api/requests/1/decision", headers=headers, json={"approve": False})
    assert await again.json() == {"outcome": "already", "status": "approved"}
    assert await status_of(app, 1) == "approved"
    assert (await (await client.get("/api/requests", headers=headers)).json()) == {"requests": []}


async def test_staff_cannot_decide_their_own_request(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    await leave_request(fake_bot_api, floor.li)
    headers = await bearer(client, fake_bot_api, floor.li)
    refused = await client.post("/api/requests/1/decision", headers=headers, json={"approve": True})
    assert refused.status == 403
    assert await status_of(app, 1) == "pending"


async def test_a_decision_must_say_approve_or_reject(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    await leave_request(fake_bot_api, floor.li)
    headers = await bearer(client, fake_bot_api, floor.admin)
    for body in ({}, {"approve": "yes"}, [True]):
        answer = await client.post("/api/requests/1/decision", headers=headers, json=body)
        assert answer.status == 400 and await answer.json() == {"error": "bad_request"}
    bad = await client.post("/api/requests/1/decision", headers=headers, data="not json")
    assert bad.status == 400
    assert await status_of(app, 1) == "pending"
