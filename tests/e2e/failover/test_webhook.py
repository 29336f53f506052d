"""With a webhook both instances take updates, and only the leader runs scheduled work and sends the outbox:
the standby answers a person at once but starts no sender while the leader lives; when the leader is killed
(SIGKILL) it is elected within 10 s and finishes the leader's notice, one copy per person except the flagged."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from sqlmodel import select

from bot.db import SessionFactory
from bot.delivery.models import Delivery
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import reply_to
from tests.e2e.failover.conftest import TAKEOVER_SECONDS, needs_postgresql
from tests.e2e.failover.test_notice import queue_notice
from tests.e2e.processes import ADMIN_ID, ELECTED, STANDBY, BotProcesses

pytestmark = needs_postgresql

STAFF = range(7000, 7060)
SENDER_STARTED = "delivery sender started"
LISTENING = "webhook listening"


def _webhook() -> dict[str, str]:
    """The webhook settings of one instance, on a port of its own."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return {
        "webhook_url": f"http://127.0.0.1:{port}/telegram",
        "webhook_listen": "127.0.0.1",
        "webhook_port": str(port),
        "webhook_secret": "s3cret-for-tests",
    }


async def test_with_a_webhook_the_standby_answers_but_only_the_leader_sends(
    fake_bot_api: FakeBotAPI, database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    api = fake_bot_api
    admin = api.user(ADMIN_ID, "王经理")
    for telegram_id in STAFF:
        api.user(telegram_id, f"员工{telegram_id}")
    api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in STAFF)

    async with BotProcesses(api, database_url, tmp_path) as bots:
        leader = await bots.start("a", **_webhook())
        await leader.wait_for_output(ELECTED, timeout=30)
        await leader.wait_for_output(LISTENING, timeout=30)
        standby = await bots.start("b", **_webhook())
        await standby.wait_for_output(STANDBY, timeout=30)
        await standby.wait_for_output(LISTENING, timeout=30)  # its setWebhook came last: updates go to it

        mark = len(api.webhook_deliveries)
        await reply_to(api, admin, "/help", timeout=15)
        assert api.webhook_deliveries[mark:], "the standby took the update through its webhook and answered"

        api.delay_next("sendMessage", 1.0, times=10_000)  # the leader is still sending when it is killed
        campaign_id = await queue_notice(sessions, STAFF)
        await api.wait_until(lambda: copies() >= 10, timeout=30, message="the leader to be sending")
        assert SENDER_STARTED not in standby.output(), "a standby starts no sender"
        await leader.kill()
        killed = time.monotonic()
        elected = await standby.wait_for_output(ELECTED, timeout=TAKEOVER_SECONDS + 10)
        assert elected - killed < TAKEOVER_SECONDS, standby.output()
        await standby.wait_for_output(SENDER_STARTED, timeout=10)

        await api.wait_until(lambda: all(api.accepted_sends[c] for c in STAFF), timeout=40)
        for _ in range(100):
            async with sessions() as session:
                query = select(Delivery).where(Delivery.campaign_id == campaign_id)
                rows = list((await session.exec(query)).all())
            if all(r.state == "sent" for r in rows):
                break
            await asyncio.sleep(0.1)

    counts = {c: api.accepted_sends[c] for c in STAFF}
    flagged = {r.chat_id for r in rows if r.maybe_duplicate}
    assert {r.state for r in rows} == {"sent"}
    assert all(1 <= n <= 2 for n in counts.values()), counts
    assert {c for c, n in counts.items() if n > 1} <= flagged
