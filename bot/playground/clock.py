"""Moving the bot's time forward, and doing at once what fell due.

The JobQueue fires on real time, but every scheduled job asks the database what is due since its last run
(reminders, absences, deadlines, lessons, the daily summary, which is claimed once a day). So after the clock
moves, running each recurring job whose next run has come (in moved time) is enough, and nothing is done
twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.date import DateTrigger

from bot import clock
from bot.attendance import service as attendance
from bot.attendance.schedule import local_date, local_moment
from bot.context import BotApplication

if TYPE_CHECKING:
    from bot.playground.core import Playground

MAX_MINUTES = 14 * 24 * 60
MORNING_MINUTE = 9 * 60
LOOKAHEAD_DAYS = 8


class ClockError(ValueError):
    """A move the clock cannot make."""


async def workplace(application: BotApplication) -> tuple[float, float] | None:
    """The workplace's location, if an admin has set one."""
    async with application.bot_data.db() as session:
        config = await attendance.get_config(session)
    if config.latitude is None or config.longitude is None:
        return None
    return config.latitude, config.longitude


async def next_checkin(application: BotApplication, now: datetime) -> datetime | None:
    """When the next check-in window opens for someone who is on a shift (not on leave)."""
    tz = application.bot_data.settings.tz
    today = local_date(now, tz)
    async with application.bot_data.db() as session:
        duties = await attendance.roster(
            session, today - timedelta(days=1), today + timedelta(days=LOOKAHEAD_DAYS), tz
        )
    opening = [d.occ.opens_at for d in duties if not d.on_leave and d.occ.opens_at > now]
    return min(opening, default=None)


async def target(application: BotApplication, to: str, minutes: int | None) -> datetime:
    """Where a move goes: ``checkin`` (the moment the next check-in window opens, so its reminder goes out),
    ``tomorrow_0900`` or ``minutes`` ahead."""
    now = clock.utcnow()
    if to == "checkin":
        moment = await next_checkin(application, now)
        if moment is None:
            raise ClockError(
                f"nobody is on a shift in the next {LOOKAHEAD_DAYS} days: define a shift and put someone on it"
            )
        return moment
    if to == "tomorrow_0900":
        tz = application.bot_data.settings.tz
        return local_moment(local_date(now, tz) + timedelta(days=1), MORNING_MINUTE, tz)
    if to == "minutes":
        if minutes is None or not 1 <= minutes <= MAX_MINUTES:
            raise ClockError(f"minutes must be between 1 and {MAX_MINUTES}")
        return now + timedelta(minutes=minutes)
    raise ClockError("to must be checkin, tomorrow_0900 or minutes")


async def run_due(application: BotApplication) -> int:
    """Run now every recurring job whose next run has come in moved time; how many ran."""
    queue = application.job_queue
    if queue is None:
        return 0
    now = clock.utcnow()
    due = [
        job
        for job in queue.jobs()
        if job.next_t is not None and job.next_t <= now and not isinstance(job.job.trigger, DateTrigger)
    ]
    for job in sorted(due, key=lambda job: job.next_t or now):
        await job.run(application)
    return len(due)


async def move(playground: Playground, to: str, minutes: int | None = None) -> datetime:
    """Move the clock, run what fell due and wait for the bot to send it; the new time."""
    _api, application = playground.require_running()
    moment = await target(application, to, minutes)
    now = clock.advance_to(moment)
    await run_due(application)
    await playground.settle()
    return now
