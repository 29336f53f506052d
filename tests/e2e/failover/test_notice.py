"""The leader dies (SIGKILL) in the middle of a notice to 300 people; the standby takes over within 10 s and
finishes it: every person ends with exactly one copy, except those whose row was in flight at the kill —
flagged ``maybe_duplicate``, at most two copies. The fake server answers sends slowly, so that requests are
in flight at the moment of the kill."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import select

from bot.db import SessionFactory
from bot.delivery.models import Campaign, Delivery
from bot.delivery.payload import Payload
from bot.notices import service as notices
from bot.notices.audiences import default_registry
from bot.people import service as people
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI
from tests.e2e.failover.conftest import (
    all_sent,
    leader_and_standby,
    needs_postgresql,
    one_copy_each,
    taken_over,
)
from tests.e2e.processes import ADMIN_ID, BotProcesses

pytestmark = needs_postgresql

STAFF = range(7000, 7300)
KILL_AFTER = 80


async def queue_notice(db: SessionFactory, staff: Iterable[int] = STAFF) -> int:
    """A notice from the admin to every member of ``staff``, confirmed (its campaign queued); the campaign id."""
    staff = list(staff)
    async with db() as session:
        admin = await people.record_person(session, people.Profile(ADMIN_ID, "王经理"), admin_ids={ADMIN_ID})
        for telegram_id in staff:
            person = await people.record_person(session, people.Profile(telegram_id, f"员工{telegram_id}"))
            person.role = Role.STAFF
            session.add(person)
        await session.commit()
        notice = await notices.create_draft(session, admin, Payload(text="今晚七点系统升级，请提前保存工单"))
        campaign = await notices.confirm(
            session, notice, default_registry(), ack_label="✅ 收到", creator_telegram_id=ADMIN_ID
        )
        assert isinstance(campaign, Campaign) and campaign.id is not None and campaign.total == len(staff)
        return campaign.id


async def _rows(db: SessionFactory, campaign_id: int) -> list[Delivery]:
    async with db() as session:
        return list((await session.exec(select(Delivery).where(Delivery.campaign_id == campaign_id))).all())


async def test_leader_killed_mid_notice_the_standby_finishes_it_once_per_person(
    fake_bot_api: FakeBotAPI, database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    api = fake_bot_api
    api.user(ADMIN_ID, "王经理")
    for telegram_id in STAFF:
        api.user(telegram_id, f"员工{telegram_id}")
    api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    api.delay_next("sendMessage", 0.25, times=10_000)

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in STAFF)

    async with BotProcesses(api, database_url, tmp_path) as bots:
        leader, standby = await leader_and_standby(bots)
        campaign_id = await queue_notice(sessions)
        await api.wait_until(lambda: copies() >= KILL_AFTER, timeout=30, message="the leader to be sending")
        conflicts_before = [c for c in api.calls if c.method == "getUpdates" and c.status == 409]
        await leader.kill()
        killed = time.monotonic()
        at_kill = await _rows(sessions, campaign_id)
        takeover = await taken_over(standby, killed)
        sent_by_leader = {r.chat_id for r in at_kill if r.state == "sent"}
        assert sent_by_leader and len(sent_by_leader) < len(STAFF), "killed in the middle of the notice"

        rows = await all_sent(api, STAFF, lambda: _rows(sessions, campaign_id))
        assert standby.alive
        output = standby.output()

    assert conflicts_before == [], "the standby never polled getUpdates while the leader lived"
    flagged, duplicates = one_copy_each(api, STAFF, rows, sent_by_leader)
    assert "standby: instance a leads; waiting" in output
    assert "elected leader after" in output
    print(f"takeover {takeover:.1f} s, flagged {len(flagged)}, duplicates {len(duplicates)}")
