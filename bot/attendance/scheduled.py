"""Attendance on PTB's JobQueue: an every-minute tick, the daily summary, and a catch-up at start.

The jobs hold no state of their own: each run asks the service what is due since the last run (the
database remembers it), so a restart neither loses nor repeats reminders, and absences that fell while the
bot was down are recorded by the first run. Job names are stable, and scheduling twice replaces the jobs.
``send_paced`` writes to many people within Telegram's limits (the handlers use it too).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.attendance import keyboards, render, reports, service
from bot.attendance.schedule import local_date, local_moment, parse_clock
from bot.clock import utcnow
from bot.config import Settings
from bot.context import BotApplication, BotContext
from bot.i18n import translator_for
from bot.people.models import Person

log = logging.getLogger(__name__)

TICK_JOB = "attendance:tick"
SUMMARY_JOB = "attendance:daily-summary"
CATCH_UP_JOB = "attendance:catch-up"
JOB_NAMES = (TICK_JOB, SUMMARY_JOB, CATCH_UP_JOB)
SEND_RATE = 25.0
"""Messages per second when the scheduler writes to many people (Telegram allows about 30)."""
SUMMARY_CATCH_UP = timedelta(hours=3)
"""A daily summary missed while the bot was down is still sent this long after its time."""

Outgoing = tuple[int, str, InlineKeyboardMarkup | None]


def summary_minute(settings: Settings) -> int:
    """The local minute of the day the daily summary is due."""
    minute = parse_clock(settings.attendance_summary_time)
    assert minute is not None, "validated by Settings"
    return minute


def schedule_work(application: BotApplication) -> None:
    """(Re)create the attendance jobs under their stable names."""
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
    queue.run_once(catch_up_job, when=1, name=CATCH_UP_JOB)


async def run_tick(application: BotApplication, now: datetime | None = None) -> service.Tick:
    """One run of the scheduler: record what is due, then send the reminders and notices."""
    data = application.bot_data
    settings = data.settings
    now = now or utcnow()
    async with data.attendance_tick_lock, data.db() as session:
        done = await service.tick(session, now, settings.tz)
    if done.notices or done.absences:
        log.info(
            "attendance at %s: %d reminders, %d absences, %d records closed",
            now.isoformat(timespec="seconds"),
            done.count(service.NoticeKind.WINDOW_OPEN) + done.count(service.NoticeKind.SHIFT_START),
            done.absences,
            done.closed,
        )
    outgoing = []
    for notice in done.notices:
        _ = translator_for(notice.person, settings.default_language)
        text = render.notice_text(_, notice, settings.tz)
        outgoing.append((notice.person.telegram_id, text, keyboards.notice_buttons(_, notice.kind)))
    await send_paced(application.bot, outgoing)
    return done


async def send_summary(
    application: BotApplication, now: datetime | None = None, *, claim: bool = True
) -> int:
    """Send the daily summary to every admin (once a day when ``claim``); how many got it."""
    settings = application.bot_data.settings
    now = now or utcnow()
    minute = summary_minute(settings)
    async with application.bot_data.db() as session:
        if claim:
            due_at = local_moment(local_date(now, settings.tz), minute, settings.tz)
            if now > due_at + SUMMARY_CATCH_UP or not await service.claim_summary(
                session, now, settings.tz, minute
            ):
                return 0
        groups = await reports.summary_report(session, now, settings.tz)
        pending = len(await service.pending_requests(session))
        admins = await service.admins(session)
    if not groups and not pending:
        return 0  # a day off: nothing to report
    recipients: dict[int, Person | None] = {p.telegram_id: p for p in admins}
    for telegram_id in settings.admin_ids:
        recipients.setdefault(telegram_id, None)
    outgoing: list[Outgoing] = []
    for telegram_id, person in recipients.items():
        _ = translator_for(person, settings.default_language)
        outgoing.append((telegram_id, render.summary_text(_, groups, now, settings.tz, pending), None))
    return len(await send_paced(application.bot, outgoing))


async def tick_job(context: BotContext) -> None:
    await run_tick(context.application)


async def summary_job(context: BotContext) -> None:
    await send_summary(context.application)


async def catch_up_job(context: BotContext) -> None:
    """At start: whatever fell due while the bot was down, and a missed daily summary."""
    await run_tick(context.application)
    await send_summary(context.application)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send_paced(bot: Bot, messages: Sequence[Outgoing], rate: float = SEND_RATE) -> list[Message]:
    """Send private messages one after another within Telegram's overall limit; the messages that arrived.

    With the bot's rate limiter in place (the composition root installs the shared one) it sets the pace;
    without one, the messages are spaced ``1/rate`` seconds apart. A flood-limit answer is waited out and
    retried; a blocked bot or another refusal is logged and skipped, so one person never stops the others.
    """
    loop = asyncio.get_running_loop()
    spacing = 0.0 if getattr(bot, "rate_limiter", None) is not None else 1 / rate
    next_at = loop.time()
    sent: list[Message] = []
    for chat_id, text, markup in messages:
        delay = next_at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        next_at = max(next_at, loop.time()) + spacing
        for _attempt in range(3):
            try:
                sent.append(
                    await bot.send_message(chat_id, text, reply_markup=markup, parse_mode=ParseMode.HTML)
                )
                break
            except RetryAfter as exc:
                await asyncio.sleep(_retry_after(exc))
            except Forbidden as exc:
                log.info("could not write to %s: %s", chat_id, exc)
                break
            except TelegramError as exc:
                log.warning("could not send an attendance message to %s: %s", chat_id, exc)
                break
    return sent
