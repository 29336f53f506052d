"""A crash in the middle of a reminder wave: ``python -m bot run`` is killed (SIGKILL) and started again.

A shift whose check-in window is open right now (by the real clock: the bot runs in its own process, where
no test clock reaches) has 300 staff on it, written to the database before the bot starts; its start-up
catch-up decides the reminders. Every member of staff must end with the reminder and its 签到 button;
a second copy only where the row was ``sending`` when the process died, and exactly those rows flagged
``maybe_duplicate``. The fake server answers slowly, so that requests are in flight at the kill.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
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

ROOT = Path(__file__).resolve().parents[3]
TZ = ZoneInfo("Asia/Shanghai")
ADMIN = 900_001
STAFF = range(7000, 7300)
ENGLISH = set(STAFF[::5])
KILL_AFTER = 80


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[tuple[str, SessionFactory]]:
    engine = create_engine(database_url, poolclass=NullPool)
    await upgrade_database(engine)
    yield database_url, create_session_factory(engine)
    await engine.dispose()


async def _start(api: FakeBotAPI, database_url: str, log: IO[bytes]) -> asyncio.subprocess.Process:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "DATABASE_", "ADMIN_", "WEBHOOK_", "TIMEZONE"))
    }
    env.update(
        BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=database_url,
        ADMIN_IDS=str(ADMIN),
        TIMEZONE=str(TZ),
        KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="INFO",
    )
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=log, stderr=log
    )


async def _shift_open_now(db: SessionFactory) -> None:
    """300 staff on a shift starting in 20 minutes, check-in open since 10 minutes, every day, holidays too."""
    local = utcnow().astimezone(TZ)
    start = (local.hour * 60 + local.minute + 20) % 1440
    end = (start + 8 * 60) % 1440 or 1440
    async with db() as session:
        people = [
            Person(
                telegram_id=telegram_id,
                first_name=f"员工{telegram_id}",
                telegram_language="en" if telegram_id in ENGLISH else "zh-hans",
                role=Role.STAFF,
            )
            for telegram_id in STAFF
        ]
        session.add_all(people)
        await session.commit()
        shift, _created = await service.save_shift(
            session, ShiftDraft("售后", start, end, "1234567", 30, 5, 60, on_holidays=True)
        )
        for person in people:
            await service.assign(session, shift, person, local.date() - timedelta(days=1))


WAVE = f"{outbox.KIND}:window_open:"


async def _rows(db: SessionFactory) -> list[Delivery]:
    """The rows of the reminder waves."""
    async with db() as session:
        result = await session.exec(select(Delivery).join(Campaign).where(col(Campaign.ref).startswith(WAVE)))
        return list(result.all())


async def _waves(db: SessionFactory) -> list[Campaign]:
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
    await _shift_open_now(sessions)

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in STAFF)

    with (tmp_path / "first.log").open("wb") as log:
        first = await _start(api, url, log)
        try:
            await api.wait_until(lambda: copies() >= KILL_AFTER, timeout=60, message="reminders going out")
        finally:
            first.kill()  # SIGKILL: no shutdown, no cleanup
            await first.wait()
    await asyncio.sleep(0.5)  # requests that were in flight reach the fake
    rows = await _rows(sessions)
    assert len(rows) == len(STAFF), "every reminder was queued before the first was sent"
    window = {r.chat_id for r in rows if r.state == "sending"}
    sent_before = {r.chat_id for r in rows if r.state == "sent"}
    assert sent_before and len(sent_before) < len(STAFF), "killed in the middle of the wave"
    assert all(api.accepted_sends[c] == 1 for c in sent_before)
    assert {c for c in STAFF if api.accepted_sends[c]} <= sent_before | window

    with (tmp_path / "second.log").open("wb") as log:
        second = await _start(api, url, log)
        try:
            await api.wait_until(lambda: all(api.accepted_sends[c] for c in STAFF), timeout=90)
            for _ in range(200):
                rows = await _rows(sessions)
                if all(r.state == "sent" for r in rows):
                    break
                await asyncio.sleep(0.1)
        finally:
            second.terminate()
            await second.wait()

    assert {r.state for r in rows} == {"sent"}
    counts = {c: api.accepted_sends[c] for c in STAFF}
    duplicates = {c for c, n in counts.items() if n > 1}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    assert duplicates <= window, "a second copy only where the process died between send and mark"
    assert {r.chat_id for r in rows if r.maybe_duplicate} == window, "the audit shows the possible duplicates"
    assert len(await _waves(sessions)) == 2, (
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
