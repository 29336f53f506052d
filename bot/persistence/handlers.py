"""The two handler groups around every other handler, for forms that survive a restart or a failover.

- :data:`RELOAD_GROUP` (after the person is identified, before group 0): the sender's conversations and
  answers so far are read from the database, so the step another instance left a form at is the step here;
  a conversation whose timeout passed while no process was counting it is closed first.
- :data:`WRITE_GROUP` (after every other group): what the update changed is written at once, so a crash
  just after the bot answered does not lose the step the person was answered for.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import BotContext
from bot.conversations import Conversation
from bot.persistence.ptb import DatabasePersistence

#: After ``IDENTIFY_GROUP`` (-10), so a closing form speaks the person's language; before group 0.
RELOAD_GROUP = -5
#: After group 0 and anything else.
WRITE_GROUP = 100


async def reload_forms(update: Update, context: BotContext) -> None:
    """The sender's forms as the database has them, before any conversation looks at the update."""
    user = update.effective_user
    persistence = context.application.persistence
    if user is None or not isinstance(persistence, DatabasePersistence) or context.user_data is None:
        return
    for handler, key in await persistence.reload(user.id, context.user_data):
        if isinstance(handler, Conversation):
            await handler.close_timed_out(key, update, context)


async def write_forms(update: Update, context: BotContext) -> None:
    """Write the conversation steps and answers this update changed (unchanged answers cost nothing)."""
    if context.application.persistence is None:
        return
    if update.effective_user is not None:
        context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()


def reload_handler() -> TypeHandler[Update, BotContext, None]:
    """For :data:`RELOAD_GROUP`."""
    return TypeHandler(Update, reload_forms)


def write_handler() -> TypeHandler[Update, BotContext, None]:
    """For :data:`WRITE_GROUP`."""
    return TypeHandler(Update, write_forms)
