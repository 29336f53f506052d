"""Requests from staff: leave, swaps (the colleague answers first), corrections, withdrawing one."""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.attendance import arguments
from bot.attendance.buttons import AnswerSwap, Decide, Withdraw
from bot.attendance.models import RecordStatus, RequestStatus
from bot.i18n import gettext_for
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import (
    THURSDAY,
    at,
    card_shown,
    define_shift,
    last_with_button,
    leave_cards,
    records,
    request_status,
    second_admin,
    staff_members,
    texts_to,
    tick,
)
from tests.e2e.conftest import ADMIN_ID, press, reply_to, staff


async def test_approved_leave_suppresses_reminders_and_absence(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li, wang)

    sent = await reply_to(api, li, "/leave 2025-10-09 看病")
    assert "请假申请 #1 已发给管理员" in sent.params["text"]
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    assert "小李" in card.params["text"] and "看病" in card.params["text"]

    # A colleague cannot approve it, even by pressing the button.
    refused = await press(api, wang, card.result, Decide(1, approve=True).pack())
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。" and refused.params["show_alert"]

    answered = await press(api, admin, card.result, Decide(1, approve=True).pack())
    assert answered.params["text"] == "已批准。"
    told = await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "批准" in t)
    assert "#1" in told.params["text"] and "王经理" in told.params["text"]

    await tick(app, api, clock, at(THURSDAY, "07:00"))
    for moment in ("08:00", "08:30", "09:30", "12:00"):
        calls = await tick(app, api, clock, at(THURSDAY, moment))
        assert texts_to(calls, li) == [], moment
    assert (
        len([c for c in api.calls_to("sendMessage", chat_id=wang.id) if "现在可以签到" in c.params["text"]])
        == 1
    )
    stored = await records(app)
    assert stored[("小李", THURSDAY)].status == RecordStatus.LEAVE
    assert stored[("小王", THURSDAY)].status == RecordStatus.ABSENT


async def test_request_commands_explain_their_usage(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    leave = await reply_to(api, li, "/leave")
    assert (
        "/leave 2025-10-09 看病" in leave.params["text"]
        and "/leave 2025-10-09 2025-10-10 回家" in (leave.params["text"])
    )
    swap = await reply_to(api, li, "/swap @s2")
    assert "/swap @xiaowang 2025-10-09 家里有事" in swap.params["text"]
    unknown = await reply_to(api, li, "/swap @<nobody> 2025-10-09")
    assert "@&lt;nobody&gt;" in unknown.params["text"]
    assert unknown.result["text"] == gettext_for("zh_CN")(arguments.UNKNOWN_PERSON, who="@<nobody>")
    backwards = await reply_to(api, li, "/leave 2025-10-10 2025-10-09")
    assert backwards.params["text"] == "结束日期早于开始日期。"


async def test_a_withdrawn_request_is_shown_as_withdrawn_on_every_admin_card(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    zhao = await second_admin(app, api)
    await reply_to(api, admin, "/start")
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-10")

    listing = await reply_to(api, li, "/myrequests")
    mark = api.mark()
    answer = await press(api, li, listing.result, Withdraw(1).pack())
    assert answer.params["text"] == "申请 #1 已撤回。"
    edits = await api.wait_for_calls("editMessageText", since=mark, count=2)
    assert sorted((int(c.params["chat_id"]), int(c.params["message_id"])) for c in edits) == sorted(
        [(ADMIN_ID, mine.result["message_id"]), (zhao.id, theirs.result["message_id"])]
    )
    for user, card, outcome in ((admin, mine, "↩️ 小李 已撤回"), (zhao, theirs, "↩️ Withdrawn by 小李")):
        shown = card_shown(api, user, card)
        assert "reply_markup" not in shown and shown["text"].endswith(outcome), shown["text"]

    mark = api.mark()
    await api.press_button(admin, mine.result, Decide(1, approve=True).pack(), strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "这个申请已经撤回了。" and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert await request_status(app, 1) == RequestStatus.CANCELLED


async def test_swap_needs_the_colleague_and_an_admin(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    await define_shift(api, admin, "晚班 16:00 24:00 1-5", wang)

    asked = await reply_to(api, li, "/swap @s2 2025-10-09 家里有事")
    assert "换班申请 #1 已发给 小王" in asked.params["text"]
    question = await api.wait_for("sendMessage", chat_id=wang.id, text=lambda t: "想和你换班" in t)
    assert not api.calls_to("sendMessage", chat_id=ADMIN_ID, text=lambda t: "换班 #1" in t)
    await press(api, wang, question.result, AnswerSwap(1, accept=True).pack())
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "换班 #1" in t)
    await press(api, admin, card.result, Decide(1, approve=True).pack())
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "已被 王经理 批准" in t)
    await api.wait_for("sendMessage", chat_id=wang.id, text=lambda t: "已被 王经理 批准" in t)

    morning = await tick(app, api, clock, at(THURSDAY, "08:00"))
    assert ["早班" in t for t in texts_to(morning, wang)] == [True] and texts_to(morning, li) == []
    evening = await tick(app, api, clock, at(THURSDAY, "15:30"))
    assert ["晚班" in t for t in texts_to(evening, li)] == [True]


async def test_a_withdrawn_swap_updates_the_colleagues_question(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    wang = await staff(app, api, 5002, "小王", username="s2", language_code="en")  # reads the bot in English
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    await reply_to(api, li, "/swap @s2 2025-10-09 家里有事")
    question = await api.wait_for("sendMessage", chat_id=wang.id, text=lambda t: "asks you to swap" in t)
    accept = AnswerSwap(1, accept=True).pack()
    assert last_with_button(api, wang, accept)["message_id"] == question.result["message_id"]

    # 小李 withdraws before 小王 answers: the question loses its buttons and says so, in English.
    listing = await reply_to(api, li, "/myrequests")
    mark = api.mark()
    answer = await press(api, li, listing.result, Withdraw(1).pack())
    assert answer.params["text"] == "申请 #1 已撤回。"
    edit = await api.wait_for("editMessageText", since=mark, chat_id=wang.id)
    assert int(edit.params["message_id"]) == question.result["message_id"]
    assert "Shift swap #1" in edit.params["text"] and edit.params["text"].endswith("\n↩️ Withdrawn by 小李")
    assert "reply_markup" not in edit.params
    shown = card_shown(api, wang, question)
    assert "reply_markup" not in shown and shown["text"].endswith("↩️ Withdrawn by 小李")
    await api.wait_idle(quiet=0.02)
    assert len(api.calls_to("editMessageText", since=mark)) == 1

    # A stale Accept (an old client still showing the buttons) is told so and changes nothing.
    mark = api.mark()
    await api.press_button(wang, question.result, accept, strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "This request was withdrawn." and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert await request_status(app, 1) == RequestStatus.CANCELLED


async def test_missed_punch_correction(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)
    await tick(app, api, clock, at(THURSDAY, "08:00"))
    await tick(app, api, clock, at(THURSDAY, "09:30"))
    clock.move_to(at(THURSDAY, "10:00"))
    usage = await reply_to(api, li, "/correct")
    assert "/correct 2025-10-09 in 08:25" in usage.params["text"]
    asked = await reply_to(api, li, "/correct 2025-10-09 in 08:25 手机没电")
    assert "补卡申请 #1" in asked.params["text"]
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "补卡 #1" in t)
    assert "补签到" in card.params["text"] and "10-09 08:25" in card.params["text"]
    await press(api, admin, card.result, Decide(1, approve=True).pack())
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "补卡申请 #1 已被" in t)
    stored = (await records(app))[("小李", THURSDAY)]
    assert stored.status == RecordStatus.PRESENT and stored.corrected
