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
from telegram.ext import Job

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
    """When the next check-in window opens for someone who is on a shift (not on leave); ``now`` where a
    window is open already, its shift not begun, and its person neither reminded nor checked in: the move
    then sends that reminder rather than passing the shift by (and marking the person absent)."""
    tz = application.bot_data.settings.tz
    today = local_date(now, tz)
    async with application.bot_data.db() as session:
        duties = [
            d
            for d in await attendance.roster(
                session, today - timedelta(days=1), today + timedelta(days=LOOKAHEAD_DAYS), tz
            )
            if not d.on_leave
        ]
        open_now = [d for d in duties if d.occ.opens_at <= now < d.occ.starts_at]
        if open_now:
            days = [d.occ.work_date for d in open_now]
            handled = {
                (r.person_id, r.shift_id, r.work_date)
                for r in await attendance.records_between(session, min(days), max(days))
                if r.reminded_at is not None or r.checkin_at is not None
            }
            if any(d.key not in handled for d in open_now):
                return now
    opening = [d.occ.opens_at for d in duties if d.occ.opens_at > now]
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


async def run_due(application: BotApplication, *, every_tick: bool = False) -> int:
    """Run now every recurring job whose next run has come in moved time (``every_tick``: and every job that
    runs every few minutes, due or not: each asks the database what is due; not the daily ones); how many
    ran."""
    queue = application.job_queue
    if queue is None:
        return 0
    now = clock.utcnow()
    due = [
        job
        for job in queue.jobs()
        if job.next_t is not None
        and not isinstance(job.job.trigger, DateTrigger)
        and (job.next_t <= now or (every_tick and _is_tick(job)))
    ]
    for job in sorted(due, key=lambda job: job.next_t or now):
        await job.run(application)
    return len(due)


#: A recurring job that runs at least this often is a scheduler's tick (see :func:`run_due`).
TICK_AT_MOST = timedelta(minutes=5)


def _is_tick(job: Job) -> bool:
    """Whether a job runs every few minutes or more often (its next two runs are close)."""
    first = job.next_t
    if first is None:
        return False
    second = job.job.trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    return second is not None and second - first <= TICK_AT_MOST


async def move(playground: Playground, to: str, minutes: int | None = None) -> datetime:
    """Move the clock, run what fell due and wait for the bot to send it; the new time."""
    _api, application = playground.require_running()
    moment = await target(application, to, minutes)
    now = clock.advance_to(moment)
    # After a move to check-in every scheduler's tick runs once, also where the clock stayed at a window
    # open already (see next_checkin): its reminder goes out now, not at the tick's next minute.
    await run_due(application, every_tick=to == "checkin")
    await playground.settle()
    return now
