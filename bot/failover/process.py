"""What leadership means for the running process: a lost leader leaves at once, and with webhooks a
standby keeps its scheduled work paused until it is elected."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

from bot.context import BotApplication
from bot.delivery import service as delivery
from bot.delivery.sender import RECOVERED
from bot.failover.leader import EXIT_LOST_LEADERSHIP, LeaderElection

log = logging.getLogger(__name__)


def leave_now(exit_code: int = EXIT_LOST_LEADERSHIP) -> NoReturn:
    """End the process without a graceful stop: no request, no job, no further send after this line.

    Rows a send was in flight for stay ``sending``; the next leader recovers them as possible duplicates.
    """
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(exit_code)


def start_scheduler_paused(application: BotApplication) -> None:
    """Start the JobQueue's scheduler paused: ``JobQueue.start`` (called by ``Application.start``) leaves a
    running scheduler alone, so nothing scheduled runs until :func:`lead_when_elected` resumes it."""
    if application.job_queue is not None:
        application.job_queue.scheduler.start(paused=True)


async def take_over_outbox(application: BotApplication) -> int:
    """Put every row a previous leader was sending back in the queue, flagged ``maybe_duplicate``, without
    waiting for its lease to run out; how many.

    Only the leader sends, and a leader stops itself when its heartbeat fails, before the server drops its
    session and with it the lock: once elected, no other instance is sending.
    """
    async with application.bot_data.db() as session:
        taken = await delivery.recover_interrupted(session, every_lease=True)
    if taken:
        log.warning(RECOVERED, taken)
    return taken


async def lead_when_elected(application: BotApplication, election: LeaderElection) -> None:
    """Webhook mode: wait as a standby (updates are served meanwhile), then resume the scheduled work —
    the start-up jobs catch up what fell due — and hold the lead until the heartbeat fails."""
    try:
        await election.wait_for_leadership()
        await take_over_outbox(application)
    except Exception:
        log.exception("the leader election failed; stopping")  # the restart policy starts a fresh standby
        leave_now()
    if application.job_queue is not None:
        application.job_queue.scheduler.resume()
    await election.keep_leading(leave_now)
