"""The admins' queue: ``/unanswered``, answering a question (a conversation), dismissing it, saving the
answer as a note. An admin may answer with an existing note instead of words (a button for each of the best
matches, or the note's id typed): the asker gets the note, and the question is learned as a phrasing of it
(``bot.knowledge.learned``), so that the next person asking gets the note from the bot."""

from __future__ import annotations

import functools
import html
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.access import admin_only
from bot.context import BotContext
from bot.conversations import CANCEL, TEXT_ANSWER, conversation
from bot.i18n import translator_for
from bot.knowledge import service
from bot.knowledge.buttons import AnswerQuestion, AnswerWithNote, Dismiss, Done, SaveAsNote
from bot.knowledge.handlers.common import TITLE_LENGTH, admin_button, note_keyboard, send_parts
from bot.knowledge.models import Feedback, Question
from bot.knowledge.notes import Note
from bot.people.models import Person
from bot.replies import edit_or_reply, on_button, reply, toast

log = logging.getLogger(__name__)

QUEUE_PAGE = 8
#: How many of the best matching notes the answer prompt offers as buttons.
NOTE_CHOICES = 3
ANSWERING = 1
ANSWER_TIMEOUT = timedelta(minutes=15)
_ANSWERING_KEY = "kb_answering"


def _local(context: BotContext, moment: datetime) -> str:
    return moment.astimezone(context.settings.tz).strftime("%m-%d %H:%M")


@admin_only
async def unanswered_command(update: Update, context: BotContext) -> None:
    """The oldest open questions, each with Answer / Dismiss buttons."""
    _ = context.gettext
    async with context.session() as session:
        questions, total = await service.open_queue(session, limit=QUEUE_PAGE)
    if not questions:
        await reply(update, context, _("No open questions. 🎉"))
        return
    await reply(update, context, _("Open questions: {total}. Oldest first:", total=total))
    for question in questions:
        assert question.id is not None
        reason = _("👎 on the answer") if question.feedback == Feedback.DOWN else _("no answer found")
        when = _local(context, question.asked_at)
        text = f"#{question.id} · {when} · {reason}\n{html.escape(question.text)}"
        buttons = [
            InlineKeyboardButton(_("✍️ Answer"), callback_data=AnswerQuestion(question.id).pack()),
            InlineKeyboardButton(_("Dismiss"), callback_data=Dismiss(question.id).pack()),
        ]
        await reply(update, context, text, InlineKeyboardMarkup([buttons]))


# --- answering a question -------------------------------------------------------------------------


@admin_button
async def start_answer(update: Update, context: BotContext, pressed: AnswerQuestion) -> int:
    """Start answering a queued question: the admin's next message is the answer, or a note's id; the best
    matching notes its asker may see are offered as buttons."""
    _ = context.gettext
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
    if question is None:
        await toast(update, _("That question no longer exists."), alert=True)
        return ConversationHandler.END
    context.user_data[_ANSWERING_KEY] = pressed.question_id
    found = await context.bot_data.knowledge.lookup(
        question.text, audience=question.audience, limit=NOTE_CHOICES
    )
    rows = [
        [
            InlineKeyboardButton(
                "📘 " + match.note.title[:TITLE_LENGTH],
                callback_data=AnswerWithNote(pressed.question_id, service.note_key(match.note.id)).pack(),
            )
        ]
        for match in found.result.matches
    ]
    text = _(
        "Send your answer to #{id}:\n{question}\n\n/cancel to stop.",
        id=pressed.question_id,
        question=html.escape(question.text),
    )
    text += "\n" + _(
        "If a note already answers it, press it below or send its id: the asker gets the note, and I learn "
        "to answer this question with it."
    )
    await reply(update, context, text, InlineKeyboardMarkup(rows) if rows else None)
    return ANSWERING


async def answer_received(update: Update, context: BotContext) -> int:
    """Deliver the admin's answer to the asker and offer to save it as a note; a note's id answers with that
    note instead."""
    message = update.effective_message
    assert message and message.text and context.person
    _ = context.gettext
    question_id = context.user_data.pop(_ANSWERING_KEY, None)
    if question_id is None:
        return ConversationHandler.END
    kb = context.bot_data.knowledge
    typed = message.text.strip()
    if kb.note(typed, audience="staff") is not None:
        async with context.session() as session:
            question = await service.get_question(session, question_id)
        if question is None:
            await reply(update, context, _("That question no longer exists."))
            return ConversationHandler.END
        note = kb.note(typed, audience=question.audience)
        if note is None:
            context.user_data[_ANSWERING_KEY] = question_id
            text = _(
                "{note} is for staff only, and the person who asked is not staff. Send an answer, or the id of "
                "a public note.",
                note=html.escape(typed),
            )
            await reply(update, context, text)
            return ANSWERING
        await _answer_with(update, context, question_id, note)
        return ConversationHandler.END
    async with context.session() as session:
        question = await service.get_question(session, question_id)
        if question is None:
            await reply(update, context, _("That question no longer exists."))
            return ConversationHandler.END
        question = await service.answer_question(
            session, question, admin_id=context.person.id, text=message.text
        )
        asker = await session.get(Person, question.person_id) if question.person_id else None
    assert question.id is not None
    delivered = await _deliver_answer(context, question, asker)
    status = (
        _("Sent to the person who asked.")
        if delivered
        else _("Saved, but I could not deliver it to the asker.")
    )
    buttons = [
        InlineKeyboardButton(_("💾 Save as a note"), callback_data=SaveAsNote(question.id).pack()),
        InlineKeyboardButton(_("Done"), callback_data=Done(question.id).pack()),
    ]
    await reply(
        update,
        context,
        status + "\n" + _("Save it as a note so that the next person gets it from me?"),
        InlineKeyboardMarkup([buttons]),
    )
    return ConversationHandler.END


@admin_button
async def note_chosen(update: Update, context: BotContext, pressed: AnswerWithNote) -> int:
    """A note button under the answer prompt: answer the question with that note (whether or not the
    conversation is still waiting for an answer)."""
    context.user_data.pop(_ANSWERING_KEY, None)
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
    if question is None:
        await _gone(update, context)
        return ConversationHandler.END
    note = context.bot_data.knowledge.by_key(pressed.note_key, audience=question.audience)
    if note is None:
        await toast(update, context.gettext("That note is no longer available."), alert=True)
        return ConversationHandler.END
    await _answer_with(update, context, pressed.question_id, note)
    return ConversationHandler.END


async def _answer_with(update: Update, context: BotContext, question_id: int, note: Note) -> None:
    """Answer a question with a note its asker may see: send it to them, learn the question, tell the admin."""
    assert context.person is not None
    _ = context.gettext
    async with context.session() as session:
        question = await service.get_question(session, question_id)
        if question is None:
            await reply(update, context, _("That question no longer exists."))
            return
        phrasing = await service.answer_with_note(
            session, context.bot_data.knowledge, question, note, admin_id=context.person.id
        )
        asker = await session.get(Person, question.person_id) if question.person_id else None
    delivered = await _deliver_note(context, question, note, asker)
    lines = [
        _("Sent the note “{title}” to the person who asked.", title=html.escape(note.title))
        if delivered
        else _(
            "Answered with the note “{title}”, but I could not deliver it to the asker.",
            title=html.escape(note.title),
        )
    ]
    if phrasing is not None:
        lines.append(
            _("From now on I answer “{question}” with this note.", question=html.escape(question.text))
        )
    await reply(update, context, "\n".join(lines))


async def _deliver_note(context: BotContext, question: Question, note: Note, asker: Person | None) -> bool:
    """Send the note to the chat the question came from, in the asker's language."""
    assert question.id is not None
    _ = translator_for(asker, context.settings.default_language)
    send = functools.partial(context.bot.send_message, question.chat_id)
    try:
        await send(_("An admin answered your question “{question}” with this note:", question=question.text))
        keyboard = note_keyboard(_, note, question.id, rate=False)
        await send_parts(send, _, note, 0, keyboard.inline_keyboard)
    except TelegramError as exc:
        log.warning("could not deliver note %s for question %s: %s", note.id, question.id, exc)
        return False
    return True


async def _deliver_answer(context: BotContext, question: Question, asker: Person | None) -> bool:
    """Send the answer to the chat the question came from, in the asker's language."""
    _ = translator_for(asker, context.settings.default_language)
    text = _(
        "An admin answered your question “{question}”:\n\n{answer}",
        question=question.text,
        answer=question.answer_text or "",
    )
    try:
        await context.bot.send_message(question.chat_id, text)
    except TelegramError as exc:
        log.warning("could not deliver the answer to question %s: %s", question.id, exc)
        return False
    return True


async def cancel_answer(update: Update, context: BotContext) -> int:
    """Stop answering."""
    context.user_data.pop(_ANSWERING_KEY, None)
    await reply(update, context, context.gettext("Cancelled."))
    return ConversationHandler.END


# --- after answering ------------------------------------------------------------------------------


async def _gone(update: Update, context: BotContext) -> None:
    await toast(update, context.gettext("That question no longer exists."), alert=True)


@admin_button
async def dismiss(update: Update, context: BotContext, pressed: Dismiss) -> None:
    """Take a question out of the queue without answering it."""
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
        if question is None:
            await _gone(update, context)
            return
        await service.dismiss_question(session, question)
    text = context.gettext("Dismissed: {question}", question=html.escape(question.text))
    await edit_or_reply(update, context, text)


@admin_button
async def done(update: Update, context: BotContext, pressed: Done) -> None:
    """Finished with an answered question: take the buttons away."""
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
    if question is None:
        await _gone(update, context)
        return
    await _close(update)


async def _close(update: Update) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    await query.edit_message_reply_markup(None)


@admin_button
async def save_as_note(update: Update, context: BotContext, pressed: SaveAsNote) -> None:
    """Save the answer as a note in the database and reload, so that the next person gets it from the bot
    (the other instances reload on their own)."""
    _ = context.gettext
    kb = context.bot_data.knowledge
    async with context.session() as session:
        question = await service.get_question(session, pressed.question_id)
        if question is None:
            await _gone(update, context)
            return
        if not question.answer_text:  # nothing to save: as "Done"
            await _close(update)
            return
        admin_id = context.person.id if context.person else None
        note_id = await service.save_answer_as_note(session, question, admin_id=admin_id)
    await kb.load()
    saved = kb.note(note_id, audience="staff")
    if saved is None or not kb.is_saved(saved):  # broken, or its id taken
        text = _("Saved as {note}, but the notes have problems; see /reload.", note=note_id)
    else:
        text = _("Saved as note {note}. The next person who asks gets it from me.", note=note_id)
    await edit_or_reply(update, context, text)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The answering conversation first, then ``/unanswered`` and the queue's buttons."""
    answering = conversation(
        name="kb_answer",
        entry_points=[on_button(AnswerQuestion, start_answer)],
        states={
            ANSWERING: [MessageHandler(TEXT_ANSWER, answer_received), on_button(AnswerWithNote, note_chosen)]
        },
        fallbacks=[MessageHandler(CANCEL, cancel_answer)],
        timeout=ANSWER_TIMEOUT,
    )
    return [
        answering,
        CommandHandler("unanswered", unanswered_command, filters.ChatType.PRIVATE),
        on_button(AnswerWithNote, note_chosen),
        on_button(Dismiss, dismiss),
        on_button(SaveAsNote, save_as_note),
        on_button(Done, done),
    ]
