"""Opening the dashboard from the chat: /dashboard's inline button and the chat menu button."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from sqlmodel import select

from bot.app import BotApplication
from bot.context import BotContext
from bot.dashboard.handlers import opening
from bot.dashboard.models import MenuButtonSet
from bot.people.models import Person, Role
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import ADMIN_ID, QUICK_PACING, buttons, reply_to, set_pacing, staff
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


async def _started(app: BotApplication) -> None:
    """Wait until the start's own round of menu buttons is over (it sets the configured admin's)."""
    for _ in range(250):
        async with app.bot_data.db() as session:
            if await session.get(MenuButtonSet, ADMIN_ID) is not None:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the start did not set the configured admin's menu button")


async def test_staff_and_admins_get_the_menu_button(
    app: BotApplication, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    await _started(app)
    await opening.publish_menu_buttons(BotContext(app))
    calls = fake_bot_api.calls_to("setChatMenuButton")  # the start's own round included
    texts = {call.params["chat_id"]: _menu_button(call)["text"] for call in calls}
    assert texts == {floor.admin.id: "看板", floor.li.id: "看板", floor.wang.id: "Dashboard"}
    assert len(calls) == 3  # each chat once


async def test_a_start_sets_only_the_menu_buttons_that_changed(
    app: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    """500 staff: the first start sets 500 buttons, the next one none; then only the person whose language
    changed, and the person who lost access gets the default button back."""
    api, context = fake_bot_api, BotContext(app)
    set_pacing(app, dataclasses.replace(QUICK_PACING, overall_per_second=0))  # 500 calls at once
    await _started(app)
    async with app.bot_data.db() as session:
        for number in range(500):
            session.add(Person(telegram_id=800_000 + number, first_name=f"员工{number:03d}", role=Role.STAFF))
        await session.commit()

    async def published() -> list[Any]:
        mark = api.mark()
        await opening.publish_menu_buttons(context)
        return api.calls_to("setChatMenuButton", since=mark)

    assert len(await published()) == 500
    assert await published() == []
    async with app.bot_data.db() as session:
        people = {p.telegram_id: p for p in (await session.exec(select(Person))).all()}
        people[800_007].language = "en"  # chosen with /lang
        people[800_008].role = Role.SEEKER
        session.add_all([people[800_007], people[800_008]])
        await session.commit()
    changed = {call.params["chat_id"]: _menu_button(call) for call in await published()}
    assert changed == {
        800_007: {"type": "web_app", "text": "Dashboard", "web_app": {"url": WEBAPP_URL}},
        800_008: {"type": "default"},
    }
    assert await published() == []


async def test_without_webapp_url_the_chat_commands_carry_on(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    li = await staff(bot, fake_bot_api, 5001, "李娜")
    answer = await reply_to(fake_bot_api, li, "/dashboard")
    assert answer.params["text"] == "本机器人未开启管理看板，聊天命令照常可用。"
    assert not buttons(answer)
