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
from bot.i18n import N_, gettext_for
from bot.knowledge import service
from bot.knowledge.notes import Problem
from bot.replies import reply, usage_errors
from bot.usage import UsageError

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 365
PROBLEMS_SHOWN = 20


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


def _listed(problems: Sequence[Problem]) -> str:
    return "\n".join(html.escape(str(p)) for p in problems[:PROBLEMS_SHOWN])


@admin_only
async def reload_command(update: Update, context: BotContext) -> None:
    """Reload the notes; with problems, keep the last good index and list them."""
    _ = context.gettext
    kb = context.bot_data.knowledge
    problems = kb.reload()
    if not problems:
        await reply(update, context, _("Reloaded {count} notes.", count=kb.size))
        return
    text = _("The notes have {count} problems; I kept the previous version:", count=len(problems))
    text += "\n" + _listed(problems)
    if len(problems) > PROBLEMS_SHOWN:
        more = len(problems) - PROBLEMS_SHOWN
        text += "\n" + _("… and {count} more (python -m bot kb check)", count=more)
    await reply(update, context, text)


async def load_at_startup(application: BotApplication) -> None:
    """Build the index when the bot starts; tell the configured admins about broken notes."""
    settings = application.bot_data.settings
    kb = application.bot_data.knowledge
    problems = kb.reload()
    log.info("knowledge base: %s notes, %s problems", kb.size, len(problems))
    if not problems:
        return
    _ = gettext_for(settings.default_language)
    text = _("The notes have {count} problems; the broken notes are left out:", count=len(problems))
    text += "\n" + "\n".join(str(p) for p in problems[:PROBLEMS_SHOWN])
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
