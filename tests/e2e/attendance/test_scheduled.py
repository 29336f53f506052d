"""The scheduled work: the catch-up after a restart (however late the start), the daily summary once a day
and its warning about next year's holidays."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

import bot.app
from bot.app import BotApplication
from bot.attendance import scheduled
from bot.attendance.buttons import Decide
from bot.attendance.models import RecordStatus
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import (
    THURSDAY,
    at,
    caught_up,
    define_shift,
    records,
    run_job,
    staff_members,
    tick,
)
from tests.e2e.conftest import ADMIN_ID, bot_settings, press, reply_to, running_bot


async def test_restart_mid_shift_sends_one_reminder_each_and_records_absences(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as first:
        early, li, wang = await staff_members(first, api, "早起", "小李", "小王")
        await define_shift(api, admin, "早早班 07:00 15:00 1-5 window=30 close=75", early)
        await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 close=60", li, wang)
        for moment in ("06:00", "06:30", "07:00", "08:00", "08:05"):
            await tick(first, api, clock, at(THURSDAY, moment))
        assert len(api.calls_to("sendMessage", chat_id=early.id)) == 2  # window open, then shift start

    # Down from 08:05 to 08:20: 早早班's check-in closed at 08:15 without 早起; 早班's window is open.
    clock.move_to(at(THURSDAY, "08:20"))
    mark = api.mark()
    async with running_bot(settings) as second:
        assert second.job_queue is not None
        assert {job.name for job in second.job_queue.jobs()} >= {scheduled.TICK_JOB, scheduled.SUMMARY_JOB}
        await caught_up(second, api)
        await tick(second, api, clock, at(THURSDAY, "08:21"))
        stored = await records(second)

    # And once more, a few minutes later.
    async with running_bot(settings) as third:
        clock.move_to(at(THURSDAY, "08:25"))
        await caught_up(third, api)

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
        (li,) = await staff_members(first, api, "小李")
        await define_shift(api, admin, "早班 08:30 17:00 1-5 window=30 close=60", li)
        await tick(first, api, clock, at(THURSDAY, "07:00"))
    clock.move_to(at(THURSDAY, "10:00"))
    async with running_bot(settings) as second:
        await caught_up(second, api)
        stored = await records(second)
    texts = [c.params["text"] for c in api.calls_to("sendMessage", chat_id=li.id)]
    assert len(texts) == 1 and "缺勤" in texts[0]
    assert stored[("小李", THURSDAY)].status == RecordStatus.ABSENT


async def test_daily_summary_lists_late_absent_and_on_leave(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang, zhang, zhao = await staff_members(app, api, "小李", "小王", "小张", "小赵")
    await reply_to(api, admin, "/start")
    await define_shift(api, admin, "早班 08:30 17:00 1-5 close=60", li, wang, zhang, zhao)
    await reply_to(api, zhao, "/leave 2025-10-09 回家")
    card = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    await press(api, admin, card.result, Decide(1, approve=True).pack())

    await tick(app, api, clock, at(THURSDAY, "08:00"))
    clock.move_to(at(THURSDAY, "08:25"))
    await reply_to(api, li, "/checkin")
    clock.move_to(at(THURSDAY, "08:42"))
    await reply_to(api, wang, "/checkin")

    clock.move_to(at(THURSDAY, "09:00"))
    mark = api.mark()
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name(scheduled.SUMMARY_JOB)
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
    assert await scheduled.send_summary(app) == 0  # what the catch-up job does at start
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


async def test_the_catch_up_runs_however_late_the_bot_starts(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as first:
        (li,) = await staff_members(first, api, "小李")
        await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    clock.move_to(at(THURSDAY, "08:10"))
    migrate = bot.app.upgrade_database

    async def slow_migrations(engine: Any) -> None:
        clock.shift(timedelta(minutes=2))  # start-up takes two minutes: the catch-up is due long before
        await migrate(engine)

    monkeypatch.setattr(bot.app, "upgrade_database", slow_migrations)
    mark = api.mark()
    async with running_bot(settings):
        reminder = await api.wait_for("sendMessage", since=mark, chat_id=li.id, timeout=10)
    assert "现在可以签到" in reminder.params["text"]


async def test_from_december_the_summary_warns_while_next_years_holidays_are_unknown(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    clock.move_to(at(date(2026, 11, 30), "08:00"))  # a Monday
    async with running_bot(settings) as app:
        (li,) = await staff_members(app, api, "小李")
        await reply_to(api, admin, "/start")
        await define_shift(api, admin, "早班 08:30 17:00 1-5", li)

        async def summary(day: date) -> str:
            clock.move_to(at(day, "09:00"))
            mark = api.mark()
            await run_job(app, api, scheduled.SUMMARY_JOB)
            (sent,) = api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID)
            return str(sent.params["text"])

        assert "2027" not in await summary(date(2026, 11, 30))
        first_of_december = await summary(date(2026, 12, 1))
        assert "早班" in first_of_december and "⚠️ 还不知道 2027 年的法定节假日" in first_of_december
        saturday = await summary(date(2026, 12, 5))  # no shifts today, but the warning goes out
        assert "过去 24 小时没有班次" in saturday
        assert "⚠️ 还不知道 2027 年的法定节假日" in saturday and "/holidays 2027 元旦 01-01..01-03" in saturday
        assert "⚠️ 还不知道 2027 年" in (await reply_to(api, admin, "/summary")).params["text"]
        await reply_to(api, admin, "/holidays 2027 元旦 01-01..01-03; 春节 02-06..02-12 调休 02-14,02-20")
        assert "2027" not in await summary(date(2026, 12, 7))
