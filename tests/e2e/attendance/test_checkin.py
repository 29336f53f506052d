"""Check-in and check-out: the reminders' buttons, /checkin, /checkout, a night shift across midnight."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import BotApplication
from bot.attendance.buttons import CheckInNow, CheckOutNow, StayOn
from bot.attendance.models import RecordStatus
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import (
    FRIDAY,
    THURSDAY,
    at,
    define_shift,
    last_with_button,
    records,
    staff_members,
    texts_to,
    tick,
)
from tests.e2e.conftest import press, reply_to


async def test_reminders_check_in_on_time_late_and_absence(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang, zhang = await staff_members(app, api, "小李", "小王", "小张")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 grace=5 close=60", li, wang, zhang)
    check_in = CheckInNow().pack()

    assert await tick(app, api, clock, at(THURSDAY, "07:59")) == []
    opening = await tick(app, api, clock, at(THURSDAY, "08:00"))
    for user in (li, wang, zhang):
        (text,) = texts_to(opening, user)
        assert "早班" in text and "08:30" in text and "现在可以签到" in text
        buttons = last_with_button(api, user, check_in)["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["text"] == "✅ 签到"
    assert not texts_to(opening, admin)

    clock.move_to(at(THURSDAY, "08:20"))
    reminder = last_with_button(api, li, check_in)
    on_time = await press(api, li, reminder, check_in)
    assert "已签到：08:20" in on_time.params["text"] and "准时" in on_time.params["text"]
    # The reminder itself now says so, and its button is gone.
    await api.wait_for("editMessageText", chat_id=li.id)
    edited = api.message(li, reminder["message_id"])
    assert edited is not None and "reply_markup" not in edited
    assert edited["text"].startswith("⏰") and edited["text"].endswith(on_time.params["text"])

    start = await tick(app, api, clock, at(THURSDAY, "08:30"))
    assert texts_to(start, li) == []
    assert ["还没有签到" in t for t in texts_to(start, wang)] == [True]

    clock.move_to(at(THURSDAY, "08:47"))
    late = await reply_to(api, wang, "/checkin")
    assert "迟到 17 分钟" in late.params["text"]
    again = await reply_to(api, wang, "/checkin")
    assert "已经在 08:47 签到" in again.params["text"]

    closing = await tick(app, api, clock, at(THURSDAY, "09:30"))
    (absent,) = texts_to(closing, zhang)
    assert "缺勤" in absent and "/correct 2025-10-09 in 08:30" in absent
    assert texts_to(closing, li) == [] and texts_to(closing, wang) == []

    stored = await records(app)
    assert stored[("小李", THURSDAY)].status == RecordStatus.PRESENT
    assert stored[("小王", THURSDAY)].status == RecordStatus.LATE
    assert stored[("小王", THURSDAY)].late_minutes == 17
    assert stored[("小张", THURSDAY)].status == RecordStatus.ABSENT

    clock.move_to(at(THURSDAY, "10:00"))
    answer = await reply_to(api, admin, "/attendance 2025-10-09")
    text = answer.params["text"]
    assert "共 3 人：准时 1，迟到 1，缺勤 1，请假 0" in text
    assert "迟到：小王 (17′)" in text and "缺勤：小张" in text


async def test_check_out_early_needs_confirmation_and_forgotten_check_out_is_closed(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王", english=True)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li, wang)
    clock.move_to(at(THURSDAY, "08:10"))
    await reply_to(api, li, "/checkin")
    await reply_to(api, wang, "/checkin")

    clock.move_to(at(THURSDAY, "16:30"))
    ask = await reply_to(api, li, "/checkout")
    assert "Leave 30 min early" in ask.params["text"]
    early = CheckOutNow(early_ok=True).pack()
    done = await press(api, li, last_with_button(api, li, early), early)
    assert "Checked out" in done.params["text"]
    assert "16:30" in done.params["text"] and "30 min early" in done.params["text"]

    reminder = await tick(app, api, clock, at(THURSDAY, "17:15"))
    assert texts_to(reminder, li) == []
    (text,) = texts_to(reminder, wang)
    assert "Don't forget to check out" in text
    closed = await tick(app, api, clock, at(THURSDAY, "19:00"))
    assert "record was closed and flagged" in texts_to(closed, wang)[0]
    stored = await records(app)
    assert stored[("小李", THURSDAY)].early_minutes == 30
    assert stored[("小王", THURSDAY)].checkout_missing


async def test_staying_on_changes_nothing_and_the_reminder_button_checks_out(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李", english=True)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    clock.move_to(at(THURSDAY, "08:10"))
    await reply_to(api, li, "/checkin")

    clock.move_to(at(THURSDAY, "16:30"))
    ask = await reply_to(api, li, "/checkout")
    stay = await press(api, li, ask.result, StayOn().pack())
    assert stay.params["text"] == "OK, keep up the good work!"
    await api.wait_for("editMessageReplyMarkup", chat_id=li.id)
    shown = api.message(li, ask.result["message_id"])
    assert shown is not None and "reply_markup" not in shown
    assert (await records(app))[("小李", THURSDAY)].checkout_at is None

    reminder = await tick(app, api, clock, at(THURSDAY, "17:15"))
    (text,) = texts_to(reminder, li)
    assert "Don't forget to check out" in text
    check_out = CheckOutNow(early_ok=False).pack()
    done = await press(api, li, last_with_button(api, li, check_out), check_out)
    assert "Checked out of 早班 at 17:15" in done.params["text"]
    assert (await records(app))[("小李", THURSDAY)].checkout_at == at(THURSDAY, "17:15")


async def test_night_shift_across_midnight_counts_on_the_day_it_starts(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "夜班 22:00 06:00 1-5 window=30 grace=5 close=60", li)

    await tick(app, api, clock, at(FRIDAY, "21:00"))
    opening = await tick(app, api, clock, at(FRIDAY, "21:30"))
    assert len(texts_to(opening, li)) == 1
    clock.move_to(at(FRIDAY, "22:03"))
    checked = await reply_to(api, li, "/checkin")
    assert "准时" in checked.params["text"]
    assert await tick(app, api, clock, at(FRIDAY + timedelta(days=1), "00:30")) == []
    clock.move_to(at(FRIDAY + timedelta(days=1), "06:02"))
    out = await reply_to(api, li, "/checkout")
    assert "已签退" in out.params["text"] and "06:02" in out.params["text"]

    stored = await records(app)  # (the days before it: absences the first tick caught up on)
    assert stored[("小李", FRIDAY)].checkout_at == at(FRIDAY + timedelta(days=1), "06:02")
    assert ("小李", FRIDAY + timedelta(days=1)) not in stored
    friday = await reply_to(api, admin, "/attendance 2025-10-17")
    assert "夜班" in friday.params["text"] and "准时 1" in friday.params["text"]
    saturday = await reply_to(api, admin, "/attendance 2025-10-18")
    assert "这一天没有班次" in saturday.params["text"]


async def test_check_in_outside_the_window_is_explained_not_recorded(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)

    clock.move_to(at(THURSDAY, "07:40"))
    early = await reply_to(api, li, "/checkin")
    assert "现在还不能签到" in early.params["text"] and "08:00 开始签到" in early.params["text"]
    clock.move_to(at(THURSDAY, "09:45"))
    late = await reply_to(api, li, "/checkin")
    assert "09:30 截止" in late.params["text"] and "/correct 2025-10-09 in" in late.params["text"]
    assert await records(app) == {}
