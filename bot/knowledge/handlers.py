"""Telegram glue for the knowledge base: questions, answers with feedback, inline search, the admin queue."""

from __future__ import annotations

import html
import logging
import warnings
from datetime import timedelta
from typing import Any
from uuid import uuid4

from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access import admin_only, has_role
from bot.clock import utcnow
from bot.context import BotContext
from bot.delivery.handlers import alert_lock, get_sender
from bot.i18n import N_, gettext_for, resolve_language
from bot.knowledge import alerts, service
from bot.knowledge.matcher import SearchResult
from bot.knowledge.models import Feedback, Outcome, Question, QueueState
from bot.knowledge.notes import Note
from bot.knowledge.render import note_html, split_html
from bot.people import service as people
from bot.people.models import Person, Role

log = logging.getLogger(__name__)

COPY_TEXT_LIMIT = 256
RELATED_LIMIT = 2
QUEUE_PAGE = 8
ANSWERING = 1


def knowledge_base(context: BotContext) -> service.KnowledgeBase:
    """The running bot's knowledge base."""
    kb = context.bot_data.services.get("knowledge")
    if kb is None:
        settings = context.settings
        kb = service.KnowledgeBase(
            settings.knowledge_dir, settings.kb_answer_threshold, settings.kb_suggest_threshold
        )
        context.bot_data.services["knowledge"] = kb
    return kb


def _audience(update: Update, context: BotContext) -> str:
    """Staff see every note; job seekers, and everyone in a group chat, only public ones."""
    chat = update.effective_chat
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    return "staff" if has_role(context, Role.STAFF) and not in_group else "public"


# --- asking --------------------------------------------------------------------------------------


async def ask_text(update: Update, context: BotContext) -> None:
    """Plain text in a private chat is a question."""
    message = update.effective_message
    if message and message.text:
        await _answer(update, context, message.text)


async def ask_command(update: Update, context: BotContext) -> None:
    """``/ask <question>``, mainly for groups."""
    message = update.effective_message
    if message is None:
        return
    text = " ".join(context.args or [])
    if not text.strip():
        await message.reply_text(
            context.gettext("Write your question after the command, for example: /ask 退货流程")
        )
        return
    await _answer(update, context, text)


async def _answer(update: Update, context: BotContext, text: str) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message and chat
    _ = context.gettext
    audience = _audience(update, context)
    kb = knowledge_base(context)
    result = kb.search(text, audience=audience)
    async with context.session() as session:
        question = await service.log_question(
            session,
            person_id=context.person.id if context.person else None,
            chat_id=chat.id,
            text=text,
            audience=audience,
            result=result,
        )
    assert question.id is not None
    if result.outcome == Outcome.ANSWER and result.answer is not None:
        await _send_note(message.reply_text, context, result.answer, question.id, result)
    elif result.outcome == Outcome.SUGGEST and result.suggestions:
        rows = [
            [
                InlineKeyboardButton(
                    m.note.title[:60], callback_data=f"kb:n:{question.id}:{service.note_key(m.note.id)}"
                )
            ]
            for m in result.suggestions[:3]
        ]
        rows.append([InlineKeyboardButton(_("None of these"), callback_data=f"kb:none:{question.id}")])
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
        await _alert_admins(context, question)


def _note_keyboard(
    context: BotContext, note: Note, question_id: int, related: list[Note]
) -> InlineKeyboardMarkup:
    _ = context.gettext
    rows = [
        [
            InlineKeyboardButton("👍", callback_data=f"kb:fb:{question_id}:up"),
            InlineKeyboardButton("👎", callback_data=f"kb:fb:{question_id}:down"),
        ]
    ]
    for number, script in enumerate(note.scripts[:3], start=1):
        label = _("📋 Copy reply script") if len(note.scripts) == 1 else _("📋 Copy script {n}", n=number)
        if len(script) <= COPY_TEXT_LIMIT:
            rows.append([InlineKeyboardButton(label, copy_text=CopyTextButton(script))])
        else:
            key = service.note_key(note.id)
            rows.append([InlineKeyboardButton(label, callback_data=f"kb:s:{key}:{number - 1}")])
    rows.extend(
        [
            InlineKeyboardButton(
                "↪ " + other.title[:60], callback_data=f"kb:n:{question_id}:{service.note_key(other.id)}"
            )
        ]
        for other in related
    )
    return InlineKeyboardMarkup(rows)


def _related(result: SearchResult | None, note: Note, suggest_threshold: float) -> list[Note]:
    if result is None:
        return []
    return [m.note for m in result.matches if m.note.id != note.id and m.score >= suggest_threshold][
        :RELATED_LIMIT
    ]


async def _send_note(
    reply: Any, context: BotContext, note: Note, question_id: int, result: SearchResult | None = None
) -> None:
    parts = split_html(note_html(note))
    keyboard = _note_keyboard(
        context, note, question_id, _related(result, note, context.settings.kb_suggest_threshold)
    )
    for number, part in enumerate(parts, start=1):
        last = number == len(parts)
        await reply(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if last else None,
            disable_web_page_preview=True,
        )


async def _alert_admins(context: BotContext, question: Question) -> None:
    """Queue an alert about an open question for the admins; the outbox sends it.

    One lock per running bot keeps concurrent askers from each starting a digest of their own.
    """
    async with alert_lock(context.bot_data, alerts.ALERT_KIND), context.session() as session:
        admins = await people.list_people(session, [Role.ADMIN])
        campaigns = await alerts.alert_admins(
            session, question, admins=admins, default_language=context.settings.default_language
        )
    if campaigns:
        get_sender(context.bot_data).wake()


# --- buttons under answers -----------------------------------------------------------------------


async def _own_question(update: Update, context: BotContext, question_id: int) -> Question | None:
    query = update.callback_query
    assert query
    async with context.session() as session:
        question = await service.get_question(session, question_id)
    if question is None or context.person is None or question.person_id != context.person.id:
        await query.answer(
            context.gettext("Only the person who asked can use these buttons."), show_alert=True
        )
        return None
    return question


async def feedback_button(update: Update, context: BotContext) -> None:
    """👍 / 👎 under an answer."""
    query = update.callback_query
    assert query and query.data
    _prefix, _action, raw_id, verdict = query.data.split(":")
    question = await _own_question(update, context, int(raw_id))
    if question is None:
        return
    async with context.session() as session:
        question = await session.merge(question)
        was_open = question.queue_state == QueueState.OPEN
        question = await service.record_feedback(session, question, Feedback(verdict))
    _ = context.gettext
    if verdict == Feedback.UP:
        await query.answer(_("Thanks! Glad it helped."))
    else:
        await query.answer(_("Thanks for telling me. An admin will look at this answer."), show_alert=True)
    markup = query.message.reply_markup if query.message else None
    if markup:
        rows = [
            row
            for row in markup.inline_keyboard
            if not any((b.callback_data or "").startswith("kb:fb:") for b in row)
        ]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    if verdict == Feedback.DOWN and not was_open and question.queue_state == QueueState.OPEN:
        await _alert_admins(context, question)


async def note_button(update: Update, context: BotContext) -> None:
    """A suggested or related note was chosen: send it."""
    query = update.callback_query
    assert query and query.data and query.message
    _prefix, _action, raw_id, key = query.data.split(":")
    audience = _audience(update, context)
    note = knowledge_base(context).by_key(key, audience=audience)
    if note is None:
        await query.answer(context.gettext("That note is no longer available."), show_alert=True)
        return
    async with context.session() as session:
        question = await service.get_question(session, int(raw_id))
        if question is not None and context.person and question.person_id == context.person.id:
            await service.settle_suggestion(session, question, note.id)
    await query.answer()
    await _send_note(query.message.reply_text, context, note, int(raw_id))


async def none_button(update: Update, context: BotContext) -> None:
    """None of the suggestions fit: queue the question for an admin."""
    query = update.callback_query
    assert query and query.data
    question = await _own_question(update, context, int(query.data.split(":")[2]))
    if question is None:
        return
    async with context.session() as session:
        question = await service.settle_suggestion(session, await session.merge(question), None)
    _ = context.gettext
    await query.answer()
    await query.edit_message_text(
        _("OK. I have passed your question to an admin; their answer will come to you here.")
    )
    await _alert_admins(context, question)


async def script_button(update: Update, context: BotContext) -> None:
    """A reply script too long for a copy button: send it as one tap-to-copy block."""
    query = update.callback_query
    assert query and query.data and query.message
    _prefix, _action, key, raw_index = query.data.split(":")
    note = knowledge_base(context).by_key(key, audience=_audience(update, context))
    index = int(raw_index)
    await query.answer()
    if note is None or index >= len(note.scripts):
        return
    await query.message.reply_text(
        f"<code>{html.escape(note.scripts[index])}</code>", parse_mode=ParseMode.HTML
    )


# --- inline search -------------------------------------------------------------------------------


async def inline_search(update: Update, context: BotContext) -> None:
    """``@bot 退货`` from any chat: the best notes as articles (public notes only for job seekers)."""
    query = update.inline_query
    assert query
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=5, is_personal=True)
        return
    audience = "staff" if has_role(context, Role.STAFF) else "public"
    result = knowledge_base(context).search(text, audience=audience, limit=5)
    articles = [
        InlineQueryResultArticle(
            id=uuid4().hex,
            title=match.note.title,
            description=" ".join(match.note.body.split())[:100],
            input_message_content=InputTextMessageContent(
                split_html(note_html(match.note))[0], parse_mode=ParseMode.HTML
            ),
        )
        for match in result.matches
        if match.score >= context.settings.kb_suggest_threshold
    ]
    await query.answer(articles, cache_time=30, is_personal=True)


# --- the admin queue -----------------------------------------------------------------------------


def _local(context: BotContext, moment: Any) -> str:
    return moment.astimezone(context.settings.tz).strftime("%m-%d %H:%M")


@admin_only
async def unanswered_command(update: Update, context: BotContext) -> None:
    """The oldest open questions, each with Answer / Dismiss buttons."""
    _ = context.gettext
    assert update.effective_message
    async with context.session() as session:
        questions, total = await service.open_queue(session, limit=QUEUE_PAGE)
    if not questions:
        await update.effective_message.reply_text(_("No open questions. 🎉"))
        return
    await update.effective_message.reply_text(_("Open questions: {total}. Oldest first:", total=total))
    for question in questions:
        reason = _("👎 on the answer") if question.feedback == Feedback.DOWN else _("no answer found")
        text = f"#{question.id} · {_local(context, question.asked_at)} · {reason}\n{question.text}"
        buttons = [
            InlineKeyboardButton(_("✍️ Answer"), callback_data=f"kb:ans:{question.id}"),
            InlineKeyboardButton(_("Dismiss"), callback_data=f"kb:dis:{question.id}"),
        ]
        await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup([buttons]))


@admin_only
async def answer_button(update: Update, context: BotContext) -> int | None:
    """Start answering a queued question: the admin's next message is the answer."""
    query = update.callback_query
    assert query and query.data and query.message
    _ = context.gettext
    question_id = int(query.data.split(":")[2])
    async with context.session() as session:
        question = await service.get_question(session, question_id)
    if question is None:
        await query.answer(_("That question no longer exists."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data["kb_answering"] = question_id
    await query.message.reply_text(
        _(
            "Send your answer to #{id}:\n{question}\n\n/cancel to stop.",
            id=question_id,
            question=question.text,
        )
    )
    return ANSWERING


async def answer_received(update: Update, context: BotContext) -> int:
    """Deliver the admin's answer to the asker and offer to save it as a note."""
    message = update.effective_message
    assert message and message.text and context.person
    _ = context.gettext
    question_id = context.user_data.pop("kb_answering", None)
    if question_id is None:
        return ConversationHandler.END
    async with context.session() as session:
        question = await service.get_question(session, question_id)
        if question is None:
            await message.reply_text(_("That question no longer exists."))
            return ConversationHandler.END
        question = await service.answer_question(
            session, question, admin_id=context.person.id, text=message.text
        )
        asker = await session.get(Person, question.person_id) if question.person_id else None
    delivered = await _deliver_answer(context, question, asker)
    status = (
        _("Sent to the person who asked.")
        if delivered
        else _("Saved, but I could not deliver it to the asker.")
    )
    buttons = [
        InlineKeyboardButton(_("💾 Save as a note"), callback_data=f"kb:save:{question.id}"),
        InlineKeyboardButton(_("Done"), callback_data=f"kb:done:{question.id}"),
    ]
    await message.reply_text(
        status + "\n" + _("Save it as a note so that the next person gets it from me?"),
        reply_markup=InlineKeyboardMarkup([buttons]),
    )
    return ConversationHandler.END


async def _deliver_answer(context: BotContext, question: Question, asker: Person | None) -> bool:
    language = resolve_language(
        asker.language if asker else None,
        asker.telegram_language if asker else None,
        context.settings.default_language,
    )
    _ = gettext_for(language)
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
    context.user_data.pop("kb_answering", None)
    if update.effective_message:
        await update.effective_message.reply_text(context.gettext("Cancelled."))
    return ConversationHandler.END


@admin_only
async def queue_button(update: Update, context: BotContext) -> None:
    """Dismiss a queued question, save an answer as a note, or finish."""
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    _prefix, action, raw_id = query.data.split(":")
    async with context.session() as session:
        question = await service.get_question(session, int(raw_id))
        if question is None:
            await query.answer(_("That question no longer exists."), show_alert=True)
            return
        if action == "dis":
            await service.dismiss_question(session, question)
            await query.answer()
            await query.edit_message_text(_("Dismissed: {question}", question=question.text))
            return
        if action == "done" or not question.answer_text:
            await query.answer()
            await query.edit_message_reply_markup(None)
            return
        kb = knowledge_base(context)
        note_id = service.save_answer_as_note(kb.folder, question)
        await service.mark_saved(session, question, note_id)
    problems = kb.reload()
    await query.answer()
    if problems:
        await query.edit_message_text(
            _("Saved as {note}, but the notes have problems; see /reload.", note=note_id)
        )
    else:
        await query.edit_message_text(
            _("Saved as note {note}. The next person who asks gets it from me.", note=note_id)
        )


@admin_only
async def kbstats_command(update: Update, context: BotContext) -> None:
    """Most asked notes, unanswered rate and least helpful notes over the last N days (default 7)."""
    _ = context.gettext
    assert update.effective_message
    days = 7
    if context.args:
        if not context.args[0].isdigit() or not 1 <= int(context.args[0]) <= 365:
            await update.effective_message.reply_text(
                _("Give the number of days, 1 to 365, e.g. /kbstats 30")
            )
            return
        days = int(context.args[0])
    now = utcnow()
    async with context.session() as session:
        stats = await service.knowledge_stats(session, since=now - timedelta(days=days), until=now)
    kb = knowledge_base(context)

    def title(note_id: str) -> str:
        note = kb.note(note_id, audience="staff")
        return note.title if note else note_id

    lines = [
        _("Knowledge base, last {days} days", days=days),
        _(
            "Questions: {total} · answered {answered} · suggested {suggested} · unknown {unknown} ({rate:.0%})",
            total=stats.total,
            answered=stats.answered,
            suggested=stats.suggested,
            unknown=stats.unknown,
            rate=stats.unanswered_rate,
        ),
        _("Open in the queue: {count} (/unanswered)", count=stats.open_in_queue),
    ]
    if stats.most_asked:
        lines.append("\n" + _("Most asked:"))
        lines += [f"• {title(s.note_id)} — {s.asked}" for s in stats.most_asked]
    if stats.least_helpful:
        lines.append("\n" + _("Least helpful (👎):"))
        lines += [f"• {title(s.note_id)} — 👎 {s.unhelpful}/{s.asked}" for s in stats.least_helpful]
    await update.effective_message.reply_text("\n".join(lines))


@admin_only
async def reload_command(update: Update, context: BotContext) -> None:
    """Reload the notes; with problems, keep the last good index and list them."""
    _ = context.gettext
    assert update.effective_message
    kb = knowledge_base(context)
    problems = kb.reload()
    if problems:
        shown = "\n".join(str(p) for p in problems[:20])
        more = len(problems) - 20
        text = (
            _("The notes have {count} problems; I kept the previous version:", count=len(problems))
            + "\n"
            + shown
        )
        if more > 0:
            text += "\n" + _("… and {count} more (python -m bot kb check)", count=more)
        await update.effective_message.reply_text(text)
    else:
        await update.effective_message.reply_text(_("Reloaded {count} notes.", count=kb.size))


# --- wiring --------------------------------------------------------------------------------------


async def load_at_startup(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Build the index when the bot starts; tell the configured admins about broken notes."""
    settings = application.bot_data.settings
    kb = service.KnowledgeBase(
        settings.knowledge_dir, settings.kb_answer_threshold, settings.kb_suggest_threshold
    )
    problems = kb.reload()
    application.bot_data.services["knowledge"] = kb
    log.info("knowledge base: %s notes, %s problems", kb.size, len(problems))
    if problems:
        _ = gettext_for(settings.default_language)
        text = _("The notes have {count} problems; the broken notes are left out:", count=len(problems))
        text += "\n" + "\n".join(str(p) for p in problems[:20])
        for admin_id in settings.admin_ids:
            try:
                await application.bot.send_message(admin_id, text)
            except TelegramError as exc:
                log.warning("could not tell admin %s about note problems: %s", admin_id, exc)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Commands, buttons and inline search; plain private text as questions is added by ``register_fallback``."""
    with warnings.catch_warnings():
        # The conversation is per admin, not per message: the button only starts it, the text ends it.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        answering = ConversationHandler(
            entry_points=[CallbackQueryHandler(answer_button, pattern=r"^kb:ans:\d+$")],
            states={ANSWERING: [MessageHandler(filters.TEXT & ~filters.COMMAND, answer_received)]},
            fallbacks=[CommandHandler("cancel", cancel_answer)],
            conversation_timeout=timedelta(minutes=15),
            name="kb_answer",
        )
    app.add_handler(answering)
    app.add_handler(CommandHandler("ask", ask_command))
    app.add_handler(CommandHandler("unanswered", unanswered_command, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("kbstats", kbstats_command, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("reload", reload_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(feedback_button, pattern=r"^kb:fb:\d+:(up|down)$"))
    app.add_handler(CallbackQueryHandler(note_button, pattern=r"^kb:n:\d+:[0-9a-f]+$"))
    app.add_handler(CallbackQueryHandler(none_button, pattern=r"^kb:none:\d+$"))
    app.add_handler(CallbackQueryHandler(script_button, pattern=r"^kb:s:[0-9a-f]+:\d+$"))
    app.add_handler(CallbackQueryHandler(queue_button, pattern=r"^kb:(dis|save|done):\d+$"))
    app.add_handler(InlineQueryHandler(inline_search))

    menus = app.bot_data.menus
    if menus is not None:
        menus.add("ask", N_("Ask the training notes"), group=True, order=5)
        menus.add("unanswered", N_("Questions waiting for an answer"), roles=[Role.ADMIN], order=64)
        menus.add("kbstats", N_("Knowledge base statistics"), roles=[Role.ADMIN], order=65)
        menus.add("reload", N_("Reload the training notes"), roles=[Role.ADMIN], order=66)


def register_fallback(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Plain text in a private chat is a question; added last so conversations take their input first."""
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, ask_text))
