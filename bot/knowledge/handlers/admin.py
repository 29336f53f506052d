"""Looking after the notes: ``/kbstats``, ``/reload``, and loading them when the bot starts."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotApplication, BotContext
from bot.i18n import N_, Translate, gettext_for
from bot.knowledge import service
from bot.knowledge.notes import Problem
from bot.knowledge.render import fit_lines
from bot.replies import reply, usage_errors
from bot.usage import UsageError

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 365
MORE_PROBLEMS = N_("… and {count} more: python -m bot kb check")


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
    await reply(update, context, "\n".join(lines))


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
    problems = kb.reload()
    if not problems:
        await reply(update, context, _("Reloaded {count} notes.", count=kb.size))
        return
    await reply(update, context, problems_report(_, kb.size, problems, escape=True))


async def load_at_startup(application: BotApplication) -> None:
    """Build the index when the bot starts; tell the configured admins about broken notes."""
    settings = application.bot_data.settings
    kb = application.bot_data.knowledge
    problems = kb.reload()
    log.info("knowledge base: %s notes, %s problems", kb.size, len(problems))
    if not problems:
        return
    text = problems_report(gettext_for(settings.default_language), kb.size, problems, escape=False)
    for admin_id in settings.admin_ids:
        try:
            await application.bot.send_message(admin_id, text)
        except TelegramError as exc:
            log.warning("could not tell admin %s about note problems: %s", admin_id, exc)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """``/kbstats`` and ``/reload``, in private chats."""
    return [
        CommandHandler("kbstats", kbstats_command, filters.ChatType.PRIVATE),
        CommandHandler("reload", reload_command, filters.ChatType.PRIVATE),
    ]
