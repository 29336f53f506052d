"""The calendar: public holidays and make-up workdays, and the admins' own days off and workdays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import BotApplication
from bot.attendance import scheduled
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
from tests.e2e.conftest import reply_to
from tests.fakes.bot_api import FakeBotAPI, FakeUser


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
