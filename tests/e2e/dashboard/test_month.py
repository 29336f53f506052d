"""The month on the dashboard: per person, per shift and per day, and the same .xlsx as the chat's export."""

from __future__ import annotations

import io
from typing import Any

from aiohttp.test_utils import TestClient
from openpyxl import load_workbook

from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import Floor, bearer

Client = TestClient[Any, Any]
NOTHING = {"on_time": 0, "late": 0, "absent": 0, "leave": 0}


async def test_the_admin_sees_everyone_s_month(
    client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    headers = await bearer(client, fake_bot_api, floor.admin)
    month = await (await client.get("/api/month", headers=headers)).json()
    assert month == {
        "month": "2025-10",
        "people": [
            {
                "person_id": floor.ids["li"],
                "name": "李娜",
                "scheduled": 1,
                "on_time": 0,
                "late": 1,
                "late_minutes": 30,
                "absent": 0,
                "leave": 0,
            }
        ],
        "shifts": [{"name": "早班", **NOTHING, "late": 1}],
        "days": [{"date": "2025-10-09", **NOTHING, "late": 1}],
    }
    earlier = await (await client.get("/api/month?month=2025-09", headers=headers)).json()
    assert earlier == {"month": "2025-09", "people": [], "shifts": [], "days": []}
    for wrong in ("2025-13", "2025-1", "soon"):
        assert (await client.get(f"/api/month?month={wrong}", headers=headers)).status == 400


async def test_the_workbook_is_the_chat_s_export(
    client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    headers = await bearer(client, fake_bot_api, floor.admin)
    response = await client.get("/api/month.xlsx?month=2025-10", headers=headers)
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="attendance-2025-10.xlsx"'
    workbook = load_workbook(io.BytesIO(await response.read()))
    summary = workbook.worksheets[0]
    assert [row[0] for row in summary.iter_rows(min_row=2, values_only=True)] == ["李娜"]


async def test_staff_see_only_their_own_month(client: Client, fake_bot_api: FakeBotAPI, floor: Floor) -> None:
    headers = await bearer(client, fake_bot_api, floor.li)
    month = await (await client.get("/api/month", headers=headers)).json()
    assert [p["name"] for p in month["people"]] == ["李娜"]
    headers = await bearer(client, fake_bot_api, floor.wang)
    month = await (await client.get("/api/month", headers=headers)).json()
    assert [p["name"] for p in month["people"]] == ["王强"] and month["days"] == []
    assert month["people"][0]["scheduled"] == 0
