"""Scheduled work of notices: every minute, queue the reminders that are due."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.context import BotApplication, BotContext
from bot.i18n import Translate, gettext_for
from bot.notices import service
from bot.notices.buttons import ACK_LABEL
from bot.notices.models import Notice

log = logging.getLogger(__name__)

REMINDER_INTERVAL_SECONDS = 60
REMINDER_JOB = "notice-reminders"


def reminder_message(_: Translate, notice: Notice) -> str:
    """The text of a reminder (it answers the notice itself, so the summary is enough)."""
    return _(
        "🔔 Reminder: please read this notice and press “{label}”:\n{summary}",
        label=_(ACK_LABEL),
        summary=notice.summary,
    )


async def send_due_reminders(application: BotApplication, *, now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many reminder campaigns were made."""
    data = application.bot_data
    _ = gettext_for(data.settings.default_language)
    made = 0
    async with data.db() as session:
        for notice in await service.due_reminders(session, now=now):
            reminder = await service.send_reminder(
                session, notice, text=reminder_message(_, notice), ack_label=_(ACK_LABEL), now=now
            )
            if reminder is not None:
                made += 1
                log.info(
                    "reminder %s of notice %s to %s people", notice.reminders_sent, notice.id, reminder.total
                )
    if made:
        data.sender.wake()
    return made


async def _reminder_job(context: BotContext) -> None:
    await send_due_reminders(context.application)


def schedule(application: BotApplication) -> None:
    """Look for due reminders every minute (a late run is not skipped: reminders are never lost)."""
    if application.job_queue is None:
        log.warning("no job queue: notice reminders will not be sent")
        return
    application.job_queue.run_repeating(
        _reminder_job,
        interval=REMINDER_INTERVAL_SECONDS,
        first=10,
        name=REMINDER_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
