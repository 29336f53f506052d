"""Admins change the calendar: /dayoff, /workday, /clearday, /holidays (a year's official schedule, for years
the chinesecalendar package does not know yet), and /calendar shows the coming weeks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import arguments, render, service
from bot.attendance.calendar import PlanKind, year_source
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
    """/workday FIRST [LAST] [WEEKDAY] [note]: workdays running that weekday's shifts (each day's own)."""
    _ = context.gettext
    first, last, weekday, note = arguments.workday(context.args or [], today(context))
    async with context.session() as session:
        for day in service.days_between(first, last):
            await service.set_day(session, day, DayKind.WORK, works_as=weekday, note=note, by=me(context))
        plan = (await service.day_plans(session, first, first))[first]
    if first == last:
        text = _(
            "🏢 {day} is a workday with the shifts of {weekday}. Undo with /clearday.",
            day=render.day_label(_, first),
            weekday=render.weekday_name(_, plan.weekday or 1),
        )
    else:
        span = f"{render.day_label(_, first)} – {render.day_label(_, last)}"
        text = (
            _("🏢 {span} are workdays with the shifts of {weekday}. Undo with /clearday.")
            if weekday
            else _(
                "🏢 {span} are workdays, each with the shifts of its own weekday (Monday's on a weekend). "
                "Undo with /clearday."
            )
        ).format(span=span, weekday=render.weekday_name(_, weekday or 1))
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
    """Holidays, make-up workdays and the admins' changes in the coming weeks, and where each year's
    holidays come from."""
    _ = context.gettext
    first = today(context)
    last = first + timedelta(days=CALENDAR_DAYS)
    years = sorted({first.year, last.year})
    async with context.session() as session:
        plans = await service.day_plans(session, first, last)
        entered = await service.entered_years(session, years)
    lines = ["<b>" + _("📅 Calendar, next {days} days", days=CALENDAR_DAYS) + "</b>"]
    special = [
        (day, render.plan_label(_, plan)) for day, plan in plans.items() if plan.kind != PlanKind.REGULAR
    ]
    lines += [f"{render.day_label(_, day)}: {label}" for day, label in special] or [
        _("No holidays or changes.")
    ]
    for year in years:
        note = render.year_note(_, year, year_source(year, entered), year in entered)
        if note:
            lines += ["", note]
    lines += ["", _("Change a day: /dayoff, /workday, /clearday · a year's official holidays: /holidays")]
    await reply(update, context, "\n".join(lines))


@admin_only
@usage_errors
async def holidays_command(update: Update, context: BotContext) -> None:
    """/holidays YEAR NAME DAYS [workdays DAYS]; ... — a year's official schedule in one message (nothing is
    saved if any part is wrong); /holidays YEAR shows it, /holidays YEAR clear removes it."""
    message = update.effective_message
    assert message is not None and message.text is not None
    _ = context.gettext
    words = message.text.split(maxsplit=1)
    asked = arguments.official_holidays(words[1] if len(words) > 1 else "", today(context))
    year, removed = asked.year, 0
    async with context.session() as session:
        if asked.clear:
            removed = await service.clear_year(session, year)
        elif asked.holidays:
            await service.save_year(session, year, asked.holidays, by=me(context))
        holidays = await service.year_holidays(session, year)
        entered = await service.entered_years(session, [year])
    source = year_source(year, entered)
    if asked.clear:
        text = (
            _("🗑 The official holidays entered for {year} were removed.", year=year)
            if removed
            else _("No official holidays were entered for {year}.", year=year)
        )
        note = render.year_note(_, year, source, entered=False)
        await reply(update, context, "\n\n".join(p for p in (text, note) if p))
        return
    if not holidays:
        text = _("No official holidays were entered for {year}.", year=year)
        note = render.year_note(_, year, source, entered=False) or _(
            "ℹ️ The chinesecalendar package knows {year}: nothing needs entering.", year=year
        )
        usage = _(arguments.HOLIDAYS_USAGE, year=year)
        await reply(update, context, "\n\n".join(p for p in (text, note, usage) if p))
        return
    text = render.holidays_text(_, year, holidays, source)
    if asked.holidays:
        text = _("✅ Saved.") + "\n" + text
    await reply(update, context, text)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("dayoff", dayoff_command, PRIVATE),
        CommandHandler("workday", workday_command, PRIVATE),
        CommandHandler("clearday", clearday_command, PRIVATE),
        CommandHandler("calendar", calendar_command, PRIVATE),
        CommandHandler("holidays", holidays_command, PRIVATE),
    ]
