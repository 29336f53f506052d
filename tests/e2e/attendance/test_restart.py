"""A crash in the middle of a reminder wave: ``python -m bot run`` is killed (SIGKILL) and started again.

A shift whose check-in window is open right now (by the real clock: the bot runs in its own process, where
no test clock reaches) has 300 staff on it, written to the database before the bot starts; its start-up
catch-up decides the reminders. Every member of staff must end with the reminder and its 签到 button;
a second copy only where the row was ``sending`` when the process died, and exactly those rows flagged
``maybe_duplicate``. The fake server answers slowly, so that requests are in flight at the kill.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.pool import NullPool
from sqlmodel import col, select

from bot.attendance import outbox, service
from bot.attendance.buttons import CheckInNow
from bot.attendance.schedule import ShiftDraft
from bot.clock import utcnow
from bot.db import SessionFactory, create_engine, create_session_factory, upgrade_database
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, Delivery
from bot.people.models import Person, Role
from bot.playground.botapi import FakeBotAPI
from tests.e2e.processes import ADMIN_ID as ADMIN
from tests.e2e.processes import BotProcesses

TZ = ZoneInfo("Asia/Shanghai")
STAFF = range(7000, 7300)
ENGLISH = set(STAFF[::5])
KILL_AFTER = 80


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[tuple[str, SessionFactory]]:
    engine = create_engine(database_url, poolclass=NullPool)
    await upgrade_database(engine)
    yield database_url, create_session_factory(engine)
    await engine.dispose()


async def shift_open_now(
    db: SessionFactory, staff: Iterable[int] = STAFF, english: set[int] = ENGLISH
) -> None:
    """``staff`` (300) on a shift starting in 20 minutes, check-in open since 10 minutes, every day, holidays
    too: its reminder wave is due as soon as a bot starts. Those in ``english`` speak English."""
    local = utcnow().astimezone(TZ)
    start = (local.hour * 60 + local.minute + 20) % 1440
    end = (start + 8 * 60) % 1440 or 1440
    async with db() as session:
        people = [
            Person(
                telegram_id=telegram_id,
                first_name=f"员工{telegram_id}",
                telegram_language="en" if telegram_id in english else "zh-hans",
                role=Role.STAFF,
            )
            for telegram_id in staff
        ]
        session.add_all(people)
        await session.commit()
        shift, _created = await service.save_shift(
            session, ShiftDraft("售后", start, end, "1234567", 30, 5, 60, on_holidays=True)
        )
        for person in people:
            await service.assign(session, shift, person, local.date() - timedelta(days=1))


WAVE = f"{outbox.KIND}:window_open:"


async def wave_rows(db: SessionFactory) -> list[Delivery]:
    """The rows of the reminder waves."""
    async with db() as session:
        result = await session.exec(select(Delivery).join(Campaign).where(col(Campaign.ref).startswith(WAVE)))
        return list(result.all())


async def waves(db: SessionFactory) -> list[Campaign]:
    async with db() as session:
        return [
            c
            for c in await delivery.list_campaigns(session, kind=outbox.KIND)
            if (c.ref or "").startswith(WAVE)
        ]


async def test_killed_mid_wave_every_reminder_arrives_once_but_those_in_flight(
    fake_bot_api: FakeBotAPI, db: tuple[str, SessionFactory], tmp_path: Path
) -> None:
    api = fake_bot_api
    url, sessions = db
    api.user(ADMIN, "王经理")
    for telegram_id in STAFF:
        api.user(
            telegram_id, f"员工{telegram_id}", language_code="en" if telegram_id in ENGLISH else "zh-hans"
        )
    api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    api.delay_next("sendMessage", 0.25, times=10_000)
    started = datetime.now(TZ)
    await shift_open_now(sessions)

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in STAFF)

    async with BotProcesses(api, url, tmp_path, timezone=str(TZ)) as bots:
        first = await bots.start("first")
        await api.wait_until(lambda: copies() >= KILL_AFTER, timeout=60, message="reminders going out")
        await first.kill()  # SIGKILL: no shutdown, no cleanup
    await asyncio.sleep(0.5)  # requests that were in flight reach the fake
    rows = await wave_rows(sessions)
    assert len(rows) == len(STAFF), "every reminder was queued before the first was sent"
    window = {r.chat_id for r in rows if r.state == "sending"}
    sent_before = {r.chat_id for r in rows if r.state == "sent"}
    assert sent_before and len(sent_before) < len(STAFF), "killed in the middle of the wave"
    assert all(api.accepted_sends[c] == 1 for c in sent_before)
    assert {c for c in STAFF if api.accepted_sends[c]} <= sent_before | window

    async with BotProcesses(api, url, tmp_path, timezone=str(TZ)) as bots:
        second = await bots.start("second")
        await api.wait_until(lambda: all(api.accepted_sends[c] for c in STAFF), timeout=90)
        for _ in range(200):
            rows = await wave_rows(sessions)
            if all(r.state == "sent" for r in rows):
                break
            await asyncio.sleep(0.1)
        await second.stop()

    assert {r.state for r in rows} == {"sent"}
    counts = {c: api.accepted_sends[c] for c in STAFF}
    duplicates = {c for c, n in counts.items() if n > 1}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    assert duplicates <= window, "a second copy only where the process died between send and mark"
    assert {r.chat_id for r in rows if r.maybe_duplicate} == window, "the audit shows the possible duplicates"
    assert len(await waves(sessions)) == 2, (
        "one wave per language, decided once: the restart queued nothing again"
    )
    for telegram_id in STAFF:
        messages = api.sent_messages(telegram_id)
        text = messages[-1]["text"]
        assert ("Check-in is open now" if telegram_id in ENGLISH else "现在可以签到") in text, text
        assert "售后" in text
        buttons = messages[-1]["reply_markup"]["inline_keyboard"]
        assert buttons[0][0]["callback_data"] == CheckInNow().pack()
    assert datetime.now(TZ) - started < timedelta(minutes=15), "still within the check-in window"
    print(
        f"in flight at the kill: {len(window)}, duplicates: {len(duplicates)}, rejected 429: {api.rejected_429}"
    )
