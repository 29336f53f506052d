"""The global error handler: log, apologise to the user, tell admins without flooding them."""

from __future__ import annotations

import html
import json
import logging
import time
import traceback
from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TelegramError, TimedOut

from bot.context import BotContext
from bot.i18n import gettext_for, resolve_language

log = logging.getLogger(__name__)


@dataclass
class AdminReportThrottle:
    """At most one report to admins per interval; errors in between are counted and summed up."""

    interval: float
    last_sent: float | None = None
    suppressed: int = field(default=0)

    def allow(self, now: float) -> tuple[bool, int]:
        """Whether to report now, and how many errors were held back since the last report."""
        if self.last_sent is None or now - self.last_sent >= self.interval:
            held_back, self.suppressed, self.last_sent = self.suppressed, 0, now
            return True, held_back
        self.suppressed += 1
        return False, 0


def _describe(update: object) -> str:
    if isinstance(update, Update):
        return json.dumps(update.to_dict(), ensure_ascii=False)[:2000]
    return repr(update)[:2000]


async def handle_error(update: object, context: BotContext) -> None:
    """Log the failure with its update, answer the user, and report to admins (throttled)."""
    error = context.error
    if type(error) is NetworkError or isinstance(error, TimedOut):
        log.warning("network trouble while handling an update: %s", error)
        return
    log.error("update failed: %s", _describe(update), exc_info=error)

    if isinstance(update, Update) and update.effective_chat and not isinstance(error, Forbidden):
        _ = (
            context.gettext
            if context.person
            else gettext_for(
                resolve_language(
                    None,
                    update.effective_user.language_code if update.effective_user else None,
                    context.settings.default_language,
                )
            )
        )
        text = _("Sorry, something went wrong on our side. Please try again in a moment.")
        try:
            if update.callback_query:
                await update.callback_query.answer(text, show_alert=True)
            else:
                await context.bot.send_message(update.effective_chat.id, text)
        except TelegramError as exc:
            log.warning("could not tell the user about the error: %s", exc)

    await _report_to_admins(update, context)


async def _report_to_admins(update: object, context: BotContext) -> None:
    settings = context.settings
    throttle = context.bot_data.error_throttle
    allowed, held_back = throttle.allow(time.monotonic())
    if not allowed or not settings.admin_ids:
        return
    error = context.error
    where = ""
    if isinstance(update, Update):
        user = update.effective_user
        chat = update.effective_chat
        where = f"user {user.id if user else '-'} · chat {chat.id if chat else '-'}"
    last_frame = traceback.extract_tb(error.__traceback__)[-1:] if error and error.__traceback__ else []
    location = f"{last_frame[0].filename.rsplit('/', 1)[-1]}:{last_frame[0].lineno}" if last_frame else ""
    _ = gettext_for(settings.default_language)
    for admin_id in settings.admin_ids:
        lines = [
            "⚠️ " + _("Error while handling an update"),
            f"<code>{html.escape(type(error).__name__)}: {html.escape(str(error)[:300])}</code>",
            html.escape(f"{where} {location}".strip()),
        ]
        if held_back:
            lines.append(_("{count} more errors since the last report", count=held_back))
        try:
            await context.bot.send_message(admin_id, "\n".join(lines), parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("could not report the error to admin %s: %s", admin_id, exc)
