"""Admins' reports: /attendance (a day), /summary (the daily summary now), /monthreport (workbook and chart)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import arguments, export, render, reports, service
from bot.attendance.handlers.common import PRIVATE, today
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, Translate, gettext_for
from bot.replies import reply, usage_errors


@admin_only
@usage_errors
async def attendance_command(update: Update, context: BotContext) -> None:
    """/attendance [DAY]: who was on time, late, absent, on leave."""
    day = arguments.day_or_today(context.args or [], today(context), arguments.ATTENDANCE_USAGE)
    async with context.session() as session:
        report = await reports.day_report(session, day, utcnow(), context.settings.tz)
    await reply(update, context, render.day_report_text(context.gettext, report, context.settings.tz))


@admin_only
async def summary_command(update: Update, context: BotContext) -> None:
    """The daily summary, now."""
    tz = context.settings.tz
    async with context.session() as session:
        groups = await reports.summary_report(session, utcnow(), tz)
        pending = len(await service.pending_requests(session))
        unknown = await service.unknown_years(session, today(context))
    text = render.summary_text(context.gettext, groups, utcnow(), tz, pending, unknown)
    await reply(update, context, text)


def chart_labels(_: Translate) -> dict[reports.Mark, str]:
    """The chart's legend, translated."""
    return {mark: _(render.MARK_NAMES[mark]) for mark in export.CHART_MARKS}


@admin_only
@usage_errors
async def monthreport_command(update: Update, context: BotContext) -> None:
    """/monthreport [YYYY-MM]: the payroll workbook and a chart of the month."""
    _, tz = context.gettext, context.settings.tz
    month = arguments.month_or_this(context.args or [], today(context), arguments.MONTHREPORT_USAGE)
    async with context.session() as session:
        report = await reports.month_report(session, *month, utcnow(), tz)
    label = f"{month[0]}-{month[1]:02d}"
    workbook = await asyncio.to_thread(export.month_xlsx, report, tz)
    chart_ = _ if export.cjk_font() else gettext_for("en")  # without a CJK font the chart speaks English
    chart = await asyncio.to_thread(
        export.month_chart, report, chart_labels(chart_), chart_(N_("Attendance {month}"), month=label)
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        workbook,
        filename=f"attendance-{label}.xlsx",
        caption=_(
            "📊 Attendance {month}: {people} people, {records} records.",
            month=label,
            people=len(report.people),
            records=len(report.lines),
        ),
    )
    await context.bot.send_photo(chat.id, chart, caption=_("Attendance by day, {month}", month=label))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("attendance", attendance_command, PRIVATE),
        CommandHandler("summary", summary_command, PRIVATE),
        CommandHandler("monthreport", monthreport_command, PRIVATE),
    ]
