"""Admins put staff on shifts: /assign with names or by tapping them, /unassign."""

from __future__ import annotations

from typing import Any

from bot.app import BotApplication
from bot.attendance import service
from bot.attendance.buttons import ToggleStaff
from bot.i18n import gettext_for
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import THURSDAY, at, define_shift, staff_members, texts_to, tick
from tests.e2e.conftest import buttons, press, reply_to


async def on_shift(app: BotApplication, name: str) -> list[str]:
    async with app.bot_data.db() as session:
        shift = await service.get_shift(session, name)
        assert shift is not None and shift.id is not None
        return [p.first_name for p in await service.assignees(session, shift.id, THURSDAY)]


async def test_tapping_names_puts_staff_on_a_shift_and_takes_them_off(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, _wang = await staff_members(app, api, "小李", "小王")
    await reply_to(api, admin, "/newshift 早班 08:30 17:00 1-5")
    page = await reply_to(api, admin, "/assign 早班")
    assert "谁上" in page.params["text"] and "现在 0 人" in page.params["text"]
    li_button = next(b for b in buttons(page) if "小李" in b["text"])
    assert li_button["text"] == "▫️ 小李"
    toggle = ToggleStaff.unpack(li_button["callback_data"])

    await press(api, admin, page.result, toggle.pack())
    await api.wait_for("editMessageText", chat_id=admin.id, text=lambda t: "现在 1 人" in t)
    shown = api.message(admin, page.result["message_id"])
    assert shown is not None and "✅ 小李" in [b["text"] for b in buttons(shown)]
    assert await on_shift(app, "早班") == ["小李"]

    await press(api, admin, shown, toggle.pack())
    await api.wait_for("editMessageText", chat_id=admin.id, text=lambda t: "现在 0 人" in t)
    assert await on_shift(app, "早班") == []

    # A forged person id changes nothing.
    forged = await press_stale(api, admin, shown, ToggleStaff(toggle.shift_id, 424242, 0).pack())
    assert (
        forged.params["text"] == gettext_for("zh_CN")("That person is not known.")
        and forged.params["show_alert"]
    )

    added = await reply_to(api, admin, f"/assign 早班 @{li.username} @nobody 2025-10-01")
    assert "小李" in added.params["text"] and "@nobody" in added.params["text"]
    assert await on_shift(app, "早班") == ["小李"]
    removed = await reply_to(api, admin, f"/unassign 早班 @{li.username} 2025-10-09")
    assert "小李" in removed.params["text"]
    assert await on_shift(app, "早班") == []


async def press_stale(api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str) -> Any:
    """Press a button that is not (or no longer) on the message, as a forged or old client can."""
    mark = api.mark()
    await api.press_button(user, message, data, strict=False)
    return await api.wait_for("answerCallbackQuery", since=mark)


async def test_assign_explains_what_it_needs(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    usage = await reply_to(api, admin, "/assign")
    assert "/assign 早班 @xiaoli @xiaowang" in usage.params["text"]
    missing = await reply_to(api, admin, "/assign 夜班 @s1")
    assert missing.params["text"] == "没有叫 夜班 的班次，见 /shifts。"
    await reply_to(api, admin, "/newshift 早班 08:30 17:00 1-5")
    neither = await reply_to(api, admin, "/assign 早班 someday")
    assert "someday" in neither.params["text"]
    superscript = await reply_to(api, admin, "/assign 早班 ²")  # a digit, but no number: not an id
    assert "²" in superscript.params["text"]
    backwards = await reply_to(api, admin, "/assign 早班 @manager_wang 2025-10-10 2025-10-01")
    assert backwards.params["text"] == "结束日期早于开始日期。"
    usage = await reply_to(api, admin, "/unassign")
    assert "/unassign" in usage.params["text"]


async def test_someone_put_on_a_shift_after_it_ended_is_not_absent_from_it(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)
    await tick(app, api, clock, at(THURSDAY, "08:00"))
    clock.move_to(at(THURSDAY, "08:20"))
    await reply_to(api, li, "/checkin")
    clock.move_to(at(THURSDAY, "18:00"))
    await reply_to(api, admin, "/assign 早班 @s2")  # from today, once today's shift is over

    day = await reply_to(api, admin, "/attendance")
    assert "共 1 人：准时 1，迟到 0，缺勤 0，请假 0" in day.params["text"]
    assert "小王" not in day.params["text"]
    summary = await reply_to(api, admin, "/summary")
    assert "小王" not in summary.params["text"] and "缺勤 0" in summary.params["text"]
    tomorrow = await reply_to(api, admin, "/attendance 2025-10-10")
    assert "共 2 人" in tomorrow.params["text"] and "小王" in tomorrow.params["text"]
    assert texts_to(await tick(app, api, clock, at(THURSDAY, "18:01")), wang) == []  # no absence for them
