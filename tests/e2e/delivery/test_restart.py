"""A crash in the middle of a campaign: ``python -m bot run`` is killed (SIGKILL) and started again.

Every chat must end with exactly one copy, except chats whose row was ``sending`` when the process died —
the documented window between Telegram accepting a message and the row being marked ``sent``. The fake
server answers every send slowly here, so that requests are in flight at the moment of the kill and the
window is really exercised.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.pool import NullPool
from sqlmodel import select

from bot.db import SessionFactory, create_engine, create_session_factory, upgrade_database
from bot.delivery.models import Campaign, Delivery
from bot.delivery.payload import Payload
from bot.notices import service as notices
from bot.notices.audiences import default_registry
from bot.people import service as people
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI
from tests.e2e.processes import ADMIN_ID as ADMIN
from tests.e2e.processes import BotProcesses

STAFF = range(7000, 7060)
GROUPS = range(-8000, -8010, -1)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[tuple[str, SessionFactory]]:
    engine = create_engine(database_url, poolclass=NullPool)
    await upgrade_database(engine)
    yield database_url, create_session_factory(engine)
    await engine.dispose()


async def _queue_notice(db: SessionFactory) -> int:
    async with db() as session:
        admin = await people.record_person(session, people.Profile(ADMIN, "王经理"), admin_ids={ADMIN})
        for telegram_id in STAFF:
            person = await people.record_person(session, people.Profile(telegram_id, f"员工{telegram_id}"))
            person.role = Role.STAFF
            session.add(person)
        await session.commit()
        for chat_id in GROUPS:
            await people.record_group(
                session, chat_id, title=f"村群{chat_id}", chat_type="group", active=True
            )
        notice = await notices.create_draft(session, admin, Payload(text="明天上午10点全员培训，请准时到"))
        await notices.toggle_audience(session, notice, "groups")
        campaign = await notices.confirm(
            session, notice, default_registry(), ack_label="✅ 收到", creator_telegram_id=ADMIN
        )
        assert isinstance(campaign, Campaign) and campaign.id is not None and campaign.total == 70
        return campaign.id


async def _rows(db: SessionFactory, campaign_id: int) -> list[Delivery]:
    async with db() as session:
        return list((await session.exec(select(Delivery).where(Delivery.campaign_id == campaign_id))).all())


async def test_killed_mid_campaign_resumes_with_one_copy_per_chat(
    fake_bot_api: FakeBotAPI, db: tuple[str, SessionFactory], tmp_path: Path
) -> None:
    api = fake_bot_api
    url, sessions = db
    api.user(ADMIN, "王经理")
    for telegram_id in STAFF:
        api.user(telegram_id, f"员工{telegram_id}")
    for chat_id in GROUPS:
        api.group(chat_id, f"村群{chat_id}")
    api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    api.delay_next("sendMessage", 0.25, times=10_000)
    campaign_id = await _queue_notice(sessions)
    chats = [*STAFF, *GROUPS]

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in chats)

    async with BotProcesses(api, url, tmp_path) as bots:
        first = await bots.start("first")
        await api.wait_until(lambda: copies() >= 25, timeout=60, message="the first run to be sending")
        await first.kill()  # SIGKILL: no shutdown, no cleanup
    await asyncio.sleep(0.5)  # requests that were in flight reach the fake
    rows = await _rows(sessions, campaign_id)
    window = {r.chat_id for r in rows if r.state == "sending"}
    sent_before = {r.chat_id for r in rows if r.state == "sent"}
    assert sent_before and len(sent_before) < len(chats), "killed in the middle of the campaign"
    assert all(api.accepted_sends[c] == 1 for c in sent_before)

    async with BotProcesses(api, url, tmp_path) as bots:
        second = await bots.start("second")
        await api.wait_until(lambda: all(api.accepted_sends[c] for c in chats), timeout=60)
        for _ in range(200):
            rows = await _rows(sessions, campaign_id)
            if all(r.state == "sent" for r in rows):
                break
            await asyncio.sleep(0.1)
        await second.stop()
        log_text = second.output()

    assert {r.state for r in rows} == {"sent"}
    counts = {c: api.accepted_sends[c] for c in chats}
    duplicates = {c for c, n in counts.items() if n > 1}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    assert duplicates <= window, "a second copy only where the process died between send and mark"
    assert {r.chat_id for r in rows if r.maybe_duplicate} == window, "the audit shows the possible duplicates"
    print(
        f"in flight at the kill: {len(window)}, duplicates: {len(duplicates)}, rejected 429: {api.rejected_429}"
    )
    if window:
        assert "interrupted by a restart" in log_text
