"""Every form continues where it was: after the bot is killed and started again on the same database, and when
the person's next message reaches another instance of the bot.

The first bot is stopped as ``kill -9`` would stop it: whatever it had not written once its last update was
handled is lost, and PTB's own writing loop is slowed to an hour, so a step survives only if it was written
right after its update.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select
from telegram.ext import Application

from bot.app import BotApplication
from bot.clock import utcnow
from bot.config import Settings
from bot.delivery.sender import TelegramRateLimiter
from bot.jobs.handlers import application_form
from bot.jobs.models import JobApplication, JobPosting
from bot.knowledge.models import QueueState
from bot.notices.models import Notice
from bot.persistence import ptb
from bot.persistence.models import ConversationState, ConversationUserData
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, ROOT, bot_settings, reply_to, running_bot, staff
from tests.e2e.jobs.conftest import open_card, seed
from tests.e2e.knowledge.conftest import logged_questions

POLL_TIMEOUT = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def no_writing_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB's loop writes once an hour: only the writes right after each update count."""
    monkeypatch.setattr(ptb, "UPDATE_INTERVAL_SECONDS", 3600.0)


@pytest.fixture
def settings(fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path) -> Settings:
    return bot_settings(fake_bot_api, database_url, saved_notes_dir=tmp_path / "saved")


@contextlib.asynccontextmanager
async def started(settings: Settings) -> AsyncIterator[BotApplication]:
    """The bot as ``python -m bot run`` starts it, answering a person as fast as a test types."""
    async with running_bot(settings) as application:
        limiter = application.bot.rate_limiter
        if isinstance(limiter, TelegramRateLimiter):
            limiter.limiter.limits = dataclasses.replace(limiter.limiter.limits, private_per_second=0)
        yield application


async def _write_nothing(self: Application) -> None:  # type: ignore[type-arg]
    """A killed process writes nothing more."""


@contextlib.asynccontextmanager
async def killed_after(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotApplication]:
    """The bot; at the end of the block, once the updates it took are handled, it dies without writing."""
    with monkeypatch.context() as patch:
        async with started(settings) as application:
            yield application
            await asyncio.wait_for(application.update_queue.join(), 5)
            patch.setattr(Application, "update_persistence", _write_nothing)


async def hand_over(source: BotApplication, target: BotApplication) -> None:
    """Updates go to ``target`` from now on (as a load balancer, or a standby taking over, would do)."""
    assert source.updater is not None and target.updater is not None
    await asyncio.wait_for(source.update_queue.join(), 5)
    await source.updater.stop()
    await target.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)


async def open_forms(app: BotApplication) -> tuple[list[ConversationState], list[ConversationUserData]]:
    async with app.bot_data.db() as session:
        states = list((await session.exec(select(ConversationState))).all())
        answers = list((await session.exec(select(ConversationUserData))).all())
    return states, answers


# --- each form, across a kill -------------------------------------------------------------------------


async def test_the_application_form_continues_after_a_kill(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    mei = api.user(7001, "小梅")
    async with killed_after(settings, monkeypatch) as first:
        posting = await seed(first, admin, title="电商客服")
        await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")
        await reply_to(api, mei, "张小梅", expect="你的手机号是多少")
        await reply_to(api, mei, "13800138000", expect="哪个村")

    async with started(settings) as second:
        await reply_to(api, mei, "三合村", expect="什么时候能来上班")
        await reply_to(api, mei, "随时可以", expect="还有什么想告诉")
        summary = await reply_to(api, mei, "跳过", expect="请核对")
        assert "张小梅" in summary.params["text"] and "13800138000" in summary.params["text"]
        await reply_to(api, mei, "✅ 提交", expect="报名成功")
        await asyncio.wait_for(second.update_queue.join(), 5)
        async with second.bot_data.db() as session:
            [sent] = (await session.exec(select(JobApplication))).all()
        assert (sent.name, sent.phone, sent.village) == ("张小梅", "13800138000", "三合村")
        assert await open_forms(second) == ([], []), "a finished form leaves nothing behind"


async def test_the_posting_form_continues_after_a_kill(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    async with killed_after(settings, monkeypatch):
        await reply_to(api, admin, "/newjob", expect="岗位名称是什么")
        await reply_to(api, admin, "电商客服", expect="介绍这份工作")
        await reply_to(api, admin, "在星站用电脑回复海外买家的售后消息，有培训。", expect="要招几个人")

    async with started(settings) as second:
        await reply_to(api, admin, "2人", expect="工资待遇")
        for answer, question in (
            ("3000-4500元/月", "上班时间"),
            ("早班 8:00-16:00", "在哪里上班"),
            ("平安区星站 2楼", "有什么要求"),
            ("跳过", "报名截止到哪一天"),
        ):
            await reply_to(api, admin, answer, expect=question)
        await reply_to(api, admin, "12月31日", expect="招聘：电商客服")
        async with second.bot_data.db() as session:
            [posting] = (await session.exec(select(JobPosting))).all()
        assert (posting.title, posting.headcount, posting.pay) == ("电商客服", 2, "3000-4500元/月")


async def test_editing_a_postings_field_continues_after_a_kill(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    async with killed_after(settings, monkeypatch) as first:
        posting = await seed(first, admin, published=False, pay="120元/天")
        card = await open_card(api, admin, "📝 仓库打包 · 0")
        mark = api.mark()
        await api.press_button(admin, card.result, text="✏️ 修改")
        fields = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
        mark = api.mark()
        await api.press_button(admin, fields.result, text="工资待遇")
        await api.wait_for(
            "sendMessage", lambda c: "工资待遇" in c.params["text"], since=mark, chat_id=ADMIN_ID
        )

    async with started(settings) as second:
        await reply_to(api, admin, "150元/天", expect="已保存")
        async with second.bot_data.db() as session:
            edited = await session.get(JobPosting, posting.id)
        assert edited is not None and edited.pay == "150元/天"


async def test_the_notice_draft_continues_after_a_kill(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    async with killed_after(settings, monkeypatch):
        await reply_to(api, admin, "/notice")

    async with started(settings) as second:
        panel = await reply_to(api, admin, "明天上午10点全员培训，请准时到")
        assert "草稿" in panel.params["text"]
        async with second.bot_data.db() as session:
            [notice] = (await session.exec(select(Notice))).all()
        assert notice.summary == "明天上午10点全员培训，请准时到"


async def test_answering_a_queued_question_continues_after_a_kill(
    fake_bot_api: FakeBotAPI,
    database_url: str,
    tmp_path: Path,
    admin: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = fake_bot_api
    settings = bot_settings(
        api, database_url, knowledge_dir=ROOT / "knowledge", saved_notes_dir=tmp_path / "saved"
    )
    async with killed_after(settings, monkeypatch) as first:
        asker = await staff(first, api, 8001, "小梅")
        await reply_to(api, admin, "/start")
        await reply_to(
            api, asker, "公司有没有宿舍", expect="不想乱猜", timeout=15
        )  # a search, on a busy machine
        await reply_to(api, admin, "/unanswered", expect="1 个")
        item = await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: t.startswith("#"))
        mark = api.mark()
        await api.press_button(admin, item.result, text="✍️ 回答")
        await api.wait_for(
            "sendMessage", lambda c: "请发送" in c.params["text"], since=mark, chat_id=ADMIN_ID
        )

    async with started(settings) as second:
        mark = api.mark()
        await api.send_text(admin, "本站不提供宿舍，外村同事可以申请每月 300 元住房补贴。")
        delivered = await api.wait_for("sendMessage", since=mark, chat_id=asker.id, timeout=15)
        assert "住房补贴" in delivered.params["text"] and "管理员回答了你的问题" in delivered.params["text"]
        [question, *_] = await logged_questions(second)
        assert question.queue_state == QueueState.ANSWERED


async def test_waiting_for_the_workplace_location_continues_after_a_kill(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    async with killed_after(settings, monkeypatch):
        await reply_to(api, admin, "/workplace", expect="还没有设置工作地点")

    async with started(settings):
        mark = api.mark()
        await api.share_location(admin, 36.4840, 102.1040)
        saved = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
        assert "工作地点已保存" in saved.params["text"]


async def test_a_form_whose_timeout_passed_while_the_bot_was_down_is_closed(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    mei = api.user(7001, "小梅")
    async with killed_after(settings, monkeypatch) as first:
        posting = await seed(first, admin)
        await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")
        await reply_to(api, mei, "张小梅", expect="你的手机号是多少")

    async with started(settings) as second:
        # It was down for longer than the form waits (30 minutes).
        async with second.bot_data.db() as session:
            long_ago = utcnow() - application_form.FORM_TIMEOUT - timedelta(minutes=1)
            await session.exec(update(ConversationState).values(updated_at=long_ago))  # type: ignore[call-overload]
            await session.commit()
        closed = await reply_to(api, mei, "13800138000", expect="报名表已关闭")
        assert closed.params["text"] == "太久没有回答，报名表已关闭。再点一次“✍️ 我要报名”重新开始。"
        await asyncio.wait_for(second.update_queue.join(), 5)
        assert await open_forms(second) == ([], [])
        # A form that is still within its time is not touched by the closing of another.
        await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")
        await reply_to(api, mei, "张小梅", expect="你的手机号是多少")


async def test_a_form_left_alone_is_closed_on_time_and_forgotten(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application_form, "FORM_TIMEOUT", timedelta(seconds=1))
    api = fake_bot_api
    mei = api.user(7001, "小梅")
    async with started(settings) as bot:
        posting = await seed(bot, admin)
        await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")
        mark = api.mark()
        await reply_to(api, mei, "张小梅", expect="你的手机号是多少")
        await asyncio.wait_for(bot.update_queue.join(), 5)
        await bot.update_persistence()  # as PTB's loop does soon after: nothing is left to write
        await api.wait_for(
            "sendMessage", lambda c: "报名表已关闭" in c.params["text"], since=mark, chat_id=mei.id
        )
        for _ in range(20):  # written at once, not at PTB's next (hourly here) run
            if await open_forms(bot) == ([], []):
                break
            await asyncio.sleep(0.1)
        assert await open_forms(bot) == ([], [])


# --- two instances on one database ---------------------------------------------------------------------


async def test_a_form_continues_on_whichever_instance_gets_the_next_message(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    mei = api.user(7001, "小梅")
    async with started(settings) as standby:
        assert standby.updater is not None
        await standby.updater.stop()  # started with everything else, but the other one takes the updates
        async with started(settings) as active:
            posting = await seed(active, admin, title="电商客服")
            await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")
            await reply_to(api, mei, "张小梅", expect="你的手机号是多少")

            await hand_over(active, standby)  # the standby read the forms before any of this
            await reply_to(api, mei, "13800138000", expect="哪个村")
            await reply_to(api, mei, "三合村", expect="什么时候能来上班")

            await hand_over(standby, active)  # back: the first one's memory is two steps behind
            await reply_to(api, mei, "随时可以", expect="还有什么想告诉")
            summary = await reply_to(api, mei, "跳过", expect="请核对")
            assert "13800138000" in summary.params["text"] and "三合村" in summary.params["text"]
            await reply_to(api, mei, "✅ 提交", expect="报名成功")
            async with active.bot_data.db() as session:
                [sent] = (await session.exec(select(JobApplication))).all()
            assert (sent.name, sent.phone, sent.village, sent.availability) == (
                "张小梅",
                "13800138000",
                "三合村",
                "随时可以",
            )
        await standby.updater.start_polling(
            poll_interval=0, timeout=POLL_TIMEOUT
        )  # so that it stops as usual


async def test_a_timer_of_the_instance_that_lost_the_form_says_nothing(
    settings: Settings, fake_bot_api: FakeBotAPI, admin: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application_form, "FORM_TIMEOUT", timedelta(seconds=4))
    api = fake_bot_api
    mei = api.user(7001, "小梅")
    closed = "报名表已关闭"
    async with started(settings) as standby:
        assert standby.updater is not None
        await standby.updater.stop()
        async with started(settings) as active:
            posting = await seed(active, admin)
            await reply_to(api, mei, f"/start job_{posting.id}", expect="你叫什么名字")  # active's timer: 4 s
            await hand_over(active, standby)
            await asyncio.sleep(2.5)
            mark, answered = api.mark(), asyncio.get_running_loop().time()
            await reply_to(api, mei, "张小梅", expect="你的手机号是多少")  # the standby's timer: 4 s from now
            # The active instance's timer fires first (1.5 s from now): the form moved on elsewhere, so it is not
            # due and says nothing. The standby's closes the form 4 s after the answer it took.
            told = await api.wait_for(
                "sendMessage", lambda c: closed in c.params["text"], since=mark, chat_id=mei.id, timeout=8
            )
            assert asyncio.get_running_loop().time() - answered > 3, "closed by the timer of the earlier step"
            assert told.params["text"].startswith("太久没有回答")
            await asyncio.sleep(1.0)
            assert (
                len(api.calls_to("sendMessage", since=mark, chat_id=mei.id, text=lambda t: closed in t)) == 1
            )
            assert await open_forms(standby) == ([], [])
            await hand_over(standby, active)
        await standby.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)
