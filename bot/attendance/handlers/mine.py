"""A person's own view: /myshifts (their shifts and the next seven days), /myattendance (their month)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import staff_only
from bot.attendance import arguments, render, reports, service
from bot.attendance.handlers.common import PRIVATE, me, today
from bot.attendance.render import esc
from bot.clock import utcnow
from bot.context import BotContext
from bot.replies import reply, usage_errors

MONTH_LINES = 40


@staff_only
async def myshifts_command(update: Update, context: BotContext) -> None:
    """A person's shifts and the next seven days."""
    _ = context.gettext
    person = me(context)
    assert person.id is not None
    tz, first = context.settings.tz, today(context)
    last = first + timedelta(days=6)
    async with context.session() as session:
        assignments = await service.person_assignments(session, person.id, first)
        duties = await service.roster(session, first, last, tz, person_id=person.id)
        plans = await service.day_plans(session, first, last)
    lines = ["<b>" + _("🗓 Your shifts") + "</b>"]
    if not assignments:
        lines.append(_("You are not on any shift yet. An admin assigns shifts."))
    for shift, assignment in assignments:
        line = "• " + render.shift_line(_, shift)
        if assignment.start_date > first:
            line += " " + _("(from {day})", day=render.day_label(_, assignment.start_date))
        if assignment.end_date is not None:
            line += " " + _("(until {day})", day=render.day_label(_, assignment.end_date))
        lines.append(line)
    lines += ["", "<b>" + _("Next 7 days") + "</b>"]
    for day, plan in plans.items():
        todays = [d for d in duties if d.occ.work_date == day]
        label = render.plan_label(_, plan)
        parts = [
            f"{esc(d.occ.shift.name)} {render.clock(d.occ.starts_at, tz)}–{render.clock(d.occ.ends_at, tz)}"
            + (" 🌴 " + _("on leave") if d.on_leave else "")
            for d in todays
        ]
        text = ", ".join(parts) if parts else "—"
        if label and (plan.is_day_off or parts):
            text += f" ({label})"
        lines.append(f"{render.day_label(_, day)}: {text}")
    lines += [
        "",
        _("Check in with /checkin, out with /checkout. Leave: /leave · swap: /swap · correction: /correct"),
    ]
    await reply(update, context, "\n".join(lines))


@staff_only
@usage_errors
async def myattendance_command(update: Update, context: BotContext) -> None:
    """/myattendance [YYYY-MM]: a person's month."""
    _ = context.gettext
    person = me(context)
    assert person.id is not None
    tz = context.settings.tz
    month = arguments.month_or_this(context.args or [], today(context), arguments.MYATTENDANCE_USAGE)
    async with context.session() as session:
        report = await reports.month_report(session, *month, utcnow(), tz, person_id=person.id)
    mine = report.people[0] if report.people else reports.PersonMonth(person)
    label = "{}-{:02d}".format(*month)
    lines = [
        "<b>" + _("📊 My attendance, {month}", month=label) + "</b>",
        _(
            "Shifts: {scheduled} · on time: {on_time} · late: {late} ({late_minutes} min) · absent: {absent} · "
            "on leave: {leave} · left early: {early} · no check-out: {missing}",
            scheduled=mine.scheduled,
            on_time=mine.on_time,
            late=mine.late,
            late_minutes=mine.late_minutes,
            absent=mine.absent,
            leave=mine.leave,
            early=mine.left_early,
            missing=mine.missing_checkout,
        ),
        "",
    ]
    lines += [render.entry_line(_, line.entry, line.occ, tz) for line in report.lines[-MONTH_LINES:]]
    if not report.lines:
        lines.append(_("No records this month yet."))
    await reply(update, context, "\n".join(lines))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("myshifts", myshifts_command, PRIVATE),
        CommandHandler("myattendance", myattendance_command, PRIVATE),
    ]
