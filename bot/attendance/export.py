"""The monthly report as files: an .xlsx workbook with Chinese headers (for payroll) and a PNG chart.

Plain functions returning bytes; they block, so the bot runs them in a worker thread. The workbook's
headers are Chinese whatever the admin's language, because the payroll office reads them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.attendance.reports import Mark, MonthReport
from bot.attendance.schedule import format_clock

SUMMARY_SHEET = "月度汇总"
DETAIL_SHEET = "考勤明细"
SUMMARY_HEADERS = (
    "姓名",
    "用户名",
    "Telegram ID",
    "应出勤班次",
    "实际出勤",
    "准时",
    "迟到次数",
    "迟到分钟",
    "早退次数",
    "早退分钟",
    "缺勤",
    "请假",
    "未签退",
    "补卡",
    "工时(小时)",
)
DETAIL_HEADERS = (
    "日期",
    "姓名",
    "班次",
    "上班",
    "下班",
    "签到时间",
    "签退时间",
    "状态",
    "迟到分钟",
    "早退分钟",
    "备注",
)
MARK_NAMES = {
    Mark.ON_TIME: "准时",
    Mark.LATE: "迟到",
    Mark.ABSENT: "缺勤",
    Mark.LEAVE: "请假",
    Mark.WAITING: "待签到",
    Mark.UPCOMING: "未开始",
    Mark.NO_RECORD: "无记录",
}
CHART_MARKS = (Mark.ON_TIME, Mark.LATE, Mark.ABSENT, Mark.LEAVE)
CHART_COLOURS = {Mark.ON_TIME: "#4caf50", Mark.LATE: "#ff9800", Mark.ABSENT: "#e53935", Mark.LEAVE: "#64b5f6"}
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment else ""


def _sheet(
    workbook: Workbook, title: str, headers: tuple[str, ...], rows: list[list[Any]], first: bool
) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for row_index, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a name typed by a user is text, never a formula
    for index, header in enumerate(headers, start=1):
        width = (
            max([len(header) * 2, *(len(str(r[index - 1])) + 2 for r in rows)]) if rows else len(header) * 2
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 40)
    sheet.freeze_panes = "A2"


def month_xlsx(report: MonthReport, tz: ZoneInfo) -> bytes:
    """The workbook: a summary sheet (one row per person) and a detail sheet (one row per record)."""
    workbook = Workbook()
    summary = [
        [
            m.person.display_name,
            f"@{m.person.username}" if m.person.username else "",
            m.person.telegram_id,
            m.scheduled,
            m.attended,
            m.on_time,
            m.late,
            m.late_minutes,
            m.left_early,
            m.early_minutes,
            m.absent,
            m.leave,
            m.missing_checkout,
            m.corrected,
            round(m.worked_minutes / 60, 2),
        ]
        for m in report.people
    ]
    _sheet(workbook, SUMMARY_SHEET, SUMMARY_HEADERS, summary, first=True)
    details = []
    for line in report.lines:
        entry, occ = line.entry, line.occ
        notes = [
            note for flag, note in ((entry.checkout_missing, "未签退"), (entry.corrected, "补卡")) if flag
        ]
        if entry.left_early:
            notes.append("早退")
        details.append(
            [
                occ.work_date.isoformat(),
                line.person.display_name,
                line.shift_name,
                format_clock(occ.shift.start_minute),
                format_clock(occ.shift.end_minute),
                _local(entry.checkin_at, tz),
                _local(entry.checkout_at, tz),
                MARK_NAMES[entry.mark],
                entry.late_minutes,
                entry.early_minutes,
                "、".join(notes),
            ]
        )
    _sheet(workbook, DETAIL_SHEET, DETAIL_HEADERS, details, first=False)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@cache
def cjk_font() -> str | None:
    """The name of an installed font that can draw Chinese, if any."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def month_chart(report: MonthReport, labels: Mapping[Mark, str], title: str) -> bytes:
    """A stacked bar per day of the month: on time, late, absent, on leave. Labels come translated;
    pass Latin ones when ``cjk_font()`` is None."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    days = list(range(1, report.last.day + 1))
    figure = Figure(figsize=(10, 4.5), dpi=100)
    axes = figure.subplots()
    font = cjk_font()
    text_style = {"fontfamily": font} if font else {}
    bottom = [0] * len(days)
    for mark in CHART_MARKS:
        heights = [report.daily.get(report.first.replace(day=d), {}).get(mark, 0) for d in days]
        axes.bar(days, heights, bottom=bottom, color=CHART_COLOURS[mark], label=labels[mark], width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_title(title, **text_style)
    axes.set_xticks(days)
    axes.tick_params(axis="x", labelsize=7)
    axes.set_xlim(0.4, len(days) + 0.6)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", alpha=0.3)
    legend = axes.legend(loc="upper left", ncols=len(CHART_MARKS), fontsize=8, frameon=False)
    if font:
        for text in legend.get_texts():
            text.set_fontfamily(font)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
