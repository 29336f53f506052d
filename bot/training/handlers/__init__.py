"""The Telegram side of training: what ``bot.app`` adds to the running bot."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.menus import MenuRegistry
from bot.people.models import Person, Role
from bot.training import scheduled, service
from bot.training.catalog import load_catalog
from bot.training.handlers import answers, enrolling, learn, learner, overview

__all__ = ["add_commands", "handlers", "setup"]

log = logging.getLogger(__name__)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """Training's handlers, new each call: the staff's commands, poll answers, the admins' panel."""
    return [
        *learn.handlers(),
        *answers.handlers(),
        *overview.handlers(),
        *learner.handlers(),
        *enrolling.handlers(),
    ]


def add_commands(menus: MenuRegistry) -> None:
    """/learn and /quiz for staff, /training for admins."""
    menus.add("learn", N_("My training: today's lesson and progress"), roles=[Role.STAFF], order=30)
    menus.add("quiz", N_("Review a question I missed"), roles=[Role.STAFF], order=31)
    menus.add("training", N_("Training progress of new staff"), roles=[Role.ADMIN], order=69)


async def enrol_new_staff(
    application: BotApplication, session: AsyncSession, person: Person, now: datetime
) -> None:
    """Someone just became staff (an invite redeemed): enrol them in the default plan, in that transaction."""
    plan = load_catalog(application.bot_data.knowledge).default
    if plan is None:
        log.warning("no default training plan: %s was not enrolled", person.telegram_id)
        return
    await service.enrol(session, person, plan, now=now, commit=False)


def setup(application: BotApplication) -> None:
    """Lessons and polls on the job queue; new staff enrolled as they join."""
    scheduled.schedule(application)
    application.bot_data.became_staff.append(partial(enrol_new_staff, application))
