"""The door and the last word: what is dropped before any capability sees it, and what a private chat is
told when no capability answered. Nobody who writes to the bot in private is met with silence.

``bot.app`` adds :func:`gate_handler` in :data:`GATE_GROUP` (before anything else) and :func:`handlers` at
the very end of group 0.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations import CANCEL
from bot.i18n import N_
from bot.replies import reply

log = logging.getLogger(__name__)

#: Before ``IDENTIFY_GROUP``: a dropped update is not even recorded.
GATE_GROUP = -20

PRIVATE = filters.ChatType.PRIVATE

VOICE = N_("I cannot listen to voice messages yet. Please type your question — pinyin is fine too.")
MEDIA = N_("I can only read text. Please type your question, or add it as a caption to the picture.")
LOCATION = N_("Thanks, but I only use a location when you check in for a shift (/checkin).")
CONTACT = N_("Thanks, but I only use a phone number inside a job application (/jobs).")
UNKNOWN_COMMAND = N_("I do not know that command. Send /help to see what I can do.")
NOTHING_TO_CANCEL = N_("There is nothing to cancel right now.")


async def _drop(update: Update, _context: BotContext) -> None:
    """Edited messages are not new requests: editing an old message into ``/forgetme`` must not run it, and
    re-answering a corrected question would answer twice. No flow of the bot reacts to edits (live-location
    updates arrive as edits too and are ignored: check-in takes the location sent with it). Channel posts
    are dropped as well; the bot does not serve channels."""
    log.debug("dropped update %s (edit or channel post)", update.update_id)
    raise ApplicationHandlerStop


def gate_handler() -> MessageHandler[BotContext, None]:
    """Drops edits and channel posts before anything else sees them."""
    return MessageHandler(filters.UpdateType.EDITED | filters.UpdateType.CHANNEL_POSTS, _drop)


def _answer(message: str) -> Any:
    async def answer(update: Update, context: BotContext) -> None:
        await reply(update, context, context.gettext(message), parse_mode=None)

    answer.__name__ = f"answer_{message[:20]}"
    return answer


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The last handlers of group 0: a short answer to every private message nothing else took."""
    return [
        MessageHandler(PRIVATE & CANCEL, _answer(NOTHING_TO_CANCEL)),
        MessageHandler(PRIVATE & filters.COMMAND, _answer(UNKNOWN_COMMAND)),
        MessageHandler(PRIVATE & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), _answer(VOICE)),
        MessageHandler(PRIVATE & (filters.LOCATION | filters.VENUE), _answer(LOCATION)),
        MessageHandler(PRIVATE & filters.CONTACT, _answer(CONTACT)),
        MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, _answer(MEDIA)),
    ]
