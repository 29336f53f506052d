"""Staff and admins: who may manage them, the /staff list and cards, the role commands."""

from __future__ import annotations

from bot.app import BotApplication
from bot.people.buttons import PersonCard, SetRole, StaffPage
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, reply_to, staff
from tests.e2e.people.conftest import person_row


async def test_admin_commands_are_refused_for_staff_and_seekers(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    seeker = api.user(3001, "求职者")
    for command in ("/invite", "/staff", "/groups", "/promote @x", "/unanswered", "/kbstats", "/reload"):
        answer = await reply_to(api, seeker, command)
        assert answer.params["text"] == "抱歉，只有管理员可以这样操作。", command
    assert not [c for c in api.calls_to("sendMessage") if "t.me/" in c.params["text"]]


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
    assert (await person_row(bot, 5001)).role == Role.ADMIN
    await reply_to(api, admin, "/demote @lihua")
    assert (await person_row(bot, 5001)).role == Role.STAFF

    listing = await reply_to(api, admin, "/staff")
    mark = api.mark()
    await api.press_button(admin, listing.result, text="李华")
    card = await api.wait_for("editMessageText", since=mark)
    assert "角色：员工" in card.params["text"]
    mark = api.mark()
    await api.press_button(admin, card.params["message_id"], text="移出员工")
    await api.wait_for("answerCallbackQuery", since=mark)
    assert (await person_row(bot, 5001)).role == Role.SEEKER

    myself = await reply_to(api, admin, f"/demote {ADMIN_ID}")
    assert "不能取消自己" in myself.params["text"]


async def test_the_list_pages_and_the_card_leads_back(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    for n in range(9):  # with the admin: ten people, two pages of eight
        await staff(bot, api, 5100 + n, f"员工{n}")
    listing = await reply_to(api, admin, "/staff")
    assert "员工：9 人 · 管理员：1 人" in listing.params["text"]
    assert StaffPage(1).pack() in [b["callback_data"] for b in buttons(listing)]
    mark = api.mark()
    await api.press_button(admin, listing.result, StaffPage(1).pack())
    second = await api.wait_for("editMessageText", since=mark)
    assert [b["callback_data"] for b in buttons(second)][:2] == [
        PersonCard(5107).pack(),
        PersonCard(5108).pack(),
    ]
    mark = api.mark()
    await api.press_button(admin, listing.result, PersonCard(5108).pack())
    card = await api.wait_for("editMessageText", since=mark)
    assert "员工8" in card.params["text"]
    mark = api.mark()
    await api.press_button(admin, listing.result, text="« 返回列表")
    back = await api.wait_for("editMessageText", since=mark)
    assert back.params["text"] == listing.params["text"]


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
    assert (await person_row(bot, ADMIN_ID)).role == Role.ADMIN


async def test_forged_card_buttons_change_nothing(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    seeker = api.user(5201, "求职者")
    menu = await reply_to(api, seeker, "/lang")  # any message of the bot to press a forged button on
    mark = api.mark()
    await api.press_button(seeker, menu.result, SetRole(5201, Role.ADMIN).pack(), strict=False)
    refused = await api.wait_for("answerCallbackQuery", since=mark)
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    assert (await person_row(bot, 5201)).role == Role.SEEKER

    listing = await reply_to(api, admin, "/staff")
    mark = api.mark()
    await api.press_button(admin, listing.result, SetRole(777, Role.STAFF).pack(), strict=False)
    unknown = await api.wait_for("answerCallbackQuery", since=mark)
    assert unknown.params["text"] == "找不到这个人。"
