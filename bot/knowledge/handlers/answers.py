"""The buttons under answers and suggestions: 👍/👎, another note, "none of these", a long reply script, the
rest of a long note. The asker's pick under "did you mean" teaches the bot the question (a learned phrasing,
``bot.knowledge.learned``); 👍/👎 on an answer a learned phrasing gave raises or lowers it."""

from __future__ import annotations

import functools
import html
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.buttons import Button
from bot.context import BotContext
from bot.knowledge import service
from bot.knowledge.buttons import NoneOfThese, Rate, ReadMore, Script, ShowNote
from bot.knowledge.handlers.common import alert_admins, audience, note_parts, send_note, send_parts
from bot.knowledge.models import Feedback, Question, QueueState
from bot.replies import edit_or_reply, on_button, toast


async def _drop_buttons(query: CallbackQuery, kind: type[Button]) -> None:
    """Take the rows with buttons of one kind off the message under a pressed button."""
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    if markup:
        rows = [row for row in markup.inline_keyboard if not any(kind.matches(b.callback_data) for b in row)]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)


async def _own_question(update: Update, context: BotContext, question_id: int) -> Question | None:
    """The question behind a button, if the person pressing it asked it (else they are told so)."""
    async with context.session() as session:
        question = await service.get_question(session, question_id)
    if question is None or context.person is None or question.person_id != context.person.id:
        await toast(update, context.gettext("Only the person who asked can use these buttons."), alert=True)
        return None
    return question


async def rate(update: Update, context: BotContext, pressed: Rate) -> None:
    """👍 / 👎 under an answer: thank the asker, drop the two buttons; a 👎 queues the question."""
    query = update.callback_query
    assert query
    question = await _own_question(update, context, pressed.question_id)
    if question is None:
        return
    async with context.session() as session:
        question = await session.merge(question)
        was_open = question.queue_state == QueueState.OPEN
        question = await service.rate_answer(session, context.bot_data.knowledge, question, pressed.verdict)
    _ = context.gettext
    if pressed.verdict == Feedback.UP:
        await toast(update, _("Thanks! Glad it helped."))
    else:
        await toast(update, _("Thanks for telling me. An admin will look at this answer."), alert=True)
    await _drop_buttons(query, Rate)
    if pressed.verdict == Feedback.DOWN and not was_open and question.queue_state == QueueState.OPEN:
        await alert_admins(context, question)


async def show_note(update: Update, context: BotContext, pressed: ShowNote) -> None:
    """A suggested or related note was chosen: send it. The asker's first pick under "did you mean" answers
    the question and is learned, so that the next person asking it gets the note outright."""
    query = update.callback_query
    assert query and isinstance(query.message, Message)
    kb = context.bot_data.knowledge
    note = kb.by_key(pressed.note_key, audience=audience(update, context))
    if note is None:
        await toast(update, context.gettext("That note is no longer available."), alert=True)
        return
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
        if question is not None and context.person and question.person_id == context.person.id:
            await service.pick_suggestion(session, kb, question, note)
    await query.answer()
    await send_note(query.message, context, note, pressed.question_id)


async def none_of_these(update: Update, context: BotContext, pressed: NoneOfThese) -> None:
    """None of the suggestions fit: queue the question for an admin."""
    question = await _own_question(update, context, pressed.question_id)
    if question is None:
        return
    async with context.session() as session:
        question = await service.settle_suggestion(session, await session.merge(question), None)
    await edit_or_reply(
        update,
        context,
        context.gettext("OK. I have passed your question to an admin; their answer will come to you here."),
    )
    await alert_admins(context, question)


async def script(update: Update, context: BotContext, pressed: Script) -> None:
    """A reply script too long for a copy button: send it as one tap-to-copy block."""
    query = update.callback_query
    assert query and isinstance(query.message, Message)
    note = context.bot_data.knowledge.by_key(pressed.note_key, audience=audience(update, context))
    await query.answer()
    if note is None or pressed.index >= len(note.scripts):
        return
    await query.message.reply_text(
        f"<code>{html.escape(note.scripts[pressed.index])}</code>", parse_mode=ParseMode.HTML
    )


async def read_more(update: Update, context: BotContext, pressed: ReadMore) -> None:
    """The next messages of a long note, where the last answer stopped (the button goes, so they come once)."""
    query = update.callback_query
    chat = update.effective_chat
    assert query and chat
    note = context.bot_data.knowledge.by_key(pressed.note_key, audience=audience(update, context))
    if note is None or pressed.start >= len(note_parts(note)):  # gone, or shortened since
        await toast(update, context.gettext("That note is no longer available."), alert=True)
        return
    await query.answer()
    await _drop_buttons(query, ReadMore)
    await send_parts(
        functools.partial(context.bot.send_message, chat.id), context.gettext, note, pressed.start
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """One handler per button kind."""
    return [
        on_button(Rate, rate),
        on_button(ShowNote, show_note),
        on_button(NoneOfThese, none_of_these),
        on_button(Script, script),
        on_button(ReadMore, read_more),
    ]
