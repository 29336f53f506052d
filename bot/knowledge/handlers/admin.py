"""Looking after the notes: ``/kbstats`` (with the learned phrasings, paged, each with a button to remove
it), ``/reload``, and loading the notes and the learned phrasings when the bot starts."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotApplication, BotContext
from bot.i18n import N_, Translate, gettext_for
from bot.knowledge import learned, service
from bot.knowledge.buttons import ForgetLearned, LearnedPage
from bot.knowledge.models import LearnedFrom, LearnedPhrasing
from bot.knowledge.notes import Problem
from bot.knowledge.render import fit_lines
from bot.people.models import Person
from bot.replies import edit_or_reply, on_button, page_buttons, reply, usage_errors
from bot.usage import UsageError

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 365
MORE_PROBLEMS = N_("… and {count} more: python -m bot kb check")
#: Learned phrasings on one page of ``/kbstats``.
LEARNED_PAGE = 5
PHRASING_LENGTH = 80


def _days(args: Sequence[str] | None) -> int:
    """The period of ``/kbstats [days]``."""
    if not args:
        return DEFAULT_DAYS
    if not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_DAYS:
        raise UsageError(N_("Give the number of days, 1 to 365, e.g. /kbstats 30"))
    return int(args[0])


@admin_only
@usage_errors
async def kbstats_command(update: Update, context: BotContext) -> None:
    """Most asked notes, unanswered rate and least helpful notes over the last N days (default 7)."""
    _ = context.gettext
    days = _days(context.args)
    now = utcnow()
    async with context.session() as session:
        stats = await service.knowledge_stats(session, since=now - timedelta(days=days), until=now)
    kb = context.bot_data.knowledge

    def title(note_id: str) -> str:
        note = kb.note(note_id, audience="staff")
        return html.escape(note.title if note else note_id)

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
    learned_text, markup = await _learned_page(context, 0)
    if markup is None:  # nothing learned yet: a line under the statistics
        await reply(update, context, "\n".join([*lines, "", learned_text]))
        return
    await reply(update, context, "\n".join(lines))
    await reply(update, context, learned_text, markup)


async def _learned_page(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the learned phrasings, most recent first, each with a button that removes it."""
    _ = context.gettext
    async with context.session() as session:
        rows, total = await learned.recent(session, page=page, size=LEARNED_PAGE)
        if not rows and total and page:  # the last page emptied: show the one before
            page = (total - 1) // LEARNED_PAGE
            rows, total = await learned.recent(session, page=page, size=LEARNED_PAGE)
        people = {
            row.created_by_id: await session.get(Person, row.created_by_id)
            for row in rows
            if row.created_by_id is not None
        }
    if not total:
        return _(
            "Learned phrasings: none yet. When someone picks a note under “did you mean”, or an admin "
            "answers a question with a note, I learn the question."
        ), None
    lines = [_("Learned phrasings: {count}, most recent first", count=total)]
    lines += [_phrasing_line(context, row, people.get(row.created_by_id)) for row in rows]
    buttons = [[_forget_button(_, row, page)] for row in rows]
    pages = (total + LEARNED_PAGE - 1) // LEARNED_PAGE
    if navigation := page_buttons(page, pages, LearnedPage):
        buttons.append(navigation)
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


def _short(text: str) -> str:
    return text if len(text) <= PHRASING_LENGTH else text[: PHRASING_LENGTH - 1] + "…"


def _forget_button(_: Translate, row: LearnedPhrasing, page: int) -> InlineKeyboardButton:
    assert row.id is not None
    return InlineKeyboardButton(
        _("🗑 Remove #{id}", id=row.id), callback_data=ForgetLearned(row.id, page).pack()
    )


def _phrasing_line(context: BotContext, row: LearnedPhrasing, teacher: Person | None) -> str:
    """``#12 “工资能不能预支” → 预支工资`` and, below, the score, who taught it and when."""
    _ = context.gettext
    note = context.bot_data.knowledge.note(row.note_id, audience="staff")
    target = html.escape(note.title) if note else _("{note} (note missing)", note=html.escape(row.note_id))
    how = _("picked under “did you mean”") if row.source == LearnedFrom.PICK else _("an admin's answer")
    who = html.escape(teacher.display_name) if teacher else _("someone")
    when = row.created_at.astimezone(context.settings.tz).strftime("%m-%d %H:%M")
    return f"#{row.id} “{html.escape(_short(row.text))}” → {target}\n" + _(
        "score {score} · {how} · {who} · {when}", score=row.score, how=how, who=who, when=when
    )


@admin_only
async def learned_page(update: Update, context: BotContext, pressed: LearnedPage) -> None:
    """Another page of the learned phrasings."""
    text, markup = await _learned_page(context, pressed.page)
    await edit_or_reply(update, context, text, markup)


@admin_only
async def forget_learned(update: Update, context: BotContext, pressed: ForgetLearned) -> None:
    """Remove a learned phrasing: the question it learned goes back to the notes' own search."""
    _ = context.gettext
    async with context.session() as session:
        phrasing = await service.forget_phrasing(session, context.bot_data.knowledge, pressed.phrasing_id)
    if phrasing is None:
        done = _("#{id} was removed already.", id=pressed.phrasing_id)
    else:
        done = _("Removed #{id} “{text}”.", id=pressed.phrasing_id, text=html.escape(_short(phrasing.text)))
    text, markup = await _learned_page(context, pressed.page)
    await edit_or_reply(update, context, f"{done}\n\n{text}", markup)


def problems_report(_: Translate, size: int, problems: Sequence[Problem], *, escape: bool) -> str:
    """What admins are told after loading notes with problems: one message, however many there are."""
    header = _(
        "Loaded {notes} notes. {count} problems; the broken notes are left out:",
        notes=size,
        count=len(problems),
    )
    return fit_lines(
        header, [str(p) for p in problems], lambda count: _(MORE_PROBLEMS, count=count), escape=escape
    )


@admin_only
async def reload_command(update: Update, context: BotContext) -> None:
    """Reload the notes: every good note is used, broken ones are left out and listed."""
    _ = context.gettext
    kb = context.bot_data.knowledge
    await kb.import_saved_folder()
    problems = await kb.load()
    async with context.session() as session:
        await kb.load_learned(session)
    if not problems:
        await reply(update, context, _("Reloaded {count} notes.", count=kb.size))
        return
    await reply(update, context, problems_report(_, kb.size, problems, escape=True))


async def load_at_startup(application: BotApplication) -> None:
    """Import the notes older versions saved as files, build the index, listen for notes saved by other
    instances (PostgreSQL) and read the learned phrasings when the bot starts; tell the configured admins
    about broken notes."""
    settings = application.bot_data.settings
    kb = application.bot_data.knowledge
    imported = await kb.import_saved_folder()
    if imported:
        log.info(
            "knowledge base: imported %s saved notes from %s into the database", imported, kb.saved_folder
        )
    problems = await kb.load()
    kb.watch(settings.database_url)
    async with application.bot_data.db() as session:
        await kb.load_learned(session)
    log.info(
        "knowledge base: %s notes (%s saved from chat), %s problems, %s learned phrasings",
        kb.size,
        sum(kb.is_saved(note) for note in kb.current().notes),
        len(problems),
        len(kb.learned),
    )
    if not problems:
        return
    text = problems_report(gettext_for(settings.default_language), kb.size, problems, escape=False)
    for admin_id in settings.admin_ids:
        try:
            await application.bot.send_message(admin_id, text)
        except TelegramError as exc:
            log.warning("could not tell admin %s about note problems: %s", admin_id, exc)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """``/kbstats`` and ``/reload``, in private chats; the buttons of the learned phrasings."""
    return [
        CommandHandler("kbstats", kbstats_command, filters.ChatType.PRIVATE),
        CommandHandler("reload", reload_command, filters.ChatType.PRIVATE),
        on_button(LearnedPage, learned_page),
        on_button(ForgetLearned, forget_learned),
    ]
