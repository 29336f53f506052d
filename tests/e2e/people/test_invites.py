"""Staff invites: /invite makes a one-time link; opening it makes staff once."""

from __future__ import annotations

import re

from bot.app import BotApplication
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import reply_to
from tests.e2e.people.conftest import person_row


async def test_invite_makes_staff_once(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    call = await reply_to(api, admin, "/invite 新员工小梅")
    link = re.search(r"https://t\.me/(\w+)\?start=(\S+)", call.params["text"])
    assert link is not None and link.group(1) == api.bot_user["username"]
    code = link.group(2)

    newcomer = api.user(2001, "小梅")
    welcome = await reply_to(api, newcomer, f"/start {code}")
    assert "欢迎加入" in welcome.params["text"]
    assert (await person_row(bot, 2001)).role == Role.STAFF
    # Their menu now holds the staff commands.
    await api.wait_for("setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == 2001)

    latecomer = api.user(2002, "小张")
    refused = await reply_to(api, latecomer, f"/start {code}")
    assert "已经被使用" in refused.params["text"]
    assert (await person_row(bot, 2002)).role == Role.SEEKER

    bogus = await reply_to(api, latecomer, "/start inv_doesnotexist")
    assert "无效" in bogus.params["text"]
