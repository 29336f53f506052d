"""Reports: a day, the daily summary, a month, and the month's workbook and chart."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import export, render, reports, service
from bot.attendance.reports import Mark
from bot.i18n import gettext_for
from bot.people.models import Role
from tests.unit.attendance.conftest import TZ, MakePerson, MakeShift, at

THURSDAY = date(2025, 10, 9)


async def test_day_report_marks_everyone(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang, zhang = await make_person("小李"), await make_person("小王"), await make_person("小张")
    await make_shift("早班 08:30 17:00 1-5 close=60", li, wang, zhang)
    await make_shift("晚班 16:00 24:00 1-5", li)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.check_in(session, li.id, at(THURSDAY, "08:10"), TZ)
    await service.check_in(session, wang.id, at(THURSDAY, "08:50"), TZ)

    during = await reports.day_report(session, THURSDAY, at(THURSDAY, "09:00"), TZ)
    morning, evening = during.shifts
    assert [(e.person.first_name, e.mark) for e in morning.entries] == [
        ("小张", Mark.WAITING),
        ("小王", Mark.LATE),
        ("小李", Mark.ON_TIME),
    ]
    assert [(e.person.first_name, e.mark) for e in evening.entries] == [("小李", Mark.UPCOMING)]

    after = await reports.day_report(session, THURSDAY, at(THURSDAY, "18:00"), TZ)
    assert after.shifts[0].with_mark(Mark.ABSENT)[0].person.first_name == "小张"
    # The evening window closed without any scheduler run: nothing was recorded for it.
    assert [e.mark for e in after.shifts[1].entries] == [Mark.NO_RECORD]

    holiday = await reports.day_report(session, date(2025, 10, 1), at(THURSDAY, "18:00"), TZ)
    assert holiday.shifts == [] and holiday.plan.is_day_off


async def test_summary_covers_the_last_day(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李")
    await make_shift("夜班 22:00 06:00 1-5", li)
    await make_shift("早班 08:30 17:00 1-5", li)
    thursday = date(2025, 10, 16)  # (the Wednesday before 10-09 was still a holiday)
    groups = await reports.summary_report(session, at(thursday, "09:00"), TZ)
    assert [(g.occ.shift.name, g.occ.work_date) for g in groups] == [
        ("夜班", thursday - timedelta(days=1)),
        ("早班", thursday),
        ("夜班", thursday),  # still to come today
    ]
    assert [e.mark for e in groups[-1].entries] == [Mark.UPCOMING]


async def test_month_report_workbook_and_chart(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李", username="xiaoli")
    sly = await make_person('=HYPERLINK("x")')
    boss = await make_person("主管", role=Role.ADMIN)
    await make_shift("早班 08:30 17:00 1-5 close=60", li, sly)
    friday = THURSDAY + timedelta(days=1)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.check_in(session, li.id, at(THURSDAY, "08:20"), TZ)
    await service.tick(session, at(THURSDAY, "10:00"), TZ)
    leave = await service.request_leave(session, sly, friday, friday, "", at(THURSDAY, "12:00"), TZ)
    assert not isinstance(leave, service.RequestError)
    await service.decide(session, leave.id, boss, True, at(THURSDAY, "12:00"), TZ)
    await service.check_out(session, li.id, at(THURSDAY, "17:00"), TZ)
    await service.tick(session, at(friday, "08:00"), TZ)
    await service.check_in(session, li.id, at(friday, "08:45"), TZ)
    await service.check_out(session, li.id, at(friday, "16:00"), TZ, early_ok=True)
    await service.tick(session, at(friday, "10:00"), TZ)

    report = await reports.month_report(session, 2025, 10, at(date(2025, 10, 31), "12:00"), TZ)
    by_name = {m.person.first_name: m for m in report.people}
    mine = by_name["小李"]
    assert (mine.scheduled, mine.attended, mine.on_time, mine.late, mine.late_minutes) == (2, 2, 1, 1, 15)
    assert (mine.left_early, mine.early_minutes, mine.worked_minutes) == (1, 60, 510 + 435)
    other = by_name['=HYPERLINK("x")']
    assert (other.scheduled, other.absent, other.leave) == (2, 1, 1)
    assert report.daily[THURSDAY][Mark.ON_TIME] == 1 and report.daily[friday][Mark.LEAVE] == 1

    workbook = openpyxl.load_workbook(io.BytesIO(export.month_xlsx(report, TZ)))
    assert workbook.sheetnames == ["月度汇总", "考勤明细"]
    rows = list(workbook["月度汇总"].iter_rows(values_only=True))
    assert rows[0] == export.SUMMARY_HEADERS
    names = [row[0] for row in rows[1:]]
    assert names == ['=HYPERLINK("x")', "小李"]  # a name is text, never a formula
    assert workbook["月度汇总"]["A2"].data_type == "s"
    li_row = rows[2]
    assert li_row[1:4] == ("@xiaoli", li.telegram_id, 2) and li_row[14] == 15.75
    details = list(workbook["考勤明细"].iter_rows(values_only=True))
    assert details[0] == export.DETAIL_HEADERS
    assert (
        "2025-10-10",
        "小李",
        "早班",
        "08:30",
        "17:00",
        "10-10 08:45",
        "10-10 16:00",
        "迟到",
        15,
        60,
        "早退",
    ) in (details)

    png = export.month_chart(report, {m: m.value for m in export.CHART_MARKS}, "Attendance 2025-10")
    assert png.startswith(b"\x89PNG") and len(png) > 5000


async def test_a_check_in_before_the_start_counts_in_the_month_already(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5", li, wang)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.check_in(session, li.id, at(THURSDAY, "08:20"), TZ)

    report = await reports.month_report(session, 2025, 10, at(THURSDAY, "08:25"), TZ)
    assert [(m.person.first_name, m.scheduled, m.attended, m.on_time) for m in report.people] == [
        ("小李", 1, 1, 1)
    ]
    assert report.daily[THURSDAY][Mark.ON_TIME] == 1
    assert [line.entry.mark for line in report.lines] == [Mark.ON_TIME]  # 小王's shift has not started


async def test_a_persons_month_exists_without_records(session: AsyncSession, make_person: MakePerson) -> None:
    li = await make_person("小李")
    report = await reports.month_report(session, 2025, 10, at(THURSDAY, "12:00"), TZ, person_id=li.id)
    assert [m.person.first_name for m in report.people] == ["小李"] and report.lines == []


async def test_someone_put_on_a_shift_after_it_ended_is_not_reported_absent_for_it(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, new = await make_person("小李"), await make_person("新人")
    shift = await make_shift("早班 08:30 17:00 1-5 close=60", li)
    await service.tick(session, at(THURSDAY, "08:00"), TZ)
    await service.check_in(session, li.id, at(THURSDAY, "08:20"), TZ)
    evening = at(THURSDAY, "18:00")
    await service.assign(session, shift, new, THURSDAY, now=evening)  # "from today", after today's shift

    (day,) = (await reports.day_report(session, THURSDAY, evening, TZ)).shifts
    assert [(e.person.first_name, e.mark) for e in day.entries] == [("小李", Mark.ON_TIME)]
    summary = await reports.summary_report(session, evening, TZ)
    assert [(g.occ.work_date, [e.person.first_name for e in g.entries]) for g in summary] == [
        (THURSDAY, ["小李"])
    ]
    text = render.summary_text(gettext_for("en"), summary, evening, TZ, 0)
    assert "1 people: 1 on time, 0 late, 0 absent" in text and "新人" not in text
    friday = THURSDAY + timedelta(days=1)  # the next day they are expected
    (tomorrow,) = (await reports.day_report(session, friday, evening, TZ)).shifts
    assert [(e.person.first_name, e.mark) for e in tomorrow.entries] == [
        ("小李", Mark.UPCOMING),
        ("新人", Mark.UPCOMING),
    ]
