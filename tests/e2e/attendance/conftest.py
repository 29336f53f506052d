"""Shift attendance end to end: the real Application against the fake Bot API, on a controlled clock.

The clock is frozen with time-machine and moved by the tests; the scheduler's jobs are run by their
stable names at the moments the tests choose (the JobQueue would run them at the same moments).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import select

from bot.app import BotApplication
from bot.attendance import scheduled
from bot.attendance.buttons import Decide
from bot.attendance.models import AttendanceRecord, AttendanceRequest
from bot.delivery import service as delivery
from bot.delivery.models import Delivery, DeliveryState
from bot.people.models import Person
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot, staff

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
FRIDAY = date(2025, 10, 17)  # the Saturday after it is an ordinary weekend day
NATIONAL_DAY = date(2025, 10, 1)
MAKEUP_SUNDAY = date(2025, 9, 28)


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    """A frozen clock the test moves with ``clock.move_to(at(day, "08:00"))``."""
    with time_machine.travel(at(THURSDAY - timedelta(days=1), "18:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
async def app(clock: Any, fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    async with running_bot(bot_settings(fake_bot_api, database_url)) as application:
        yield application


async def staff_members(
    app: BotApplication, api: FakeBotAPI, *names: str, english: bool = False
) -> list[FakeUser]:
    """Staff members with usernames ``s<n>`` and ids 5000+n."""
    language = "en" if english else "zh-hans"
    return [
        await staff(app, api, 5000 + n, name, username=f"s{n}", language_code=language)
        for n, name in enumerate(names, start=1)
    ]


async def second_admin(app: BotApplication, api: FakeBotAPI) -> FakeUser:
    """An admin promoted in the database (not in ADMIN_IDS) who reads the bot in English."""
    return await staff(
        app, api, 900_002, "赵主管", role="admin", username="supervisor_zhao", language_code="en"
    )


async def define_shift(api: FakeBotAPI, admin: FakeUser, definition: str, *people: FakeUser) -> None:
    answer = await reply_to(api, admin, f"/newshift {definition}")
    assert "班次已创建" in answer.params["text"], answer.params["text"]
    name = definition.split()[0]
    refs = " ".join(f"@{u.username}" for u in people)
    # (Waiting for the answer that names the shift: the outbox may write to the admin meanwhile.)
    answer = await reply_to(api, admin, f"/assign {name} {refs} 2025-09-01", expect=name)
    assert all(u.first_name in answer.params["text"] for u in people), answer.params["text"]


async def outbox_drained(app: BotApplication, api: FakeBotAPI, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait until the delivery outbox has sent everything due (the scheduler's messages go through it)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with app.bot_data.db() as session:
            due = await delivery.due_work(session, limit=1)
            in_flight = (
                await session.exec(select(Delivery.id).where(Delivery.state == DeliveryState.SENDING))
            ).first()
        if not due and in_flight is None:
            break
        assert asyncio.get_running_loop().time() < deadline, f"the outbox did not send in time: {due}"
        await asyncio.sleep(0.01)
    await api.wait_idle(quiet=0.02)


async def run_job(app: BotApplication, api: FakeBotAPI, name: str) -> None:
    """Run the scheduled job called ``name`` now and wait until its messages are out."""
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name(name)
    await job.run(app)
    await outbox_drained(app, api)


async def caught_up(app: BotApplication, api: FakeBotAPI) -> None:
    """Wait for the catch-up the bot runs as it starts, and its messages: running its work once more waits
    for it (the same lock, the summary claimed once) and finds nothing left to do."""
    await scheduled.run_tick(app)
    await scheduled.send_summary(app)
    await outbox_drained(app, api)


async def tick(app: BotApplication, api: FakeBotAPI, clock: Any, moment: datetime) -> list[Call]:
    """Move the clock and run the scheduler's job; the messages it sent."""
    clock.move_to(moment)
    mark = api.mark()
    await run_job(app, api, scheduled.TICK_JOB)
    return [c for c in api.calls_to("sendMessage", since=mark)]


def texts_to(calls: list[Call], user: FakeUser) -> list[str]:
    return [c.params["text"] for c in calls if c.params["chat_id"] == user.id]


async def records(app: BotApplication) -> dict[tuple[str, date], AttendanceRecord]:
    async with app.bot_data.db() as session:
        rows = await session.exec(select(AttendanceRecord, Person).join(Person))
        return {(person.first_name, record.work_date): record for record, person in rows.all()}


async def request_status(app: BotApplication, request_id: int) -> str:
    async with app.bot_data.db() as session:
        request = await session.get(AttendanceRequest, request_id)
        assert request is not None
        return request.status


def last_with_button(api: FakeBotAPI, user: FakeUser, data: str) -> dict[str, Any]:
    """The latest message to ``user`` with a button whose callback data is ``data``."""
    for message in reversed(api.sent_messages(user)):
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        if any(b.get("callback_data") == data for row in rows for b in row):
            return message
    raise AssertionError(f"no message with a {data} button for {user.first_name}")


async def leave_cards(api: FakeBotAPI, li: FakeUser, zhao: FakeUser, day: str) -> tuple[Call, Call]:
    """小李 asks for leave; the card each admin got (王经理's in Chinese, 赵主管's in English)."""
    await reply_to(api, li, f"/leave {day} 看病")
    mine = await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)
    theirs = await api.wait_for("sendMessage", chat_id=zhao.id, text=lambda t: "Leave #1" in t)
    for card in (mine, theirs):
        buttons = card.params["reply_markup"]["inline_keyboard"][0]
        assert [b["callback_data"] for b in buttons] == [Decide(1, True).pack(), Decide(1, False).pack()]
    return mine, theirs


def card_shown(api: FakeBotAPI, user: FakeUser, card: Call) -> dict[str, Any]:
    """The message ``card`` as ``user`` sees it now."""
    shown = api.message(user, card.result["message_id"])
    assert shown is not None
    return shown
