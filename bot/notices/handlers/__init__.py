"""The Telegram side of notices: what ``bot.app`` adds to the running bot."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.menus import MenuRegistry
from bot.notices import scheduled, service
from bot.notices.handlers import acks, draft, lists, panel, progress
from bot.people.models import Role


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """The notices' handlers (a new list each call); the conversation first, so a message it awaits
    reaches it before any other handler."""
    return [*draft.handlers(), *panel.handlers(), *progress.handlers(), *lists.handlers(), *acks.handlers()]


def add_commands(menus: MenuRegistry) -> None:
    """/notice and /notices for admins, /mynotices for staff."""
    menus.add("notice", N_("Send a notice to staff or groups"), roles=[Role.ADMIN], order=67)
    menus.add("notices", N_("Notices and who confirmed them"), roles=[Role.ADMIN], order=68)
    menus.add("mynotices", N_("Notices I have not confirmed yet"), roles=[Role.STAFF], order=20)


def setup(application: BotApplication) -> None:
    """Keep each notice's panel up to date while it is sent, and send the reminders when they are due."""
    application.bot_data.sender.listen(service.KIND, progress.progress_listener(application))
    scheduled.schedule(application)
