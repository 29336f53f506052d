"""Admins change the calendar: /dayoff, /workday, /clearday, and /calendar shows the coming weeks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import arguments, render, service
from bot.attendance.calendar import PlanKind, covers_year
from bot.attendance.handlers.common import PRIVATE, me, today
from bot.attendance.models import DayKind
from bot.context import BotContext
from bot.replies import reply, usage_errors

CALENDAR_DAYS = 60


@admin_only
@usage_errors
async def dayoff_command(update: Update, context: BotContext) -> None:
    """/dayoff FIRST [LAST] [note]: no shifts, reminders or absences on those days."""
    _ = context.gettext
    first, last, note = arguments.day_off(context.args or [], today(context))
    async with context.session() as session:
        for day in service.days_between(first, last):
            await service.set_day(session, day, DayKind.OFF, note=note, by=me(context))
    span = render.day_label(_, first) + (f" – {render.day_label(_, last)}" if last != first else "")
    text = _("🌴 Day off: {span}. No reminders and no absences then. Undo with /clearday.", span=span)
    await reply(update, context, text)


@admin_only
@usage_errors
async def workday_command(update: Update, context: BotContext) -> None:
    """/workday DAY [WEEKDAY] [note]: a workday running that weekday's shifts."""
    _ = context.gettext
    day, weekday, note = arguments.workday(context.args or [], today(context))
    async with context.session() as session:
        await service.set_day(session, day, DayKind.WORK, works_as=weekday, note=note, by=me(context))
        plan = (await service.day_plans(session, day, day))[day]
    text = _(
        "🏢 {day} is a workday with the shifts of {weekday}. Undo with /clearday.",
        day=render.day_label(_, day),
        weekday=render.weekday_name(_, plan.weekday or 1),
    )
    await reply(update, context, text)


@admin_only
@usage_errors
async def clearday_command(update: Update, context: BotContext) -> None:
    """/clearday DAY: back to the statutory calendar."""
    _ = context.gettext
    day = arguments.first_date(context.args or [], today(context), arguments.CLEARDAY_USAGE)
    async with context.session() as session:
        cleared = await service.clear_day(session, day)
    text = _("{day} follows the normal calendar again.") if cleared else _("{day} had no change of yours.")
    await reply(update, context, text.format(day=render.day_label(_, day)))


@admin_only
async def calendar_command(update: Update, context: BotContext) -> None:
    """Holidays, make-up workdays and the admins' changes in the coming weeks."""
    _ = context.gettext
    first = today(context)
    last = first + timedelta(days=CALENDAR_DAYS)
    async with context.session() as session:
        plans = await service.day_plans(session, first, last)
    lines = ["<b>" + _("📅 Calendar, next {days} days", days=CALENDAR_DAYS) + "</b>"]
    special = [
        (day, render.plan_label(_, plan)) for day, plan in plans.items() if plan.kind != PlanKind.REGULAR
    ]
    lines += [f"{render.day_label(_, day)}: {label}" for day, label in special] or [
        _("No holidays or changes.")
    ]
    for year in sorted({first.year, last.year}):
        if not covers_year(year):
            lines.append(
                _(
                    "⚠️ The official holidays of {year} are not known yet (update the chinesecalendar package); "
                    "until then set days off with /dayoff.",
                    year=year,
                )
            )
    lines += ["", _("Change a day: /dayoff, /workday, /clearday")]
    await reply(update, context, "\n".join(lines))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("dayoff", dayoff_command, PRIVATE),
        CommandHandler("workday", workday_command, PRIVATE),
        CommandHandler("clearday", clearday_command, PRIVATE),
        CommandHandler("calendar", calendar_command, PRIVATE),
    ]
