"""The outbox's one sending task: started when the application starts (it resumes what a crash left),
stopped with it. Being a JobQueue job, it runs only where scheduled work runs: with several instances on
PostgreSQL, on the elected leader alone (``bot.failover``)."""

from __future__ import annotations

import logging

from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)

SENDER_JOB = "delivery-sender"


async def _start_sender(context: BotContext) -> None:
    application = context.application
    sender = application.bot_data.sender
    if sender.running:
        return
    application.create_task(sender.run(keep_running=lambda: application.running), name=SENDER_JOB)
    log.info("delivery sender started")


def schedule(application: BotApplication) -> None:
    """Start ``bot_data.sender`` as soon as the application runs (however late: no misfire limit)."""
    if application.job_queue is None:
        log.warning("no job queue: the delivery sender will not start")
        return
    application.job_queue.run_once(
        _start_sender, when=0, name=SENDER_JOB, job_kwargs={"misfire_grace_time": None}
    )
