"""Admins' reports: the monthly workbook and chart (and a person's own month)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.attendance.conftest import THURSDAY, at, define_shift, staff_members, tick
from tests.e2e.conftest import ADMIN_ID, reply_to


async def test_monthly_workbook_and_chart(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    li, wang = await staff_members(app, api, "小李", "小王")
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
    # The first chart of a process loads matplotlib and its font list: seconds on a fresh machine.
    document = await api.wait_for("sendDocument", since=mark, chat_id=ADMIN_ID, timeout=30)
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

    # (After a jump of three weeks the scheduler catches up and the chart's thread may still hold the
    # interpreter: on a busy machine the next answer can take more than the usual 5 s.)
    mine = await reply_to(api, li, "/myattendance 2025-10", expect="我的考勤", timeout=20)
    assert "迟到：1（20 分钟）" in mine.params["text"]


async def test_report_commands_explain_the_day_or_month_they_need(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    day = await reply_to(api, admin, "/attendance someday")
    assert day.params["text"] == "日期请这样写：/attendance 2025-10-08"
    month = await reply_to(api, admin, "/monthreport 13")
    assert "/monthreport 2025-10" in month.params["text"]
