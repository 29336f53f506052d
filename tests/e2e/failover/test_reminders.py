"""The leader dies (SIGKILL) in the middle of a shift's reminder wave (300 staff whose check-in opened
minutes ago, decided by the leader's start-up catch-up); the standby takes over within 10 s. Nobody loses
the reminder, the wave is decided once, and a second copy goes only to those whose row was in flight at the
kill — flagged ``maybe_duplicate``."""

from __future__ import annotations

import time
from pathlib import Path

from bot.attendance.buttons import CheckInNow
from bot.db import SessionFactory
from bot.playground.botapi import FakeBotAPI
from tests.e2e.attendance.test_restart import ENGLISH, STAFF, TZ, shift_open_now, wave_rows, waves
from tests.e2e.failover.conftest import (
    all_sent,
    leader_and_standby,
    needs_postgresql,
    one_copy_each,
    taken_over,
)
from tests.e2e.processes import ADMIN_ID, BotProcesses

pytestmark = needs_postgresql


async def test_leader_killed_mid_reminder_wave_nobody_loses_a_reminder(
    fake_bot_api: FakeBotAPI, database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    api = fake_bot_api
    api.user(ADMIN_ID, "王经理")
    for telegram_id in STAFF:
        api.user(
            telegram_id, f"员工{telegram_id}", language_code="en" if telegram_id in ENGLISH else "zh-hans"
        )
    api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    api.delay_next("sendMessage", 0.25, times=10_000)
    await shift_open_now(sessions)

    def copies() -> int:
        return sum(api.accepted_sends[c] for c in STAFF)

    async with BotProcesses(api, database_url, tmp_path, timezone=str(TZ)) as bots:
        leader, standby = await leader_and_standby(bots)
        kill_after = copies() + 30  # the wave began with the leader's start; the standby is up now
        await api.wait_until(lambda: copies() >= kill_after, timeout=30, message="the wave going out")
        await leader.kill()
        killed = time.monotonic()
        at_kill = await wave_rows(sessions)
        sent_by_leader = {r.chat_id for r in at_kill if r.state == "sent"}
        assert len(at_kill) == len(STAFF), "every reminder was queued before the first was sent"
        assert sent_by_leader and len(sent_by_leader) < len(STAFF), "killed in the middle of the wave"
        takeover = await taken_over(standby, killed)

        rows = await all_sent(api, STAFF, lambda: wave_rows(sessions))
        assert standby.alive

    flagged, duplicates = one_copy_each(api, STAFF, rows, sent_by_leader)
    assert len(await waves(sessions)) == 2, "one wave per language, decided once: the takeover queued none"
    for telegram_id in STAFF:
        message = api.sent_messages(telegram_id)[-1]
        assert ("Check-in is open now" if telegram_id in ENGLISH else "现在可以签到") in message["text"]
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == CheckInNow().pack()
    print(f"takeover {takeover:.1f} s, flagged {len(flagged)}, duplicates {len(duplicates)}")
