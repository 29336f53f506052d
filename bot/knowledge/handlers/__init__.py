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
    """Nothing to schedule: the notes are loaded by :func:`load_at_startup` (``build_application`` made the
    KnowledgeBase with both folders), alerts go through the shared outbox."""
