"""Notes saved from chat are seen within seconds (see :mod:`bot.knowledge.saved`).

On SQLite, where one instance runs, a job compares the saved notes' fingerprint every :data:`CHECK_SECONDS`
and reloads when it moved. On PostgreSQL every instance
``LISTEN``\\s instead (:meth:`KnowledgeBase.watch`), from the start. Either way a reload happens only when the
notes read last are out of date, so the instance that saved (and reloaded already) does not build its index
twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import BotApplication, BotContext

log = logging.getLogger(__name__)

CHECK_JOB = "knowledge-saved-notes-check"
#: How often SQLite's saved notes are checked for a change.
CHECK_SECONDS = 3.0


async def _check(context: BotContext) -> None:
    """SQLite: reload if a note was saved since the last reading."""
    kb = context.application.bot_data.knowledge
    if await kb.load_if_changed():
        log.info("knowledge base: saved notes changed; %s notes loaded", kb.size)


def schedule(application: BotApplication) -> None:
    """Check every few seconds for notes saved meanwhile (SQLite). On PostgreSQL the knowledge base listens
    from the start (:func:`bot.knowledge.handlers.admin.load_at_startup`) on every instance, the leader's and
    the standby's alike (the standby's scheduled work waits for the leadership)."""
    if application.bot_data.settings.database_url.startswith("postgresql"):
        return
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: notes saved meanwhile are seen only after /reload")
        return
    queue.run_repeating(
        _check,
        interval=timedelta(seconds=CHECK_SECONDS),
        first=timedelta(seconds=CHECK_SECONDS),
        name=CHECK_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
