"""The jobs tick: a posting past its deadline is closed and its group copy edited."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApplication
from bot.clock import utcnow
from bot.jobs import scheduled, service
from bot.jobs.models import PostingState
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import buttons, reply_to
from tests.e2e.jobs.conftest import open_card, publish, seed, stored, village_groups


async def test_deadline_closes_the_posting_and_edits_the_group_copy(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    [group] = await village_groups(api, admin, ["三合村"], first_id=-200_001)
    posting = await seed(jobs_bot, admin, published=False)
    card = await open_card(api, admin, "📝 仓库打包 · 0")
    mark = await publish(api, admin, card, "📣 发布到全部村群（1 个）")  # waits for the "已发布" confirmation
    await api.wait_for("sendMessage", since=mark, chat_id=group.id)

    # The deadline passes; the scheduler closes the posting and the copy in the group is edited.
    async with jobs_bot.bot_data.db() as session:
        row = await service.get_posting(session, posting.id)
        assert row is not None
        row.closes_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        await session.commit()
    mark = api.mark()
    assert await scheduled.run_tick(jobs_bot) == (1, 0)
    await api.wait_for("editMessageText", since=mark, chat_id=group.id)
    copy = api.sent_messages(group)[-1]
    assert "已截止：仓库打包" in copy["text"] and buttons(copy) == []
    assert (await stored(jobs_bot, posting.id)).state == PostingState.CLOSED
    jobs = await reply_to(api, admin, "/jobs", expect="现在没有在招的岗位")
    assert "现在没有在招的岗位" in jobs.params["text"]


async def test_the_tick_is_scheduled_once(jobs_bot: BotApplication) -> None:
    assert jobs_bot.job_queue is not None
    scheduled.schedule(jobs_bot)  # again, as a restart of the scheduling would: it replaces the first
    [tick] = jobs_bot.job_queue.get_jobs_by_name(scheduled.TICK_JOB)
    assert tick.next_t is not None and tick.job.trigger.interval == timedelta(seconds=scheduled.TICK_SECONDS)
