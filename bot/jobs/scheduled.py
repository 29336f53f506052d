"""The jobs capability's scheduled work: every minute, postings past their deadline are closed (their group
copies edited through the outbox) and applications past the retention period are deleted."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.context import BotApplication, BotContext
from bot.jobs import outbox, service

log = logging.getLogger(__name__)

TICK_JOB = "jobs:tick"
TICK_SECONDS = 60


async def run_tick(application: BotApplication, now: datetime | None = None) -> tuple[int, int]:
    """Close postings whose deadline passed and purge old applications: (postings closed, purged)."""
    data = application.bot_data
    settings = data.settings
    now = now or utcnow()
    async with data.db() as session:
        closed = await service.close_expired(session, now=now)
        for posting in closed:
            await outbox.refresh_announcements(
                session,
                posting,
                bot_username=application.bot.username,
                language=settings.default_language,
                tz=settings.tz,
                now=now,
            )
        purged = await service.purge_applications(
            session, older_than=now - timedelta(days=settings.application_retention_days)
        )
    if closed:
        log.info("jobs: closed %d postings past their deadline", len(closed))
        data.sender.wake()
    if purged:
        log.info(
            "jobs: purged %d applications older than %d days", purged, settings.application_retention_days
        )
    return len(closed), purged


async def _tick(context: BotContext) -> None:
    await run_tick(context.application)


def schedule(application: BotApplication) -> None:
    """Run the tick every minute under its stable name (scheduling again replaces it)."""
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: postings past their deadline refuse applications but are not closed")
        return
    for job in queue.get_jobs_by_name(TICK_JOB):
        job.schedule_removal()
    queue.run_repeating(_tick, interval=TICK_SECONDS, first=1, name=TICK_JOB)
