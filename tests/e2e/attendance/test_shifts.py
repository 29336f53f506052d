"""Admins define shifts: /newshift, /shifts and a shift's card, deleting one; staff are refused."""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.attendance.buttons import ConfirmDelete, DeleteShift, ShiftCard
from bot.i18n import gettext_for
from tests.e2e.attendance.conftest import define_shift, records, staff_members
from tests.e2e.conftest import buttons, press, reply_to
from tests.fakes.bot_api import FakeBotAPI, FakeUser

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
