"""Admins define shifts: /newshift, /shifts and a shift's card, deleting one, shifts that run on public
holidays; staff are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import BotApplication
from bot.attendance.buttons import ConfirmDelete, DeleteShift, OnHolidays, ShiftCard
from bot.i18n import gettext_for
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import (
    NATIONAL_DAY,
    at,
    define_shift,
    records,
    staff_members,
    texts_to,
    tick,
)
from tests.e2e.conftest import buttons, press, reply_to

REFUSED_TO_SEEKERS = gettext_for("zh_CN")("Sorry, this is for staff only. Ask an admin for an invite link.")


async def test_staff_cannot_define_shifts_or_decide_requests(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    for command in (
        "/newshift 早班 08:30 17:00",
        "/assign 早班 @s1",
        "/attendance",
        "/monthreport",
        "/requests",
        "/holidays 2027 元旦 01-01..01-03",
        "/workday 2025-10-01 2025-10-03",
    ):
        answer = await reply_to(api, li, command)
        assert answer.params["text"] == "抱歉，只有管理员可以这样操作。", command
    seeker = api.user(7001, "路人")
    answer = await reply_to(api, seeker, "/checkin")
    assert answer.params["text"] == REFUSED_TO_SEEKERS
    assert await records(app) == {}
    shifts = await reply_to(api, admin, "/shifts")
    assert "还没有班次" in shifts.params["text"]


async def test_bad_shift_definitions_are_explained(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    answer = await reply_to(api, admin, "/newshift 早班 8:70 17:00")
    assert (
        "“8:70”不是上班时间" in answer.params["text"]
        and "/newshift 早班 08:30 17:00 1-5" in answer.params["text"]
    )
    answer = await reply_to(api, admin, "/newshift 早班 08:30 17:00 8-9")
    assert "不是星期几" in answer.params["text"]


async def test_a_shift_card_leads_to_deleting_the_shift(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    listed = await reply_to(api, admin, "/shifts")
    assert "早班 08:30–17:00 · 周一–周五 — 1 人" in listed.params["text"]
    (card,) = buttons(listed)
    shift_id = ShiftCard.unpack(card["callback_data"]).shift_id

    # Staff cannot open it, even by pressing the button.
    refused = await press(api, li, listed.result, ShiftCard(shift_id).pack())
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。" and refused.params["show_alert"]

    await press(api, admin, listed.result, ShiftCard(shift_id).pack())
    await api.wait_for("editMessageText", chat_id=admin.id)
    shown = api.message(admin, listed.result["message_id"])
    assert shown is not None and "排班人员" in [b["text"].removeprefix("👥 ") for b in buttons(shown)]
    await press(api, admin, shown, DeleteShift(shift_id).pack())
    await api.wait_for("editMessageText", chat_id=admin.id, text=lambda t: "删除班次" in t)
    shown = api.message(admin, listed.result["message_id"])
    assert shown is not None
    deleted = await press(api, admin, shown, ConfirmDelete(shift_id).pack())
    assert deleted.params["text"] == "已删除。"
    await api.wait_for("editMessageText", chat_id=admin.id, text=lambda t: "🗑 班次 早班 已删除。" in t)

    # The old card's buttons now name a shift that is gone.
    mark = api.mark()
    await api.press_button(admin, shown, ConfirmDelete(shift_id).pack(), strict=False)
    gone = await api.wait_for("answerCallbackQuery", since=mark)
    assert gone.params["text"] == "这个班次已不存在。" and gone.params["show_alert"]
    shifts = await reply_to(api, admin, "/shifts")
    assert "还没有班次" in shifts.params["text"]
    missing = await reply_to(api, admin, "/deleteshift 早班")
    assert missing.params["text"] == "没有这个名称的班次，见 /shifts。"


async def test_a_seven_day_desk_runs_on_public_holidays_and_that_can_change(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
    clock.move_to(at(NATIONAL_DAY - timedelta(days=1), "12:00"))
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    created = await reply_to(api, admin, "/newshift 售后 09:00 18:00 每天 节假日")
    assert "售后 09:00–18:00 · 每天 · 🎌 节假日照常" in created.params["text"]
    assert "🎌 节假日不上班" in [b["text"] for b in buttons(created)]
    await reply_to(api, admin, "/assign 售后 @s2 2025-09-01")

    holiday = await tick(app, api, clock, at(NATIONAL_DAY, "08:30"))
    assert texts_to(holiday, li) == [] and len(texts_to(holiday, wang)) == 1
    listed = await reply_to(api, admin, "/shifts")
    assert "售后 09:00–18:00 · 每天 · 🎌 节假日照常 — 1 人" in listed.params["text"]

    # Redefining the times keeps the choice; the card's button changes it.
    redefined = await reply_to(api, admin, "/newshift 售后 09:00 18:30 每天")
    assert "🎌 节假日照常" in redefined.params["text"]
    (toggle,) = [b for b in buttons(redefined) if b["text"].startswith("🎌")]
    assert OnHolidays.unpack(toggle["callback_data"]).on is False
    refused = await press(api, li, redefined.result, toggle["callback_data"])
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    done = await press(api, admin, redefined.result, toggle["callback_data"])
    assert done.params["text"] == "该班次节假日不再上班。"
    await api.wait_for("editMessageText", chat_id=admin.id, text=lambda t: "🎌" not in t and "售后" in t)
    shown = api.message(admin, redefined.result["message_id"])
    assert shown is not None and "🎌 节假日照常上班" in [b["text"] for b in buttons(shown)]
    assert await tick(app, api, clock, at(NATIONAL_DAY + timedelta(days=1), "08:30")) == []
