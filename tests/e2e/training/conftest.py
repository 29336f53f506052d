"""Training end to end: the real Application against the fake Bot API, on a controlled clock.

The clock is frozen with time-machine and moved by the tests; training's scheduled work is run at the moments
the tests choose (the minute tick would run it then), then again until nothing more is due: the outbox sends
a lesson's messages one after the other, and its quiz follows.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import col, select

from bot.app import BotApplication
from bot.delivery import service as delivery
from bot.delivery.models import Delivery, DeliveryState
from bot.people.models import Person
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from bot.training import scheduled
from bot.training.models import Enrolment, Lesson, LessonState, PollState, QuizPoll
from tests.e2e.conftest import ROOT, bot_settings, reply_to, running_bot

#: For every test module: Bot API 10.0 still sends ``correct_option_id`` beside ``correct_option_ids``, and
#: PTB 22.8 warns when it reads it.
QUIZ_WARNING = pytest.mark.filterwarnings(
    "ignore:.*`correct_option_id` is deprecated.*:telegram.warnings.PTBDeprecationWarning"
)

TZ = ZoneInfo("Asia/Shanghai")
HOLIDAY_EVE = date(2025, 10, 8)  # the last day of the National Day holiday (a Wednesday)
THURSDAY = date(2025, 10, 9)
FRIDAY = date(2025, 10, 10)
MAKEUP_SATURDAY = date(2025, 10, 11)  # a statutory make-up workday
MONDAY = date(2025, 10, 13)
SUNDAY = date(2025, 10, 12)
SATURDAY = date(2025, 10, 18)  # an ordinary weekend day
NATIONAL_DAY = date(2025, 10, 1)
DAY_ONE_QUESTIONS = 5  # the quiz of day 1 of knowledge/training/新员工.yaml


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    """A frozen clock the test moves with ``clock.move_to(at(day, "08:00"))``."""
    with time_machine.travel(at(HOLIDAY_EVE, "18:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A copy of the shipped notes and plans, for tests that add a plan of their own."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


@pytest.fixture
async def app(clock: Any, fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    async with running_bot(bot_settings(fake_bot_api, database_url)) as application:
        yield application


def work_of(app: BotApplication) -> scheduled.Work:
    """The training work the job queue runs."""
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name(scheduled.TICK_JOB)
    assert isinstance(job.data, scheduled.Work)
    return job.data


async def outbox_drained(app: BotApplication, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until the delivery outbox has sent everything due."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with app.bot_data.db() as session:
            due = await delivery.due_work(session, limit=1)
            in_flight = (
                await session.exec(select(Delivery.id).where(Delivery.state == DeliveryState.SENDING))
            ).first()
        if not due and in_flight is None:
            return
        assert asyncio.get_running_loop().time() < deadline, "the outbox did not send everything in time"
        await asyncio.sleep(0.01)


async def settle(app: BotApplication, api: FakeBotAPI, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Run training's work until nothing more is due now: every message out, every quiz poll sent (the
    outbox's listener may run the same work meanwhile; the database says when all is done)."""
    work = work_of(app)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await outbox_drained(app)
        run = await work.run()
        if not (run.started or run.polls or run.advanced.queued or run.advanced.quizzes) and not await _busy(
            app
        ):
            await api.wait_idle(quiet=0.05)
            return
        assert asyncio.get_running_loop().time() < deadline, "training's work did not settle"
        await asyncio.sleep(0.01)


async def _busy(app: BotApplication) -> bool:
    """Whether a lesson is still sending its messages, a poll still waits to go, or the outbox has work."""
    async with app.bot_data.db() as session:
        sending = (await session.exec(select(Lesson.id).where(Lesson.state == LessonState.NOTES))).first()
        waiting = (
            await session.exec(
                select(QuizPoll.id).where(col(QuizPoll.state).in_([PollState.PENDING, PollState.SENDING]))
            )
        ).first()
        due = await delivery.due_work(session, limit=1)
    return sending is not None or waiting is not None or bool(due)


async def tick(app: BotApplication, api: FakeBotAPI, clock: Any, moment: datetime) -> list[Call]:
    """Move the clock, run training's work until it settles; the messages and polls it sent, in order."""
    clock.move_to(moment)
    mark = api.mark()
    await settle(app, api)
    return [c for c in api.calls[mark:] if c.method in ("sendMessage", "sendPoll") and c.ok]


def to(calls: list[Call], user: FakeUser) -> list[Call]:
    return [c for c in calls if c.params["chat_id"] == user.id]


async def hire(api: FakeBotAPI, admin: FakeUser, user_id: int, name: str, **user: Any) -> FakeUser:
    """A new employee who redeems an admin's invite (and so becomes staff, and is enrolled)."""
    call = await reply_to(api, admin, f"/invite {name}")
    link = re.search(r"\?start=(\S+)", call.params["text"])
    assert link is not None
    newcomer = api.user(user_id, name, **user)
    welcome = await reply_to(api, newcomer, f"/start {link.group(1)}")
    assert "欢迎加入" in welcome.params["text"] or "Welcome" in welcome.params["text"], welcome.params["text"]
    return newcomer


async def enrolment(app: BotApplication, user: FakeUser) -> Enrolment | None:
    async with app.bot_data.db() as session:
        result = await session.exec(
            select(Enrolment)
            .join(Person, col(Person.id) == col(Enrolment.person_id))
            .where(Person.telegram_id == user.id)
        )
        return result.first()


async def polls_of(app: BotApplication, user: FakeUser) -> list[QuizPoll]:
    async with app.bot_data.db() as session:
        result = await session.exec(
            select(QuizPoll).where(QuizPoll.chat_id == user.id).order_by(col(QuizPoll.id))
        )
        return list(result.all())


async def answer(app: BotApplication, api: FakeBotAPI, user: FakeUser, poll: Call, option: int) -> None:
    """``user`` chooses ``option`` in a quiz poll the bot sent (a ``sendPoll`` call); returns once the bot
    recorded it and said what it had to say."""
    poll_id = poll.result["poll"]["id"]
    await recorded(app, poll_id, lambda row: row is not None)  # the bot knows the poll it sent
    await api.answer_poll(user, poll, [option])
    await recorded(app, poll_id, lambda row: row is not None and row.answered_at is not None)
    await api.wait_idle(quiet=0.1)


async def recorded(app: BotApplication, poll_id: str, condition: Callable[[QuizPoll | None], bool]) -> None:
    """Wait until the row of Telegram's poll ``poll_id`` meets ``condition``."""
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        async with app.bot_data.db() as session:
            row = (await session.exec(select(QuizPoll).where(QuizPoll.poll_id == poll_id))).first()
        if condition(row):
            return
        assert asyncio.get_running_loop().time() < deadline, f"poll {poll_id} is not as expected: {row}"
        await asyncio.sleep(0.01)


async def after_updates(api: FakeBotAPI, user: FakeUser) -> None:
    """Wait until the bot has handled every update of ``user`` so far (theirs are handled in order: a
    /learn after them is answered last)."""
    await reply_to(api, user, "/learn")


def right_option(poll: Call) -> int:
    return int(poll.params["correct_option_ids"][0])


def wrong_option(poll: Call) -> int:
    return 0 if right_option(poll) else 1


def day_after(day: date) -> date:
    return day + timedelta(days=1)
