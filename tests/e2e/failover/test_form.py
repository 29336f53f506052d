"""The leader dies (SIGKILL) while a job seeker is halfway through the application form; the standby takes
over within 10 s and the seeker finishes the form where they were: the next answer goes to the next step,
nothing is asked twice, and the application holds every answer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace

from sqlmodel import select

from bot.db import SessionFactory
from bot.jobs.models import JobApplication, JobPosting
from bot.persistence.models import ConversationUserData
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import reply_to
from tests.e2e.failover.conftest import leader_and_standby, needs_postgresql, taken_over
from tests.e2e.jobs.conftest import seed
from tests.e2e.processes import ADMIN_ID, BotProcesses

pytestmark = needs_postgresql


async def _posting(sessions: SessionFactory, admin: object) -> JobPosting:
    """An open posting, written to the database the bots share."""
    return await seed(SimpleNamespace(bot_data=SimpleNamespace(db=sessions)), admin, title="电商客服")  # type: ignore[arg-type]


async def _answers_stored(sessions: SessionFactory, user_id: int, text: str) -> bool:
    async with sessions() as session:
        row = await session.get(ConversationUserData, user_id, populate_existing=True)
        return row is not None and text in row.data


async def test_leader_killed_mid_application_the_seeker_finishes_where_they_were(
    fake_bot_api: FakeBotAPI, database_url: str, sessions: SessionFactory, tmp_path: Path
) -> None:
    api = fake_bot_api
    admin = api.user(ADMIN_ID, "王经理")
    mei = api.user(7001, "小梅")
    posting = await _posting(sessions, admin)

    async with BotProcesses(api, database_url, tmp_path) as bots:
        leader, standby = await leader_and_standby(bots)
        await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字", timeout=15)
        await reply_to(api, mei, "张小梅", expect="你的手机号是多少", timeout=15)
        await reply_to(api, mei, "13800138000", expect="哪个村", timeout=15)
        for _ in range(50):  # the step is written right after the update is handled
            if await _answers_stored(sessions, mei.id, "13800138000"):
                break
            await asyncio.sleep(0.1)

        await leader.kill()
        killed = time.monotonic()
        mark = api.mark()
        await api.send_text(mei, "三合村")  # typed while nobody leads: waits at Telegram for the next poller
        takeover = await taken_over(standby, killed)
        await api.wait_for(
            "sendMessage",
            lambda c: "什么时候能来上班" in str(c.params["text"]),
            since=mark,
            chat_id=mei.id,
            timeout=15,
        )
        await reply_to(api, mei, "随时可以", expect="还有什么想告诉", timeout=15)
        summary = await reply_to(api, mei, "跳过", expect="请核对", timeout=15)
        assert "张小梅" in summary.params["text"] and "13800138000" in summary.params["text"]
        await reply_to(api, mei, "✅ 提交", expect="报名成功", timeout=15)
        asked = [str(c.params.get("text")) for c in api.calls_to("sendMessage", since=mark, chat_id=mei.id)]
        assert not any("你叫什么名字" in t or "你的手机号是多少" in t for t in asked), "nothing asked twice"

    async with sessions() as session:
        [sent] = (await session.exec(select(JobApplication))).all()
    assert (sent.name, sent.phone, sent.village, sent.posting_id) == (
        "张小梅",
        "13800138000",
        "三合村",
        posting.id,
    )
    print(f"takeover {takeover:.1f} s")
