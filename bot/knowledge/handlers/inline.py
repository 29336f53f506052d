"""Inline search: ``@bot 退货`` from any chat lists the best notes as articles to send; staff notes only in the
person's own chat with the bot (what is sent lands in the chat it was typed in)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.context import BotContext
from bot.knowledge.handlers.common import audience
from bot.knowledge.render import note_html, split_html
from bot.knowledge.search import worth_offering

RESULTS = 5
PUBLIC_CACHE_SECONDS = 30
DESCRIPTION_LENGTH = 100


async def inline_search(update: Update, context: BotContext) -> None:
    """The best notes for the query (public notes only for job seekers and outside the private chat)."""
    query = update.inline_query
    assert query
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=5, is_personal=True)
        return
    seen_by = audience(update, context)
    result = (await context.bot_data.knowledge.lookup(text, audience=seen_by, limit=RESULTS)).result
    articles = [
        InlineQueryResultArticle(
            id=uuid4().hex,
            title=match.note.title,
            description=" ".join(match.note.body.split())[:DESCRIPTION_LENGTH],
            input_message_content=InputTextMessageContent(
                split_html(note_html(match.note))[0], parse_mode=ParseMode.HTML
            ),
        )
        for match in result.matches
        if worth_offering(match.score, context.settings.kb_suggest_threshold)
    ]
    # Telegram may reuse cached results in another chat: staff notes are never cached.
    await query.answer(
        articles, cache_time=PUBLIC_CACHE_SECONDS if seen_by == "public" else 0, is_personal=True
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The inline query handler."""
    return [InlineQueryHandler(inline_search)]
