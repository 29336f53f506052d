"""The workplace: /workplace sets the distance and turns the check on or off; the location itself is asked for
in the location conversation (``test_location.py``)."""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, reply_to


async def test_workplace_distance_and_check_are_set_without_a_location(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    refused = await reply_to(api, admin, "/workplace 10")
    assert refused.params["text"] == "距离请写 30 到 5000 米之间。"
    radius = await reply_to(api, admin, "/workplace 300")
    assert radius.params["text"] == "现在签到需要在工作地点 300 米以内。"
    off = await reply_to(api, admin, "/workplace off")
    assert off.params["text"].startswith("签到位置检查：")
    # Without a workplace the check cannot be on: /workplace on asks for the location instead.
    on = await reply_to(api, admin, "/workplace on")
    assert "还没有设置工作地点" in on.params["text"]
    assert api.reply_keyboard(ADMIN_ID) is not None


async def test_digits_that_are_not_numbers_are_no_distance(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    odd = await reply_to(api, admin, "/workplace ²")  # a superscript: a digit, but no number
    assert "设置工作地点：人在工作地点时，点下面的按钮发送位置" in odd.params["text"]
