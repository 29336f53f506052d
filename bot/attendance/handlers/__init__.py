"""Attendance on Telegram: what ``bot.app`` takes from it (handlers, menu entries, scheduled work)."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.attendance import audience, scheduled
from bot.attendance.handlers import (
    calendar,
    checkin,
    decisions,
    location,
    mine,
    reports,
    requests,
    shifts,
    staffing,
)
from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.menus import MenuRegistry
from bot.people.models import Role

__all__ = ["add_commands", "handlers", "setup"]


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """Attendance's handlers, new each call: the location conversation first, then commands and buttons."""
    return [
        location.location_conversation(),
        *checkin.handlers(),
        *mine.handlers(),
        *requests.handlers(),
        *decisions.handlers(),
        *shifts.handlers(),
        *staffing.handlers(),
        *calendar.handlers(),
        *reports.handlers(),
    ]


def add_commands(menus: MenuRegistry) -> None:
    """Attendance's entries in the command menus of staff and admins."""
    staff, admin = [Role.STAFF], [Role.ADMIN]
    menus.add("checkin", N_("Check in (签到)"), roles=staff, order=20)
    menus.add("checkout", N_("Check out (签退)"), roles=staff, order=21)
    menus.add("myshifts", N_("My shifts and the next 7 days"), roles=staff, order=22)
    menus.add("myattendance", N_("My attendance this month"), roles=staff, order=23)
    menus.add("leave", N_("Ask for leave"), roles=staff, order=24)
    menus.add("swap", N_("Swap a shift with a colleague"), roles=staff, order=25)
    menus.add("correct", N_("Missed check-in or check-out (补卡)"), roles=staff, order=26)
    menus.add("myrequests", N_("My requests"), roles=staff, order=27)
    menus.add("attendance", N_("Attendance of a day"), roles=admin, order=70)
    menus.add("requests", N_("Requests to decide"), roles=admin, order=71)
    menus.add("shifts", N_("Shifts and who works them"), roles=admin, order=72)
    menus.add("newshift", N_("Define a shift"), roles=admin, order=73)
    menus.add("assign", N_("Put staff on a shift"), roles=admin, order=74)
    menus.add("calendar", N_("Holidays and workdays"), roles=admin, order=75)
    menus.add("holidays", N_("A year's official holidays"), roles=admin, order=75)
    menus.add("monthreport", N_("Monthly attendance (.xlsx)"), roles=admin, order=76)
    menus.add("workplace", N_("Workplace location for check-in"), roles=admin, order=77)


def setup(application: BotApplication) -> None:
    """The reminders, summaries and catch-up on the job queue; "staff of a shift" among notice audiences."""
    audience.add_shift_audience(application.bot_data.notice_audiences, application.bot_data.settings.tz)
    scheduled.schedule_work(application)
