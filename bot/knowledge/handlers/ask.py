"""Asking: plain text (or a picture's caption) in a private chat, or ``/ask`` in a group, gets a note (the
note of a learned phrasing first), a few suggestions, or an honest "I don't know" that goes to the admins.
The search runs in the knowledge base's worker thread. Cancel words are not questions."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.conversations import TEXT_ANSWER
from bot.i18n import N_
from bot.knowledge import service
from bot.knowledge.buttons import NoneOfThese
from bot.knowledge.handlers.common import alert_admins, audience, note_button, send_note
from bot.knowledge.models import Outcome
from bot.replies import usage_errors
from bot.usage import UsageError

SUGGESTIONS = 3


#: A question in a private chat: typed text (not a command, not a cancel word), or the caption of a photo or
#: file ("怎么退货" under a screenshot).
QUESTION = TEXT_ANSWER | (filters.ChatType.PRIVATE & (filters.PHOTO | filters.Document.ALL) & filters.CAPTION)


async def ask_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat, or a picture's caption, is a question."""
    message = update.effective_message
    text = message.text or message.caption if message else None
    if text:
        await _answer(update, context, text)


@usage_errors
async def ask_command(update: Update, context: BotContext) -> None:
    """``/ask <question>``, mainly for groups."""
    text = " ".join(context.args or [])
    if not text.strip():
        raise UsageError(N_("Write your question after the command, for example: /ask 退货流程"))
    await _answer(update, context, text)


async def _answer(update: Update, context: BotContext, text: str) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message and chat
    _ = context.gettext
    seen_by = audience(update, context)
    found = await context.bot_data.knowledge.lookup(text, audience=seen_by)
    result = found.result
    async with context.session() as session:
        question = await service.log_question(
            session,
            person_id=context.person.id if context.person else None,
            chat_id=chat.id,
            text=text,
            audience=seen_by,
            result=result,
            learned_id=found.learned_id,
        )
    assert question.id is not None
    if result.outcome == Outcome.ANSWER and result.answer is not None:
        await send_note(message, context, result.answer, question.id, result)
    elif result.outcome == Outcome.SUGGEST and result.suggestions:
        rows = [note_button(question.id, m.note) for m in result.suggestions[:SUGGESTIONS]]
        rows.append([InlineKeyboardButton(_("None of these"), callback_data=NoneOfThese(question.id).pack())])
        await message.reply_text(
            _("I am not sure I understood. Did you mean:"), reply_markup=InlineKeyboardMarkup(rows)
        )
    else:
        await message.reply_text(
            _(
                "Sorry, I don't know this yet, and I would rather not guess. I have passed your question to an "
                "admin; their answer will come to you here."
            )
        )
        await alert_admins(context, question)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """``/ask``."""
    return [CommandHandler("ask", ask_command)]


def fallback() -> list[BaseHandler[Any, BotContext, Any]]:
    """A question in a private chat (:data:`QUESTION`), added after every other handler."""
    return [MessageHandler(QUESTION, ask_text)]
