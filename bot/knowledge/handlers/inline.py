"""Inline search: ``@bot 退货`` from any chat lists the best notes as articles to send."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.access import has_role
from bot.context import BotContext
from bot.knowledge.render import note_html, split_html
from bot.people.models import Role

RESULTS = 5
DESCRIPTION_LENGTH = 100


async def inline_search(update: Update, context: BotContext) -> None:
    """The best notes for the query (public notes only for job seekers)."""
    query = update.inline_query
    assert query
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=5, is_personal=True)
        return
    audience = "staff" if has_role(context, Role.STAFF) else "public"
    result = context.bot_data.knowledge.search(text, audience=audience, limit=RESULTS)
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
        if match.score >= context.settings.kb_suggest_threshold
    ]
    await query.answer(articles, cache_time=30, is_personal=True)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The inline query handler."""
    return [InlineQueryHandler(inline_search)]
