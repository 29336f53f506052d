"""Scheduled work of the people capability: write down, every minute, when people were last seen."""

from __future__ import annotations

import logging

from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)

SEEN_FLUSH_JOB = "people:flush-seen"
SEEN_FLUSH_SECONDS = 60


async def _flush_seen(context: BotContext) -> None:
    """Write the "last seen" times ``bot_data.people`` gathered in memory since the last run."""
    await context.bot_data.people.flush_seen()


def schedule(application: BotApplication) -> None:
    """Flush the "last seen" times every ``SEEN_FLUSH_SECONDS`` (and once more at shutdown, in app.py)."""
    if application.job_queue is None:
        log.warning("no job queue: last-seen times are written only at shutdown")
        return
    application.job_queue.run_repeating(_flush_seen, interval=SEEN_FLUSH_SECONDS, name=SEEN_FLUSH_JOB)
