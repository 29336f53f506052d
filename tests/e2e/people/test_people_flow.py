"""Invites, roles and village groups, through the fake Bot API and the real Application."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.app import BotApplication
from bot.people.models import GroupChat, Person, Role
from tests.e2e.conftest import ADMIN_ID, reply_to
from tests.fakes.bot_api import FakeBotAPI, FakeUser


async def _person(bot: BotApplication, telegram_id: int) -> Person | None:
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        return (await session.exec(select(Person).where(Person.telegram_id == telegram_id))).first()


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
    assert (await _person(bot, 2001)).role == Role.STAFF
    # Their menu now holds the staff commands.
    await api.wait_for("setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == 2001)

    latecomer = api.user(2002, "小张")
    refused = await reply_to(api, latecomer, f"/start {code}")
    assert "已经被使用" in refused.params["text"]
    assert (await _person(bot, 2002)).role == Role.SEEKER

    bogus = await reply_to(api, latecomer, "/start inv_doesnotexist")
    assert "无效" in bogus.params["text"]


async def test_admin_commands_are_refused_for_staff_and_seekers(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    seeker = api.user(3001, "求职者")
    for command in ("/invite", "/staff", "/groups", "/promote @x", "/unanswered", "/kbstats", "/reload"):
        answer = await reply_to(api, seeker, command)
        assert answer.params["text"] == "抱歉，只有管理员可以这样操作。", command
    assert not [c for c in api.calls_to("sendMessage") if "t.me/" in c.params["text"]]


async def test_english_user_gets_english_and_can_switch(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    john = api.user(4001, "John", language_code="en")
    hello = await reply_to(api, john, "/start")
    assert hello.params["text"].startswith("Hello, John!")
    assert "/lang" in hello.params["text"] and "/invite" not in hello.params["text"]
    menu = await reply_to(api, john, "/lang")
    mark = api.mark()
    await api.press_button(john, menu.result, text="简体中文")
    await api.wait_for("editMessageText", since=mark, text="已切换为简体中文。")
    again = await reply_to(api, john, "/help")
    assert "我是星站的助手" in again.params["text"]


async def test_staff_list_and_role_changes(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    worker = api.user(5001, "李华", username="lihua")
    await reply_to(api, worker, "/start")
    promoted = await reply_to(api, admin, "/removestaff")
    assert "@用户名" in promoted.params["text"]
    unknown = await reply_to(api, admin, "/promote @nobody")
    assert "不认识" in unknown.params["text"]

    listing = await reply_to(api, admin, "/staff")
    assert "员工：0 人 · 管理员：1 人" in listing.params["text"]
    await reply_to(api, admin, "/promote @lihua")
    assert (await _person(bot, 5001)).role == Role.ADMIN
    await reply_to(api, admin, "/demote @lihua")
    assert (await _person(bot, 5001)).role == Role.STAFF

    listing = await reply_to(api, admin, "/staff")
    mark = api.mark()
    await api.press_button(admin, listing.result, text="李华")
    card = await api.wait_for("editMessageText", since=mark)
    assert "角色：员工" in card.params["text"]
    mark = api.mark()
    await api.press_button(admin, card.params["message_id"], text="移出员工")
    await api.wait_for("answerCallbackQuery", since=mark)
    assert (await _person(bot, 5001)).role == Role.SEEKER

    myself = await reply_to(api, admin, f"/demote {ADMIN_ID}")
    assert "不能取消自己" in myself.params["text"]


async def test_village_group_lifecycle(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    group = api.group(-1001, "三合村老乡群")
    mark = api.mark()
    await api.add_bot_to_group(admin, group)
    hello = await api.wait_for("sendMessage", since=mark, chat_id=group.id)
    assert "/village" in hello.params["text"]

    villager = api.user(6001, "村民")
    refused = await reply_to(api, villager, "/village 三合村", chat=group)
    assert "只有管理员" in refused.params["text"]
    empty = await reply_to(api, admin, "/village", chat=group)
    assert "例如" in empty.params["text"]
    bound = await reply_to(api, admin, "/village 三合村", chat=group)
    assert "三合村" in bound.params["text"]

    listing = await reply_to(api, admin, "/groups")
    assert "三合村" in listing.params["text"] and "1 个在用" in listing.params["text"]

    await api.remove_bot_from_group(admin, group)
    assert bot.bot_data.db is not None

    async def inactive() -> bool:
        async with bot.bot_data.db() as session:
            row = (await session.exec(select(GroupChat).where(GroupChat.chat_id == group.id))).one()
            return not row.active and row.village == "三合村"

    for _ in range(50):
        if await inactive():
            break
        await api.wait_idle(quiet=0.05, timeout=1)
    assert await inactive()
    listing = await reply_to(api, admin, "/groups")
    assert "0 个在用，1 个已停用" in listing.params["text"]


async def test_menus_are_published_per_scope_and_language(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, admin, "/start")
    await api.wait_for(
        "setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == ADMIN_ID, count=2
    )
    seeker_zh = api.commands({"type": "all_private_chats"})
    seeker_en = api.commands({"type": "all_private_chats"}, "en")
    admin_zh = api.commands({"type": "chat", "chat_id": ADMIN_ID})
    group_zh = api.commands({"type": "all_group_chats"})
    names = {c["command"] for c in seeker_zh}
    assert {"start", "help", "lang"} <= names and "invite" not in names
    assert {c["command"] for c in admin_zh} >= {"invite", "staff", "groups", "unanswered"}
    assert any(c["description"] == "What I can do" for c in seeker_en)
    assert any(c["description"] == "我能做什么" for c in seeker_zh)
    assert {c["command"] for c in group_zh} >= {"help", "ask"}


async def test_admin_cannot_demote_themselves_from_the_card(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    listing = await reply_to(api, admin, "/staff")
    mark = api.mark()
    await api.press_button(admin, listing.result, text="王经理")
    card = await api.wait_for("editMessageText", since=mark)
    mark = api.mark()
    await api.press_button(admin, card.params["message_id"], text="取消管理员")
    alert = await api.wait_for("answerCallbackQuery", since=mark)
    assert "ADMIN_IDS" in alert.params["text"] or "不能取消自己" in alert.params["text"]
    await api.wait_idle(quiet=0.1)
    assert not [c for c in api.calls_to("sendMessage", since=mark) if "出错" in c.params.get("text", "")]
    assert (await _person(bot, ADMIN_ID)).role == Role.ADMIN
