"""The calendar: public holidays and make-up workdays, the admins' own days off and workdays, and a year's
official holidays entered before the calendar package knows them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest

from bot.app import BotApplication
from bot.attendance import scheduled
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import (
    MAKEUP_SUNDAY,
    NATIONAL_DAY,
    THURSDAY,
    at,
    define_shift,
    records,
    run_job,
    staff_members,
    texts_to,
    tick,
)
from tests.e2e.conftest import bot_settings, reply_to, running_bot


async def test_no_reminders_on_a_public_holiday_and_reminders_on_a_make_up_workday(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
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
    mark = api.mark()
    await run_job(app, api, scheduled.SUMMARY_JOB)
    assert api.calls_to("sendMessage", since=mark) == []  # nothing to report on a day off

    clock.move_to(at(NATIONAL_DAY, "08:10"))
    answer = await reply_to(api, li, "/checkin")
    assert "现在还不能签到" in answer.params["text"] and "10-09" in answer.params["text"]
    shifts = await reply_to(api, li, "/myshifts")
    assert "法定节假日：国庆节" in shifts.params["text"]
    calendar = await reply_to(api, admin, "/calendar")
    assert "10-11 周六: 调休上班（国庆节），按周一排班" in calendar.params["text"]


async def test_admins_set_days_off_and_workdays_and_clear_them(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)

    usage = await reply_to(api, admin, "/dayoff")
    assert "/dayoff 2025-10-08 停电检修" in usage.params["text"]
    too_long = await reply_to(api, admin, "/dayoff 2025-10-09 2025-12-01")
    assert too_long.params["text"] == "最多 31 天，开始日期要早于结束日期。"
    off = await reply_to(api, admin, "/dayoff 2025-10-09 停电")
    assert off.params["text"].startswith("🌴 休息日：10-09 周四。")
    assert await tick(app, api, clock, at(THURSDAY, "08:00")) == []

    usage = await reply_to(api, admin, "/workday")
    assert "/workday 2025-10-09 5" in usage.params["text"]
    work = await reply_to(api, admin, "/workday 2025-10-11 5")
    assert work.params["text"].startswith("🏢 10-11 周六 为工作日，按周五的班次上班。")

    usage = await reply_to(api, admin, "/clearday")
    assert usage.params["text"] == "哪一天？例如：/clearday 2025-10-09"
    cleared = await reply_to(api, admin, "/clearday 2025-10-11")
    assert cleared.params["text"] == "10-11 周六 已恢复为正常日历。"
    again = await reply_to(api, admin, "/clearday 2025-10-11")
    assert again.params["text"] == "10-11 周六 没有你设置的调整。"


async def test_workday_takes_a_range_for_a_desk_that_works_through_the_holidays(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    clock.move_to(at(NATIONAL_DAY - timedelta(days=1), "12:00"))
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    work = await reply_to(api, admin, "/workday 2025-10-01 2025-10-03 国庆值班")
    assert work.params["text"].startswith("🏢 10-01 周三 – 10-03 周五 为工作日，每天按当天星期的班次上班")
    for day in (NATIONAL_DAY, NATIONAL_DAY + timedelta(days=2)):
        assert len(texts_to(await tick(app, api, clock, at(day, "08:00")), li)) == 1
    assert await tick(app, api, clock, at(NATIONAL_DAY + timedelta(days=3), "08:00")) == []
    too_long = await reply_to(api, admin, "/workday 2025-10-01 2025-11-15")
    assert too_long.params["text"] == "最多 31 天，开始日期要早于结束日期。"


async def test_next_years_holidays_are_entered_in_one_message_and_used_until_the_package_knows_them(
    clock: Any, fake_bot_api: FakeBotAPI, admin: FakeUser, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    # (A bot is started at each far moment: the scheduler would count every minute of a long jump.)
    clock.move_to(at(date(2026, 12, 1), "10:00"))
    async with running_bot(settings) as app:
        (li,) = await staff_members(app, api, "小李")
        await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
        # (Each answer waited for by its words: the start's summary of the day reaches the admin meanwhile.)
        wrong = await reply_to(
            api, admin, "/holidays 2027 元旦 01-01..01-03; 春节 02-06..02-32", expect="不是 2027 年的日期"
        )
        assert wrong.params["text"].startswith("“春节 02-06..02-32”中的“02-06..02-32”不是 2027 年的日期")
        none = await reply_to(api, admin, "/holidays 2027", expect="还没有为 2027 年录入法定节假日")
        assert "还没有为 2027 年录入法定节假日" in none.params["text"]
        saved = await reply_to(
            api,
            admin,
            "/holidays 2027 元旦 01-01..01-03；春节 02-06..02-12 调休 02-14、02-20\n"
            "国庆节 10-01..10-07 调休 09-26,10-09",
            expect="已录入的 2027 年法定节假日",
        )
    text = saved.params["text"]
    assert text.startswith("✅ 已保存。\n<b>📅 已录入的 2027 年法定节假日</b>")
    assert "• 元旦: 01-01 周五 – 01-03 周日" in text
    assert "• 春节: 02-06 周六 – 02-12 周五; 调休上班：02-14 周日, 02-20 周六" in text
    assert "按 /holidays 录入的法定节假日执行" in text

    clock.move_to(at(date(2027, 2, 7), "18:00"))
    async with running_bot(settings) as app:
        calendar = await reply_to(api, admin, "/calendar", expect="02-08")
        assert "02-08 周一: 法定节假日：春节" in calendar.params["text"]
        assert "02-20 周六: 调休上班（春节），按周一排班" in calendar.params["text"]
        await tick(app, api, clock, at(date(2027, 2, 7), "18:00"))  # (the absences of the weeks before)
        assert texts_to(await tick(app, api, clock, at(date(2027, 2, 8), "08:00")), li) == []
    clock.move_to(at(date(2027, 2, 19), "18:00"))
    async with running_bot(settings) as app:
        await tick(app, api, clock, at(date(2027, 2, 19), "18:00"))
        assert len(texts_to(await tick(app, api, clock, at(date(2027, 2, 20), "08:00")), li)) == 1

    known = chinese_calendar.get_holiday_detail

    def newer_package(day: date) -> tuple[bool, str | None]:
        """A newer chinesecalendar that knows 2027: its Spring Festival is 02-01 to 02-07."""
        if day.year != 2027:
            return known(day)
        festival = date(2027, 2, 1) <= day <= date(2027, 2, 7)
        return festival or day.isoweekday() > 5, "Spring Festival" if festival else None

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", newer_package)
    clock.move_to(at(date(2027, 2, 21), "18:00"))
    async with running_bot(settings) as app:
        calendar = await reply_to(api, admin, "/calendar", expect="chinesecalendar")
        assert "chinesecalendar 包已有这一年的数据，以包为准" in calendar.params["text"]
        await tick(app, api, clock, at(date(2027, 2, 21), "18:00"))
        # 02-12 would have been a holiday by the entered schedule; now the package decides.
        plans = await reply_to(api, admin, "/attendance 2027-02-12", expect="02-12")
        assert "春节" not in plans.params["text"]
        assert len(texts_to(await tick(app, api, clock, at(date(2027, 2, 22), "08:00")), li)) == 1
        await reply_to(api, admin, "/dayoff 2027-02-23")  # the admin's change still wins
        assert await tick(app, api, clock, at(date(2027, 2, 23), "08:00")) == []
