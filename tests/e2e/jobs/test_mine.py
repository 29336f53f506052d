"""A job seeker's own things: alerts for new jobs, their applications (only theirs), withdrawing, and
``/forgetme``."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import SQLModel, select

import bot.models  # noqa: F401  (every table, for the privacy scan)
from bot.app import BotApplication
from bot.jobs import service
from bot.jobs.buttons import Withdraw
from bot.jobs.models import ApplicationStatus, JobApplication
from bot.people import service as people
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import press, reply_to
from tests.e2e.jobs.conftest import apply, refusal, seed, village_groups


async def test_alerts_for_new_jobs_in_ones_own_village(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await village_groups(api, admin, ("三合村", "团结村"), first_id=-300_001)

    # Two job seekers ask for alerts, each for their own village.
    zhuoma, ming = api.user(7301, "卓玛"), api.user(7302, "阿明")
    for seeker, village in ((zhuoma, "三合村"), (ming, "团结村")):
        menu = await reply_to(api, seeker, "/jobalerts", expect="有哪里的新岗位时提醒你")
        mark = api.mark()
        await press(api, seeker, menu.result, text=f"🏘 {village}")
        await api.wait_for(
            "editMessageText", lambda c, v=village: f"你会收到{v}的新岗位提醒" in c.params["text"], since=mark
        )
    async with jobs_bot.bot_data.db() as session:
        subscribed = await service.subscribers_for(session, ["三合村"])
        assert [p.telegram_id for p in subscribed] == [zhuoma.id]


async def test_a_seeker_sees_and_withdraws_her_application(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    posting = await seed(jobs_bot, admin)
    zhuoma = api.user(7301, "卓玛")
    await apply(api, zhuoma, posting.id, "卓玛", "15000002222", "三合村", "下个月", "跳过")
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        await service.set_status(session, row, ApplicationStatus.CONTACTED)

    # She sees her own application and withdraws it.
    mine = await reply_to(api, zhuoma, "/myapplications", expect="你的报名")
    assert "仓库打包" in mine.params["text"] and "已联系你" in mine.params["text"]
    mark = api.mark()
    await press(api, zhuoma, mine.result, text="↩️ 撤回：仓库打包")
    confirm = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    mark = api.mark()
    await press(api, zhuoma, confirm.result, text="确定撤回")
    after = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    assert "已撤回" in after.params["text"]
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert row.status == "withdrawn"


async def test_a_seeker_never_sees_anothers_application(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    open_job = await seed(jobs_bot, admin, title="夜班客服")
    async with jobs_bot.bot_data.db() as session:
        mei = await people.record_person(session, people.Profile(7201, "小梅"))
        mine = await service.submit_application(
            session, open_job.id, mei, service.ApplicationForm("张小梅", "13800138000", "三合村", "随时可以")
        )
    assert mine.application is not None
    ming = api.user(7101, "阿明")
    listing = await reply_to(api, ming, "/myapplications")
    assert "还没有报名" in listing.params["text"] and "张小梅" not in listing.params["text"]
    for confirmed in (False, True):
        answer = await refusal(api, ming, Withdraw(mine.application.id, confirmed).pack())
        assert answer["text"] == "这不是你的报名。"
    assert all("13800138000" not in c.params.get("text", "") for c in api.calls_to("*", chat_id=ming.id))
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert row.status == ApplicationStatus.NEW


async def test_forgetme_leaves_no_phone_number(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    db = jobs_bot.bot_data.db
    posting = await seed(jobs_bot, admin)
    xiaomei = api.user(7201, "小梅")
    await apply(api, xiaomei, posting.id, "张小梅", "13800138000", "三合村", "随时可以", "跳过")

    # Keeping it changes nothing; deleting leaves no phone number in the database.
    ask = await reply_to(api, xiaomei, "/forgetme", expect="删除")
    mark = api.mark()
    await press(api, xiaomei, ask.result, text="先不删")
    kept = await api.wait_for("editMessageText", since=mark, chat_id=xiaomei.id)
    assert "没有删除" in kept.params["text"]
    ask = await reply_to(api, xiaomei, "/forgetme", expect="删除")
    mark = api.mark()
    await press(api, xiaomei, ask.result, text="🗑 确定删除我的信息")
    gone = await api.wait_for("editMessageText", since=mark, chat_id=xiaomei.id)
    assert "已删除你的 1 条报名" in gone.params["text"]
    async with db() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.exec(text(f'SELECT * FROM "{table.name}"'))).all()  # type: ignore[call-overload]
            assert "13800138000" not in repr(rows), table.name
