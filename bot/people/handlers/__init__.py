"""Telegram side of the people capability, one module per flow; ``bot.app`` composes what this exports."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.menus import MenuRegistry
from bot.people import scheduled
from bot.people.handlers import groups, invites, language, staff, start
from bot.people.handlers.identify import IDENTIFY_GROUP, identify_handler
from bot.people.models import Role
from bot.replies import noop_handler

__all__ = ["IDENTIFY_GROUP", "add_commands", "handlers", "identify_handler", "setup"]


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The people handlers of group 0, a new list each call."""
    return [
        *start.handlers(),
        *language.handlers(),
        *invites.handlers(),
        *staff.handlers(),
        noop_handler(),  # the page number under the staff list
        *groups.handlers(),
    ]


def add_commands(menus: MenuRegistry) -> None:
    """The people commands in the menus."""
    menus.add("start", N_("Start"), order=0)
    menus.add("help", N_("What I can do"), order=1, group=True)
    menus.add("lang", N_("Language: 中文 / English"), order=90)
    menus.add("invite", N_("Create a staff invite link"), roles=[Role.ADMIN], order=60)
    menus.add("staff", N_("Staff and admins"), roles=[Role.ADMIN], order=61)
    menus.add("groups", N_("Village groups"), roles=[Role.ADMIN], order=62)


def setup(application: BotApplication) -> None:
    """Write down when people were last seen, every minute."""
    scheduled.schedule(application)
