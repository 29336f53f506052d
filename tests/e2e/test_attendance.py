"""Shift attendance end to end: the real Application against the fake Bot API, on a controlled clock.

The clock is frozen with time-machine and moved by the tests; the scheduler's jobs are run by their
stable names at the moments the tests choose (the JobQueue would run them at the same moments).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from sqlmodel import select

from bot.app import BotApplication
from bot.attendance import jobs
from bot.attendance.models import AttendanceRecord, AttendanceRequest, RecordStatus, RequestStatus
from bot.i18n import gettext_for
from bot.people.models import Person
from tests.e2e.conftest import ADMIN_ID, bot_settings, make_staff, reply_to, running_bot
from tests.fakes.bot_api import Call, FakeBotAPI, FakeUser

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
FRIDAY = date(2025, 10, 17)  # the Saturday after it is an ordinary weekend day
NATIONAL_DAY = date(2025, 10, 1)
MAKEUP_SUNDAY = date(2025, 9, 28)
REFUSED_TO_SEEKERS = gettext_for("zh_CN")("Sorry, this is for staff only. Ask an admin for an invite link.")


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    """A frozen clock the test moves with ``clock.move_to(at(day, "08:00"))``."""
    with time_machine.travel(at(THURSDAY - timedelta(days=1), "18:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
async def app(clock: Any, fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    async with running_bot(bot_settings(fake_bot_api, database_url)) as application:
        yield application


@pytest.fixture
def admin(fake_bot_api: FakeBotAPI) -> FakeUser:
    return fake_bot_api.user(ADMIN_ID, "王经理", username="manager_wang")


async def staff(app: BotApplication, api: FakeBotAPI, *names: str, english: bool = False) -> list[FakeUser]:
    """Staff members with usernames ``s<n>`` and ids 5000+n."""
    users = []
    for n, name in enumerate(names, start=1):
        user = api.user(5000 + n, name, username=f"s{n}", language_code="en" if english else "zh-hans")
        await make_staff(app, user)
        users.append(user)
    return users


async def define_shift(api: FakeBotAPI, admin: FakeUser, definition: str, *people: FakeUser) -> None:
    answer = await reply_to(api, admin, f"/newshift {definition}")
    assert "班次已创建" in answer.params["text"], answer.params["text"]
    name = definition.split()[0]
    refs = " ".join(f"@{u.username}" for u in people)
    answer = await reply_to(api, admin, f"/assign {name} {refs} 2025-09-01")
    assert all(u.first_name in answer.params["text"] for u in people), answer.params["text"]


async def tick(app: BotApplication, api: FakeBotAPI, clock: Any, moment: datetime) -> list[Call]:
    """Move the clock and run the scheduler's job; the messages it sent."""
    clock.move_to(moment)
    mark = api.mark()
    (job,) = app.job_queue.get_jobs_by_name(jobs.TICK_JOB)  # type: ignore[union-attr]
    await job.run(app)
    await api.wait_idle(quiet=0.02)
    return [c for c in api.calls_to("sendMessage", since=mark)]


def texts_to(calls: list[Call], user: FakeUser) -> list[str]:
    return [c.params["text"] for c in calls if c.params["chat_id"] == user.id]


async def records(app: BotApplication) -> dict[tuple[str, date], AttendanceRecord]:
    assert app.bot_data.db is not None
    async with app.bot_data.db() as session:
        rows = await session.exec(select(AttendanceRecord, Person).join(Person))
        return {(person.first_name, record.work_date): record for record, person in rows.all()}


async def press(api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str) -> Call:
    """Press a button and return the bot's answer to the callback query."""
    mark = api.mark()
    await api.press_button(user, message, data)
    return await api.wait_for("answerCallbackQuery", since=mark)


def last_with_button(api: FakeBotAPI, user: FakeUser, data: str) -> dict[str, Any]:
    for message in reversed(api.sent_messages(user)):
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if any(b.get("callback_data") == data for row in rows for b in row):
            return message
    raise AssertionError(f"no message with a {data} button for {user.first_name}")


# --- the working day -------------------------------------------------------------------------------


async def test_reminders_check_in_on_time_late_and_absence(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang, zhang = await staff(app, api, "小李", "小王", "小张")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 grace=5 close=60", li, wang, zhang)

    assert await tick(app, api, clock, at(THURSDAY, "07:59")) == []
    opening = await tick(app, api, clock, at(THURSDAY, "08:00"))
    for user in (li, wang, zhang):
        (text,) = texts_to(opening, user)
        assert "早班" in text and "08:30" in text and "现在可以签到" in text
        buttons = last_with_button(api, user, "att:in")["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["text"] == "✅ 签到"
    assert not texts_to(opening, admin)

    clock.move_to(at(THURSDAY, "08:20"))
    reminder = last_with_button(api, li, "att:in")
    on_time = await press(api, li, reminder, "att:in")
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
    li, wang = await staff(app, api, "小李", "小王", english=True)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li, wang)
    clock.move_to(at(THURSDAY, "08:10"))
    await reply_to(api, li, "/checkin")
    await reply_to(api, wang, "/checkin")

    clock.move_to(at(THURSDAY, "16:30"))
    ask = await reply_to(api, li, "/checkout")
    assert "Leave 30 min early" in ask.params["text"]
    done = await press(api, li, last_with_button(api, li, "att:out:early"), "att:out:early")
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


# --- leave -----------------------------------------------------------------------------------------


async def test_approved_leave_suppresses_reminders_and_absence(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li, wang)

    sent = await reply_to(api, li, "/leave 2025-10-09 看病")
    assert "请假申请 #1 已发给管理员" in sent.params["text"]
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    assert "小李" in card.params["text"] and "看病" in card.params["text"]

    # A colleague cannot approve it, even by pressing the button.
    refused = await press(api, wang, card.result, "att:ok:1")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。" and refused.params["show_alert"]

    answered = await press(api, admin, card.result, "att:ok:1")
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


# --- the admins' request cards --------------------------------------------------------------------


async def second_admin(app: BotApplication, api: FakeBotAPI) -> FakeUser:
    """An admin promoted in the database (not in ADMIN_IDS) who reads the bot in English."""
    zhao = api.user(900_002, "赵主管", username="supervisor_zhao", language_code="en")
    await make_staff(app, zhao, "admin")
    return zhao


async def request_status(app: BotApplication, request_id: int) -> str:
    assert app.bot_data.db is not None
    async with app.bot_data.db() as session:
        request = await session.get(AttendanceRequest, request_id)
        assert request is not None
        return request.status


async def leave_cards(api: FakeBotAPI, li: FakeUser, zhao: FakeUser, day: str) -> tuple[Call, Call]:
    """小李 asks for leave; the card each admin got (王经理's in Chinese, 赵主管's in English)."""
    await reply_to(api, li, f"/leave {day} 看病")
    mine = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    theirs = await api.wait_for("sendMessage", chat_id=zhao.id, text=lambda t: "Leave #1" in t)
    for card in (mine, theirs):
        buttons = card.params["reply_markup"]["inline_keyboard"][0]
        assert [b["callback_data"] for b in buttons] == ["att:ok:1", "att:no:1"]
    return mine, theirs


def card_shown(api: FakeBotAPI, user: FakeUser, card: Call) -> dict[str, Any]:
    shown = api.message(user, card.result["message_id"])
    assert shown is not None
    return shown


async def test_when_one_admin_decides_the_other_admins_cards_say_so(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
    zhao = await second_admin(app, api)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-09")

    mark = api.mark()
    answered = await press(api, admin, mine.result, "att:ok:1")
    assert answered.params["text"] == "已批准。"
    edit = await api.wait_for("editMessageText", since=mark, chat_id=zhao.id)
    assert int(edit.params["message_id"]) == theirs.result["message_id"]
    text = edit.params["text"]
    assert "Leave #1" in text and "小李" in text and "Status: approved" in text
    assert text.endswith("\n✅ Approved by 王经理")
    assert "reply_markup" not in edit.params
    shown = card_shown(api, zhao, theirs)
    assert "reply_markup" not in shown and shown["text"].endswith("✅ Approved by 王经理")
    # The deciding admin's own card says the same, in Chinese, and is edited once only.
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "已被 王经理 批准" in t)
    await api.wait_idle(quiet=0.02)
    own = card_shown(api, admin, mine)
    assert "reply_markup" not in own and own["text"].endswith("✅ 王经理 已批准")
    assert len(api.calls_to("editMessageText", since=mark, chat_id=ADMIN_ID)) == 1
    assert len(api.calls_to("editMessageText", since=mark, chat_id=zhao.id)) == 1

    # 赵主管 presses the stale reject button anyway: nothing changes, and nobody gets an error.
    mark = api.mark()
    await api.press_button(zhao, theirs.result, "att:no:1", strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "This request was already decided." and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert card_shown(api, zhao, theirs)["text"].endswith("✅ Approved by 王经理")
    assert await request_status(app, 1) == RequestStatus.APPROVED


async def test_a_withdrawn_request_is_shown_as_withdrawn_on_every_admin_card(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
    zhao = await second_admin(app, api)
    await reply_to(api, admin, "/start")
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-10")

    listing = await reply_to(api, li, "/myrequests")
    mark = api.mark()
    answer = await press(api, li, listing.result, "att:cancel:1")
    assert answer.params["text"] == "申请 #1 已撤回。"
    edits = await api.wait_for_calls("editMessageText", since=mark, count=2)
    assert sorted((int(c.params["chat_id"]), int(c.params["message_id"])) for c in edits) == sorted(
        [(ADMIN_ID, mine.result["message_id"]), (zhao.id, theirs.result["message_id"])]
    )
    for user, card, outcome in ((admin, mine, "↩️ 小李 已撤回"), (zhao, theirs, "↩️ Withdrawn by 小李")):
        shown = card_shown(api, user, card)
        assert "reply_markup" not in shown and shown["text"].endswith(outcome), shown["text"]

    mark = api.mark()
    await api.press_button(admin, mine.result, "att:ok:1", strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "这个申请已经撤回了。" and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert await request_status(app, 1) == RequestStatus.CANCELLED


async def test_cards_from_the_request_list_are_updated_and_a_lost_card_is_skipped(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
    zhao = await second_admin(app, api)
    await reply_to(api, admin, "/start")
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-09")
    listed = await reply_to(api, zhao, "/requests")
    assert "Leave #1" in listed.params["text"] and listed.params["reply_markup"]

    # 赵主管 deleted the first card: editing it fails, which is logged and skipped.
    api.fail_next("editMessageText", chat_id=zhao.id, description="Bad Request: message to edit not found")
    mark = api.mark()
    answered = await press(api, admin, mine.result, "att:no:1")
    assert answered.params["text"] == "已拒绝。"
    edits = await api.wait_for_calls("editMessageText", since=mark, ok=None, chat_id=zhao.id, count=2)
    assert [(int(c.params["message_id"]), c.ok) for c in edits] == [
        (theirs.result["message_id"], False),
        (listed.result["message_id"], True),
    ]
    shown = card_shown(api, zhao, listed)
    assert "reply_markup" not in shown and shown["text"].endswith("✖️ Rejected by 王经理")
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "被 王经理 拒绝" in t)
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID) == []
    assert api.calls_to("sendMessage", since=mark, chat_id=zhao.id) == []
    assert await request_status(app, 1) == RequestStatus.REJECTED


# --- the calendar ----------------------------------------------------------------------------------


async def test_night_shift_across_midnight_counts_on_the_day_it_starts(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
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

    stored = await records(app)
    assert list(stored) == [("小李", FRIDAY)]
    friday = await reply_to(api, admin, "/attendance 2025-10-17")
    assert "夜班" in friday.params["text"] and "准时 1" in friday.params["text"]
    saturday = await reply_to(api, admin, "/attendance 2025-10-18")
    assert "这一天没有班次" in saturday.params["text"]


async def test_no_reminders_on_a_public_holiday_and_reminders_on_a_make_up_workday(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
    clock.move_to(at(MAKEUP_SUNDAY - timedelta(days=1), "12:00"))
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)

    await tick(app, api, clock, at(MAKEUP_SUNDAY, "07:00"))
    makeup = await tick(app, api, clock, at(MAKEUP_SUNDAY, "08:00"))
    assert len(texts_to(makeup, li)) == 1

    await tick(app, api, clock, at(NATIONAL_DAY, "07:00"))
    for moment in ("08:00", "08:30", "09:30", "18:00"):
        assert await tick(app, api, clock, at(NATIONAL_DAY, moment)) == [], moment
    assert [k for k in await records(app) if k[1] == NATIONAL_DAY] == []
    clock.move_to(at(NATIONAL_DAY, "09:00"))
    (summary,) = app.job_queue.get_jobs_by_name(jobs.SUMMARY_JOB)  # type: ignore[union-attr]
    mark = api.mark()
    await summary.run(app)
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []  # nothing to report on a day off

    clock.move_to(at(NATIONAL_DAY, "08:10"))
    answer = await reply_to(api, li, "/checkin")
    assert "现在还不能签到" in answer.params["text"] and "10-09" in answer.params["text"]
    shifts = await reply_to(api, li, "/myshifts")
    assert "法定节假日：国庆节" in shifts.params["text"]
    calendar = await reply_to(api, admin, "/calendar")
    assert "10-11 周六: 调休上班（国庆节），按周一排班" in calendar.params["text"]


# --- restarts --------------------------------------------------------------------------------------


async def test_restart_mid_shift_sends_one_reminder_each_and_records_absences(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as first:
        early, li, wang = await staff(first, api, "早起", "小李", "小王")
        await define_shift(api, admin, "早早班 07:00 15:00 1-5 window=30 close=75", early)
        await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 close=60", li, wang)
        for moment in ("06:00", "06:30", "07:00", "08:00", "08:05"):
            await tick(first, api, clock, at(THURSDAY, moment))
        assert len(api.calls_to("sendMessage", chat_id=early.id)) == 2  # window open, then shift start

    # Down from 08:05 to 08:20: 早早班's check-in closed at 08:15 without 早起; 早班's window is open.
    clock.move_to(at(THURSDAY, "08:20"))
    mark = api.mark()
    async with running_bot(settings) as second:
        assert {job.name for job in second.job_queue.jobs()} >= set(jobs.JOB_NAMES)  # type: ignore[union-attr]
        (catch_up,) = second.job_queue.get_jobs_by_name(jobs.CATCH_UP_JOB)  # type: ignore[union-attr]
        await catch_up.run(second)
        await api.wait_idle(quiet=0.02)
        await tick(second, api, clock, at(THURSDAY, "08:21"))
        stored = await records(second)

    # And once more, a few minutes later.
    async with running_bot(settings) as third:
        clock.move_to(at(THURSDAY, "08:25"))
        (catch_up,) = third.job_queue.get_jobs_by_name(jobs.CATCH_UP_JOB)  # type: ignore[union-attr]
        await catch_up.run(third)
        await api.wait_idle(quiet=0.02)

    for user in (li, wang):
        reminders = [
            c for c in api.calls_to("sendMessage", chat_id=user.id) if "现在可以签到" in c.params["text"]
        ]
        assert len(reminders) == 1, user.first_name
        assert api.calls_to("sendMessage", chat_id=user.id, since=mark) == []
    (absent,) = [c.params["text"] for c in api.calls_to("sendMessage", chat_id=early.id, since=mark)]
    assert "缺勤" in absent and "早早班" in absent
    assert stored[("早起", THURSDAY)].status == RecordStatus.ABSENT
    assert stored[("小李", THURSDAY)].status == RecordStatus.EXPECTED


async def test_absences_that_fell_while_down_are_recorded_without_stale_reminders(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as first:
        (li,) = await staff(first, api, "小李")
        await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 close=60", li)
        await tick(first, api, clock, at(THURSDAY, "07:00"))
    clock.move_to(at(THURSDAY, "10:00"))
    async with running_bot(settings) as second:
        (catch_up,) = second.job_queue.get_jobs_by_name(jobs.CATCH_UP_JOB)  # type: ignore[union-attr]
        await catch_up.run(second)
        await api.wait_idle(quiet=0.02)
        stored = await records(second)
    texts = [c.params["text"] for c in api.calls_to("sendMessage", chat_id=li.id)]
    assert len(texts) == 1 and "缺勤" in texts[0]
    assert stored[("小李", THURSDAY)].status == RecordStatus.ABSENT


# --- reports ---------------------------------------------------------------------------------------


async def test_daily_summary_lists_late_absent_and_on_leave(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang, zhang, zhao = await staff(app, api, "小李", "小王", "小张", "小赵")
    await reply_to(api, admin, "/start")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li, wang, zhang, zhao)
    await reply_to(api, zhao, "/leave 2025-10-09 回家")
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    await press(api, admin, card.result, "att:ok:1")

    await tick(app, api, clock, at(THURSDAY, "08:00"))
    clock.move_to(at(THURSDAY, "08:25"))
    await reply_to(api, li, "/checkin")
    clock.move_to(at(THURSDAY, "08:42"))
    await reply_to(api, wang, "/checkin")

    clock.move_to(at(THURSDAY, "09:00"))
    mark = api.mark()
    (job,) = app.job_queue.get_jobs_by_name(jobs.SUMMARY_JOB)  # type: ignore[union-attr]
    await job.run(app)
    summary = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
    text = summary.params["text"]
    assert "每日考勤汇总，2025-10-09 09:00" in text
    assert "共 4 人：准时 1，迟到 1，缺勤 0，请假 1" in text
    assert "迟到：小王 (12′)" in text
    assert "尚未签到：小张" in text
    assert "请假：小赵" in text
    # Once a day only, also after a restart's catch-up.
    await job.run(app)
    assert await jobs.send_summary(app) == 0  # what the catch-up job does at start
    await api.wait_idle(quiet=0.02)
    assert (
        len(
            [
                c
                for c in api.calls_to("sendMessage", chat_id=ADMIN_ID, since=mark)
                if "汇总" in c.params["text"]
            ]
        )
        == 1
    )


async def test_monthly_workbook_and_chart(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li, wang)
    for day, li_time in ((THURSDAY, "08:20"), (THURSDAY + timedelta(days=1), "08:50")):
        await tick(app, api, clock, at(day, "08:00"))
        clock.move_to(at(day, li_time))
        await reply_to(api, li, "/checkin")
        clock.move_to(at(day, "17:05"))
        await reply_to(api, li, "/checkout")
        await tick(app, api, clock, at(day, "17:06"))

    clock.move_to(at(date(2025, 10, 31), "12:00"))
    mark = api.mark()
    await api.send_text(admin, "/monthreport 2025-10")
    document = await api.wait_for("sendDocument", since=mark, chat_id=ADMIN_ID)
    photo = await api.wait_for("sendPhoto", since=mark, chat_id=ADMIN_ID)
    assert api.file_content(photo.result).startswith(b"\x89PNG")
    workbook = openpyxl.load_workbook(io.BytesIO(api.file_content(document.result)))
    summary = workbook["月度汇总"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "姓名",
        "用户名",
        "Telegram ID",
        "应出勤班次",
        "实际出勤",
        "准时",
        "迟到次数",
        "迟到分钟",
    )
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["小李"][3:11] == (2, 2, 1, 1, 20, 0, 0, 0)
    assert by_name["小李"][14] == pytest.approx(8.58 + 8.25, abs=0.02)
    assert by_name["小王"][3:12] == (2, 0, 0, 0, 0, 0, 0, 2, 0)
    details = list(workbook["考勤明细"].iter_rows(values_only=True))
    assert details[0][0] == "日期" and len(details) == 5
    assert (
        "2025-10-10",
        "小李",
        "早班",
        "08:30",
        "17:00",
        "10-10 08:50",
        "10-10 17:05",
        "迟到",
        20,
        0,
        None,
    ) in details

    mine = await reply_to(api, li, "/myattendance 2025-10")
    assert "迟到：1（20 分钟）" in mine.params["text"]


# --- refusals --------------------------------------------------------------------------------------


async def test_staff_cannot_define_shifts_or_decide_requests(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
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


async def test_check_in_outside_the_window_or_too_far_is_explained_not_recorded(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li)

    clock.move_to(at(THURSDAY, "07:40"))
    early = await reply_to(api, li, "/checkin")
    assert "现在还不能签到" in early.params["text"] and "08:00 开始签到" in early.params["text"]
    clock.move_to(at(THURSDAY, "09:45"))
    late = await reply_to(api, li, "/checkin")
    assert "09:30 截止" in late.params["text"] and "/correct 2025-10-09 in" in late.params["text"]
    assert await records(app) == {}

    clock.move_to(at(THURSDAY - timedelta(days=1), "18:00"))
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


# --- swaps and corrections -------------------------------------------------------------------------


async def test_swap_needs_the_colleague_and_an_admin(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff(app, api, "小李", "小王")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    await define_shift(api, admin, "晚班 16:00 24:00 1-5", wang)

    asked = await reply_to(api, li, "/swap @s2 2025-10-09 家里有事")
    assert "换班申请 #1 已发给 小王" in asked.params["text"]
    question = await api.wait_for("sendMessage", chat_id=wang.id, text=lambda t: "想和你换班" in t)
    assert not api.calls_to("sendMessage", chat_id=ADMIN_ID, text=lambda t: "换班 #1" in t)
    await press(api, wang, question.result, "att:swap:1:yes")
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "换班 #1" in t)
    await press(api, admin, card.result, "att:ok:1")
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
    (li,) = await staff(app, api, "小李")
    wang = api.user(5002, "小王", username="s2", language_code="en")  # reads the bot in English
    await make_staff(app, wang)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    await reply_to(api, li, "/swap @s2 2025-10-09 家里有事")
    question = await api.wait_for("sendMessage", chat_id=wang.id, text=lambda t: "asks you to swap" in t)
    assert last_with_button(api, wang, "att:swap:1:yes")["message_id"] == question.result["message_id"]

    # 小李 withdraws before 小王 answers: the question loses its buttons and says so, in English.
    listing = await reply_to(api, li, "/myrequests")
    mark = api.mark()
    answer = await press(api, li, listing.result, "att:cancel:1")
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
    await api.press_button(wang, question.result, "att:swap:1:yes", strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "This request was withdrawn." and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert await request_status(app, 1) == RequestStatus.CANCELLED


async def test_missed_punch_correction(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff(app, api, "小李")
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
    await press(api, admin, card.result, "att:ok:1")
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "补卡申请 #1 已被" in t)
    stored = (await records(app))[("小李", THURSDAY)]
    assert stored.status == RecordStatus.PRESENT and stored.corrected
