"""Training on the dashboard: staff see their own progress, admins everyone's readiness, as training reports
them in chat (``/learn``, ``/training``)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import Floor, bearer, in_training

Client = TestClient[Any, Any]


async def test_staff_see_their_own_training(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    plan = await in_training(app, floor)
    headers = await bearer(client, fake_bot_api, floor.li)
    mine = await (await client.get(f"/api/people/{floor.ids['li']}/training", headers=headers)).json()
    assert mine["enrolled"] and mine["name"] == "李娜" and mine["plan"] == plan.title
    assert (mine["days_done"], mine["days_total"]) == (2, len(plan.days))
    assert (mine["right"], mine["answered"], mine["accuracy"], mine["unanswered"]) == (3, 4, 75, 1)
    assert mine["reviews_due"] == 1 and not mine["ready"]
    # Day 3 is due today at 07:30, an hour before the 08:30 shift (nothing has sent it yet in this test).
    assert mine["next_lesson"] == {"day": 3, "title": plan.days[2].title, "at": "10-09 07:30"}

    refused = await client.get(f"/api/people/{floor.ids['wang']}/training", headers=headers)
    assert refused.status == 403 and await refused.json() == {"error": "person"}
    assert (await client.get("/api/training", headers=headers)).status == 403


async def test_someone_not_in_training_is_told_so(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    headers = await bearer(client, fake_bot_api, floor.li)
    mine = await (await client.get(f"/api/people/{floor.ids['li']}/training", headers=headers)).json()
    assert mine == {"person_id": floor.ids["li"], "name": "李娜", "enrolled": False}


async def test_admins_see_everyones_readiness(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    plan = await in_training(app, floor)
    headers = await bearer(client, fake_bot_api, floor.admin)
    learners = {
        learner["name"]: learner
        for learner in (await (await client.get("/api/training", headers=headers)).json())["learners"]
    }
    assert set(learners) == {"李娜", "王强"}
    assert learners["王强"]["ready"] and learners["王强"]["ready_on"] == "2025-10-08"
    assert not learners["李娜"]["ready"] and learners["李娜"]["days_done"] == 2
    assert learners["李娜"]["accuracy"] == 75 and learners["李娜"]["reviews_due"] == 1
    wang = await (await client.get(f"/api/people/{floor.ids['wang']}/training", headers=headers)).json()
    assert wang["ready"] and wang["days_done"] == len(plan.days) and wang["next_lesson"] is None
