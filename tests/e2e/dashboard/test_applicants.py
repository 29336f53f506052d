"""Applicants on the dashboard: each posting's pipeline, moved along as with the chat's buttons."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import Floor, applied, bearer

Client = TestClient[Any, Any]


async def test_the_pipeline_and_a_hire(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    api = fake_bot_api
    application_id = await applied(app, floor)
    headers = await bearer(client, api, floor.admin)
    (posting,) = (await (await client.get("/api/applicants", headers=headers)).json())["postings"]
    assert (posting["title"], posting["state"], posting["headcount"]) == ("分拣员", "open", 1)
    assert [a["name"] for a in posting["pipeline"]["new"]] == ["赵求职"]
    assert posting["pipeline"]["new"][0]["phone"] == "13800138000"  # admins see the phone
    assert all(not posting["pipeline"][s] for s in ("contacted", "interviewed", "hired", "rejected"))

    url = f"/api/applications/{application_id}/status"
    contacted = await client.post(url, headers=headers, json={"status": "contacted"})
    assert (await contacted.json())["changed"] is True
    again = await client.post(url, headers=headers, json={"status": "contacted"})
    assert (await again.json())["changed"] is False

    mark = api.mark()
    hired = await (await client.post(url, headers=headers, json={"status": "hired"})).json()
    assert hired == {"changed": True, "invited": True, "told": False, "filled": True}
    invite = await api.wait_for("sendMessage", since=mark, chat_id=floor.seeker.id)
    assert "start=" in str(invite.params)  # the one-time staff invite link
    async with app.bot_data.db() as session:
        application = await session.get(JobApplication, application_id)
        assert application is not None and application.status == ApplicationStatus.HIRED
        stored = await session.get(JobPosting, application.posting_id)
        assert stored is not None and stored.state == PostingState.FILLED


async def test_only_an_admin_s_statuses_are_taken(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    application_id = await applied(app, floor)
    headers = await bearer(client, fake_bot_api, floor.admin)
    for body in ({"status": "withdrawn"}, {"status": "new"}, {"status": "maybe"}, {}):
        answer = await client.post(f"/api/applications/{application_id}/status", headers=headers, json=body)
        assert answer.status == 400, body
