"""A person's own view: /myshifts and /myattendance."""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import define_shift, staff_members
from tests.e2e.conftest import reply_to


async def test_my_shifts_and_my_month(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)

    shifts = await reply_to(api, li, "/myshifts")
    text = shifts.params["text"]
    assert "早班 08:30–17:00 · 周一–周五" in text and "10-09 周四: 早班 08:30–17:00" in text
    nothing = await reply_to(api, wang, "/myshifts")
    assert "10-09 周四: —" in nothing.params["text"]

    month = await reply_to(api, li, "/myattendance")
    assert "2025-10" in month.params["text"]
    usage = await reply_to(api, li, "/myattendance someday")
    assert "/myattendance 2025-10" in usage.params["text"]
