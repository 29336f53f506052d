"""Attendance on PTB's JobQueue: an every-minute tick, the daily summary, and a catch-up at start.

The jobs hold no state of their own: each run asks the service what is due since the last run (the
database remembers it), so a restart neither loses nor repeats reminders, and absences that fell while the
bot was down are recorded by the first run. What a run decides to tell people is queued in the delivery
outbox in the same transaction (``outbox.py``): a crash at any moment loses none of it, and only the
messages in flight at that moment may arrive twice (flagged ``maybe_duplicate``). Job names are stable, and
scheduling twice replaces the jobs.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from bot.attendance import outbox, reports, service
from bot.attendance.schedule import local_date, local_moment, parse_clock
from bot.clock import utcnow
from bot.config import Settings
from bot.context import BotApplication, BotContext
from bot.people.models import Person

log = logging.getLogger(__name__)

TICK_JOB = "attendance:tick"
SUMMARY_JOB = "attendance:daily-summary"
CATCH_UP_JOB = "attendance:catch-up"
JOB_NAMES = (TICK_JOB, SUMMARY_JOB, CATCH_UP_JOB)
SUMMARY_CATCH_UP = timedelta(hours=3)
"""A daily summary missed while the bot was down is still sent this long after its time."""


def summary_minute(settings: Settings) -> int:
    """The local minute of the day the daily summary is due."""
    minute = parse_clock(settings.attendance_summary_time)
    assert minute is not None, "validated by Settings"
    return minute


def schedule_work(application: BotApplication) -> None:
    """(Re)create the attendance jobs under their stable names. The catch-up runs as soon as the application
    starts, however late that is (slow migrations, waiting for the network): it has no misfire limit."""
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: attendance reminders and summaries are off")
        return
    settings = application.bot_data.settings
    for name in JOB_NAMES:
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
    queue.run_custom(
        tick_job,
        job_kwargs={
            "trigger": "cron",
            "second": 1,
            "misfire_grace_time": 50,
            "coalesce": True,
            "max_instances": 1,
        },
        name=TICK_JOB,
    )
    minute = summary_minute(settings)
    queue.run_daily(summary_job, time(minute // 60, minute % 60, tzinfo=settings.tz), name=SUMMARY_JOB)
    queue.run_once(catch_up_job, when=0, name=CATCH_UP_JOB, job_kwargs={"misfire_grace_time": None})


async def run_tick(application: BotApplication, now: datetime | None = None) -> service.Tick:
    """One run of the scheduler: cancel reminder waves whose moment has passed unsent, record what is due
    and queue the reminders and notices with it, then wake the outbox's sender."""
    data = application.bot_data
    settings = data.settings
    now = now or utcnow()
    async with data.attendance_tick_lock, data.db() as session:
        expired = await outbox.cancel_expired(session, now)
        done = await service.tick(session, now, settings.tz, commit=False)
        await outbox.queue_notices(
            session, done.notices, default_language=settings.default_language, tz=settings.tz, now=now
        )
        await session.commit()
    for campaign_id in expired:
        data.sender.cancelled(campaign_id)
    if done.notices:
        data.sender.wake()
    if done.notices or done.absences or expired:
        log.info(
            "attendance at %s: %d reminders, %d absences, %d records closed, %d stale waves cancelled",
            now.isoformat(timespec="seconds"),
            done.count(service.NoticeKind.WINDOW_OPEN) + done.count(service.NoticeKind.SHIFT_START),
            done.absences,
            done.closed,
            len(expired),
        )
    return done


async def send_summary(application: BotApplication, now: datetime | None = None) -> int:
    """Queue the daily summary for every admin, once a day (claimed with it in one transaction); how many
    admins it goes to. A day with nothing to report sends nothing, unless the official holidays of this
    year or (from December) the next are unknown: then the summary says so."""
    data = application.bot_data
    settings = data.settings
    now = now or utcnow()
    minute = summary_minute(settings)
    today = local_date(now, settings.tz)
    async with data.db() as session:
        due_at = local_moment(today, minute, settings.tz)
        if now > due_at + SUMMARY_CATCH_UP or not await service.claim_summary(
            session, now, settings.tz, minute, commit=False
        ):
            return 0
        groups = await reports.summary_report(session, now, settings.tz)
        pending = len(await service.pending_requests(session))
        unknown = await service.unknown_years(session, today)
        if unknown and not await service.list_shifts(session):
            unknown = []  # no shifts: the calendar does not matter here
        if not groups and not pending and not unknown:
            await session.commit()  # a day off: nothing to report
            return 0
        recipients: dict[int, Person | None] = {p.telegram_id: p for p in await service.admins(session)}
        for telegram_id in settings.admin_ids:
            recipients.setdefault(telegram_id, None)
        count = await outbox.queue_summary(
            session,
            groups,
            pending,
            unknown,
            recipients.items(),
            default_language=settings.default_language,
            tz=settings.tz,
            now=now,
        )
        await session.commit()
    data.sender.wake()
    return count


async def tick_job(context: BotContext) -> None:
    await run_tick(context.application)


async def summary_job(context: BotContext) -> None:
    await send_summary(context.application)


async def catch_up_job(context: BotContext) -> None:
    """At start: whatever fell due while the bot was down, and a missed daily summary."""
    await run_tick(context.application)
    await send_summary(context.application)
