"""Training on PTB's JobQueue: a minute tick, a catch-up at start, and the quiz polls' sending.

Nothing is kept in memory between runs: each run sends again the polls a dead process left ``sending``
(flagged), moves the lessons on whose message the outbox delivered, claims the lessons due now
(``service.lessons``) and sends the quiz polls that are due, each claimed in the database right before its
request. When the outbox finishes a lesson's message, its listener runs the same work at once, so the next
message or the quiz follows within seconds. Job names are stable, and scheduling again replaces the jobs; a
catch-up run at start does whatever fell due while the bot was down.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from telegram import Poll
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import utcnow
from bot.config import Settings
from bot.context import BotApplication, BotContext
from bot.delivery.sender import Progress, retry_after_seconds
from bot.http import request_was_not_sent
from bot.training import service
from bot.training.catalog import Catalog, load_catalog
from bot.training.models import QuizPoll

log = logging.getLogger(__name__)

TICK_JOB = "training:tick"
CATCH_UP_JOB = "training:catch-up"
JOB_NAMES = (TICK_JOB, CATCH_UP_JOB)
POLL_CONCURRENCY = 8
"""People whose polls are sent at the same time (each person's one after the other, in order)."""
RETRY_AFTER = timedelta(seconds=30)
"""A poll whose request failed on the network is tried again this much later (times the attempts)."""
PROCESS = uuid.uuid4().hex
"""This process, as the claimant of the polls it sends: a poll another process left ``sending`` was
interrupted by its death."""


class Sent(StrEnum):
    """What became of one poll's request, and so whether that person's next poll may go."""

    SENT = "sent"
    REFUSED = "refused"  # Telegram refused this poll: the next one may go
    WAIT = "wait"  # not claimed here, the person blocked the bot, or to be tried later: the next ones wait


@dataclass(frozen=True, slots=True)
class Run:
    """What one run did."""

    advanced: service.Advanced
    started: int
    polls: int


def office(settings: Settings) -> service.Office:
    return service.Office(settings.tz, settings.default_language, frozenset(settings.admin_ids))


class Work:
    """Training's scheduled work for one running bot; one run at a time."""

    def __init__(self, application: BotApplication) -> None:
        self.application = application
        self.lock = asyncio.Lock()
        self._problems: tuple[str, ...] = ()
        self._wanted = False  # a run asked for by the outbox's listener is waiting for the lock

    def catalog(self) -> Catalog:
        """The plans and notes now; problems of the plan files are logged when they change."""
        catalog = load_catalog(self.application.bot_data.knowledge)
        problems = tuple(str(problem) for problem in catalog.problems)
        if problems != self._problems:
            for problem in problems:
                log.warning("training plan: %s", problem)
            self._problems = problems
        return catalog

    async def run(self, now: datetime | None = None) -> Run:
        """Move lessons on, claim the due ones, send the due polls."""
        data = self.application.bot_data
        async with self.lock:
            self._wanted = False
            now = now or utcnow()
            catalog, where = self.catalog(), office(data.settings)
            async with data.db() as session:
                recovered = await service.recover(session, PROCESS)
            if recovered:
                log.warning("%d quiz polls were interrupted by a restart and are sent again", recovered)
            async with data.db() as session:
                advanced = await service.advance_lessons(session, catalog, where, now)
            async with data.db() as session:
                started = await service.start_due_lessons(session, catalog, where, now)
            if started or advanced.queued or advanced.ready:
                data.sender.wake()
            sent = await send_due_polls(self.application, now)
        if started or sent or advanced.undelivered:
            log.info(
                "training: %d lessons started, %d messages queued, %d polls sent, %d lessons not delivered",
                started,
                advanced.queued,
                sent,
                advanced.undelivered,
            )
        return Run(advanced, started, sent)

    async def on_progress(self, progress: Progress) -> None:
        """A lesson's message was delivered (or not): move its lesson on now rather than at the next tick.
        Many messages finishing together ask for one run (a run moves every lesson on)."""
        if (
            progress.finished
            and (progress.campaign.ref or "").startswith(service.LESSON_REF)
            and self.application.running
            and not self._wanted
        ):
            self._wanted = True
            self.application.create_task(self.run(), name="training-advance")


async def send_due_polls(application: BotApplication, now: datetime | None = None) -> int:
    """Send every poll due now: each person's in order, a few people at a time; how many went out."""
    async with application.bot_data.db() as session:
        due = await service.due_polls(session, now=now)
    by_chat: dict[int, list[int]] = defaultdict(list)
    for poll in due:
        by_chat[poll.chat_id].append(poll.id or 0)
    slots = asyncio.Semaphore(POLL_CONCURRENCY)
    sent = 0

    async def one_chat(ids: list[int]) -> None:
        nonlocal sent
        async with slots:
            for poll_id in ids:
                try:
                    outcome = await send_quiz_poll(application, poll_id)
                except Exception:  # one person's polls never hold back the others'
                    log.exception("quiz poll %s could not be sent", poll_id)
                    return
                sent += outcome == Sent.SENT
                if outcome == Sent.WAIT:
                    return

    await asyncio.gather(*(one_chat(ids) for ids in by_chat.values()))
    return sent


async def send_quiz_poll(application: BotApplication, poll_id: int) -> Sent:
    """Claim and send one poll as a Telegram quiz (not anonymous, so that its answers reach the bot)."""
    data = application.bot_data
    async with data.db() as session:
        poll = await service.claim(session, poll_id, by=PROCESS)
    if poll is None:
        return Sent.WAIT
    try:
        message = await application.bot.send_poll(
            poll.chat_id,
            poll.question,
            poll.options,
            is_anonymous=False,
            type=Poll.QUIZ,
            correct_option_ids=[poll.correct_option],
            explanation=poll.explanation or None,
        )
    except Forbidden as exc:
        async with data.db() as session:
            await service.mark_failed(session, poll_id, exc.message)
        return Sent.WAIT
    except RetryAfter as exc:
        await _retry(
            application, poll, utcnow() + timedelta(seconds=retry_after_seconds(exc)), str(exc), False
        )
        return Sent.WAIT
    except BadRequest as exc:
        log.warning("quiz poll %s refused: %s", poll_id, exc.message)
        async with data.db() as session:
            await service.mark_failed(session, poll_id, exc.message)
        return Sent.REFUSED
    except NetworkError as exc:
        maybe = not request_was_not_sent(exc)
        await _retry(application, poll, utcnow() + RETRY_AFTER * poll.attempts, exc.message, maybe)
        return Sent.WAIT
    except TelegramError as exc:
        async with data.db() as session:
            await service.mark_failed(session, poll_id, exc.message)
        return Sent.REFUSED
    assert message.poll is not None
    async with data.db() as session:
        await service.mark_sent(session, poll_id, message.poll.id, message.message_id)
    return Sent.SENT


async def _retry(application: BotApplication, poll: QuizPoll, at: datetime, error: str, maybe: bool) -> None:
    async with application.bot_data.db() as session:
        await service.mark_retry(session, poll, at, error, maybe_duplicate=maybe)


async def _tick_job(context: BotContext) -> None:
    assert context.job is not None
    work = context.job.data
    assert isinstance(work, Work)
    await work.run()


def schedule(application: BotApplication) -> Work:
    """(Re)create the training jobs under their stable names; the catch-up runs however late the bot starts."""
    work = Work(application)
    application.bot_data.sender.listen(service.KIND, work.on_progress)
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: training lessons are off")
        return work
    for name in JOB_NAMES:
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
    queue.run_custom(
        _tick_job,
        job_kwargs={
            "trigger": "cron",
            "second": 20,
            "misfire_grace_time": 50,
            "coalesce": True,
            "max_instances": 1,
        },
        name=TICK_JOB,
        data=work,
    )
    queue.run_once(_tick_job, when=2, name=CATCH_UP_JOB, data=work, job_kwargs={"misfire_grace_time": None})
    return work
