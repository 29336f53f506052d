"""Who is writing: every update's sender is recorded and becomes ``context.person`` before any handler runs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import BotContext
from bot.people import service
from bot.people.models import Role

#: The handler group of :func:`identify_handler`: before group 0, where every other handler is.
IDENTIFY_GROUP = -10


async def identify(update: Update, context: BotContext) -> None:
    """Record whoever sent the update and make them available as ``context.person``."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    profile = service.Profile(user.id, user.first_name, user.last_name, user.username, user.language_code)
    person = await context.bot_data.people.identify(profile)
    context.person = person
    # Staff and admins get their role's menu the first time this process sees them, so that menus follow
    # new releases; role changes publish it again right away.
    if person.role != Role.SEEKER and context.application.running:
        context.bot_data.menus.first_sight(context.application, person.telegram_id, person.role)


def identify_handler() -> TypeHandler[Update, BotContext, None]:
    """The handler of every update, for group :data:`IDENTIFY_GROUP`."""
    return TypeHandler(Update, identify)
