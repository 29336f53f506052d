"""Waiting for a location: after /workplace (the workplace), after /checkin asks for one (a check-in)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import unhandled
from bot.app import BotApplication
from bot.attendance import service
from bot.i18n import gettext_for
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import THURSDAY, at, define_shift, records, staff_members
from tests.e2e.conftest import ADMIN_ID, reply_to


async def test_check_in_too_far_from_the_workplace_is_explained_not_recorded(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)

    await reply_to(api, admin, "/workplace")
    assert api.reply_keyboard(ADMIN_ID) is not None
    mark = api.mark()
    await api.share_location(admin, 36.4840, 102.1040)
    saved = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
    assert "工作地点已保存" in saved.params["text"]
    await reply_to(api, admin, "/workplace 200")

    clock.move_to(at(THURSDAY + timedelta(days=1), "08:05"))
    ask = await reply_to(api, li, "/checkin")
    assert "需要发送位置" in ask.params["text"] and "200 米" in ask.params["text"]
    keyboard = ask.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True
    mark = api.mark()
    await api.share_location(li, 36.4940, 102.1040)
    far = await api.wait_for("sendMessage", since=mark, chat_id=li.id)
    assert "离工作地点 1112 米" in far.params["text"] and "没有签到" in far.params["text"]
    assert await records(app) == {}
    mark = api.mark()
    await api.share_location(li, 36.4841, 102.1041)
    near = await api.wait_for("sendMessage", since=mark, chat_id=li.id)
    assert "已签到：08:05" in near.params["text"]
    assert list(await records(app)) == [("小李", THURSDAY + timedelta(days=1))]


async def test_a_location_nobody_asked_for_is_a_check_in_for_staff(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)
    await reply_to(api, admin, "/workplace")
    await api.share_location(admin, 36.4840, 102.1040)
    await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "工作地点已保存" in t)

    clock.move_to(at(THURSDAY, "08:05"))
    seeker = api.user(7001, "路人")
    mark = api.mark()
    await api.share_location(seeker, 36.4841, 102.1041)
    await api.share_location(li, 36.4841, 102.1041)
    near = await api.wait_for("sendMessage", since=mark, chat_id=li.id)
    assert "已签到：08:05" in near.params["text"]
    # Anyone else is told what a location is for, and nothing is recorded for them.
    told = await api.wait_for("sendMessage", since=mark, chat_id=seeker.id)
    assert told.params["text"] == gettext_for("zh_CN")(unhandled.LOCATION)
    assert list(await records(app)) == [("小李", THURSDAY)]


async def test_cancel_stops_waiting_for_the_workplace(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    asked = await reply_to(api, admin, "/workplace")
    assert "还没有设置工作地点" in asked.params["text"]
    stopped = await reply_to(api, admin, "取消")
    assert stopped.params["text"] == "好的，不再等你发送位置了。"
    assert api.reply_keyboard(ADMIN_ID) is None

    # A location now is an admin's check-in (they have no shift), not the workplace.
    mark = api.mark()
    await api.share_location(admin, 36.4840, 102.1040)
    answer = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
    assert answer.params["text"] == "你最近几天没有排班。排班由管理员安排。"
    async with app.bot_data.db() as session:
        assert (await service.get_config(session)).latitude is None
