"""The Telegram side of the dashboard: what ``bot.app`` adds to the running bot."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.dashboard.handlers import opening
from bot.i18n import N_
from bot.menus import MenuRegistry
from bot.people.models import Role


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """``/dashboard``."""
    return opening.handlers()


def add_commands(menus: MenuRegistry) -> None:
    """/dashboard for staff and admins."""
    menus.add("dashboard", N_("Dashboard: today's shifts at a glance"), roles=[Role.STAFF], order=15)


def setup(application: BotApplication) -> None:
    """With ``WEBAPP_URL`` set, give staff and admins the dashboard's menu button once the bot runs."""
    if application.bot_data.settings.webapp_url and application.job_queue is not None:
        application.job_queue.run_once(opening.publish_menu_buttons, 0, name="dashboard menu buttons")
