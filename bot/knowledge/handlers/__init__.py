"""The knowledge base's Telegram side: what ``bot.app`` takes from this capability.

Flows, one module each: ``ask`` (a question gets a note, suggestions or "I don't know"; the fallback for
plain private text), ``answers`` (the buttons under them; a pick under "did you mean" is learned),
``inline`` (``@bot 退货``), ``queue`` (the admins' ``/unanswered`` and answering conversation, in words or
with a note), ``admin`` (``/kbstats`` with the learned phrasings, ``/reload``, loading at start); ``common``
holds what several of them use.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler

from bot.context import BotApplication, BotContext
from bot.i18n import N_
from bot.knowledge import scheduled
from bot.knowledge.handlers import admin, answers, ask, inline, queue
from bot.knowledge.handlers.admin import load_at_startup
from bot.menus import MenuRegistry
from bot.people.models import Role

__all__ = ["add_commands", "fallback", "handlers", "load_at_startup", "setup"]


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The capability's group-0 handlers: the answering conversation first, then commands and buttons."""
    return [*queue.handlers(), *ask.handlers(), *admin.handlers(), *answers.handlers(), *inline.handlers()]


def fallback() -> list[BaseHandler[Any, BotContext, Any]]:
    """Plain text in a private chat is a question: ``bot.app`` adds this after every other handler."""
    return ask.fallback()


def add_commands(menus: MenuRegistry) -> None:
    """``/ask`` for everyone (in groups too), the queue, statistics and reloading for admins."""
    menus.add("ask", N_("Ask the training notes"), group=True, order=5)
    menus.add("unanswered", N_("Questions waiting for an answer"), roles=[Role.ADMIN], order=64)
    menus.add("kbstats", N_("Knowledge base statistics"), roles=[Role.ADMIN], order=65)
    menus.add("reload", N_("Reload the training notes"), roles=[Role.ADMIN], order=66)


def setup(application: BotApplication) -> None:
    """The KnowledgeBase reads the notes saved from chat from the bot's database and reloads when one is saved
    elsewhere: a check every few seconds on SQLite (``bot.knowledge.scheduled``), listening on PostgreSQL from
    :func:`load_at_startup` until shutdown. Alerts go through the shared outbox."""
    kb = application.bot_data.knowledge
    kb.database = application.bot_data.db
    scheduled.schedule(application)
    shutting_down = application.post_shutdown

    async def stop_watching(app: BotApplication) -> None:
        await kb.stop_watching()
        if shutting_down is not None:
            await shutting_down(app)

    application.post_shutdown = stop_watching
