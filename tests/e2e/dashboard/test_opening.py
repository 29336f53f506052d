"""Opening the dashboard from the chat: /dashboard's inline button and the chat menu button."""

from __future__ import annotations

import json
from typing import Any

from bot.app import BotApplication
from bot.context import BotContext
from bot.dashboard.handlers import opening
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import buttons, reply_to, staff
from tests.e2e.dashboard.conftest import WEBAPP_URL, Floor


def _menu_button(call: Any) -> dict[str, Any]:
    button = call.params["menu_button"]
    return json.loads(button) if isinstance(button, str) else dict(button)


async def test_dashboard_command_gives_the_web_app_button(
    app: BotApplication, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    mark = fake_bot_api.mark()
    answer = await reply_to(fake_bot_api, floor.li, "/dashboard")
    assert "一目了然" in answer.params["text"]
    (button,) = buttons(answer)
    assert button == {"text": "📊 打开管理看板", "web_app": {"url": WEBAPP_URL}}
    (menu,) = fake_bot_api.calls_to("setChatMenuButton", since=mark, chat_id=floor.li.id)
    assert _menu_button(menu) == {"type": "web_app", "text": "看板", "web_app": {"url": WEBAPP_URL}}


async def test_job_seekers_are_refused(app: BotApplication, fake_bot_api: FakeBotAPI, floor: Floor) -> None:
    mark = fake_bot_api.mark()
    answer = await reply_to(fake_bot_api, floor.seeker, "/dashboard")
    assert not buttons(answer) and "员工" in answer.params["text"]
    assert not fake_bot_api.calls_to("setChatMenuButton", since=mark)


async def test_staff_and_admins_get_the_menu_button(
    app: BotApplication, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    mark = fake_bot_api.mark()
    await opening.publish_menu_buttons(BotContext(app))
    calls = fake_bot_api.calls_to("setChatMenuButton", since=mark)
    texts = {call.params["chat_id"]: _menu_button(call)["text"] for call in calls}
    assert texts == {floor.admin.id: "看板", floor.li.id: "看板", floor.wang.id: "Dashboard"}


async def test_without_webapp_url_the_chat_commands_carry_on(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    li = await staff(bot, fake_bot_api, 5001, "李娜")
    answer = await reply_to(fake_bot_api, li, "/dashboard")
    assert answer.params["text"] == "本机器人未开启管理看板，聊天命令照常可用。"
    assert not buttons(answer)
