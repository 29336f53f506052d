"""The application form: from the 我要报名 link of a village group or the ✍️ Apply button, five questions,
a summary, and the admins' alert; bad answers, cancelling, changing an answer, and jobs that close."""

from __future__ import annotations

from sqlmodel import select

from bot.app import BotApplication
from bot.jobs import service
from bot.jobs.buttons import Apply
from bot.jobs.models import JobApplication, PostingState
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, reply_to
from tests.e2e.jobs.conftest import seed, village_groups


async def test_an_application_in_a_minute(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await village_groups(api, admin)
    posting = await seed(jobs_bot, admin, title="电商客服", pay="3000-4500元/月")

    # A young mother in 三合村 taps the button: a private chat opens at the posting and the form starts.
    mei = api.user(7001, "小梅")
    mark = api.mark()
    await api.send_text(mei, f"/start job_{posting.id}")
    await api.wait_for(
        "sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark, chat_id=mei.id
    )
    detail = api.calls_to("sendMessage", since=mark, chat_id=mei.id)[0]
    assert "招聘：电商客服" in detail.params["text"] and buttons(detail.result) == []
    await reply_to(api, mei, "张小梅", expect="你的手机号是多少")
    keyboard = api.reply_keyboard(mei)
    assert keyboard is not None and keyboard["keyboard"][0][0].get("request_contact") is True
    mark = api.mark()
    await api.share_contact(mei, "+86 138 0013 8000")
    village_question = await api.wait_for("sendMessage", since=mark, chat_id=mei.id)
    assert "哪个村" in village_question.params["text"]
    shown = [b.get("text") for row in api.reply_keyboard(mei)["keyboard"] for b in row]
    assert "三合村" in shown and not any(
        b.get("request_contact") for row in api.reply_keyboard(mei)["keyboard"] for b in row
    )
    await reply_to(api, mei, "三合村", expect="什么时候能来上班")
    await reply_to(api, mei, "随时可以", expect="还有什么想告诉")
    summary = await reply_to(api, mei, "跳过", expect="请核对")
    assert "13800138000" in summary.params["text"] and "张小梅" in summary.params["text"]
    mark = api.mark()
    done = await reply_to(api, mei, "✅ 提交", expect="报名成功")
    assert "138****8000" in done.params["text"]
    assert api.reply_keyboard(mei) is None

    # The admins are alerted, without the phone number.
    alert = await api.wait_for(
        "sendMessage", lambda c: "新报名" in c.params["text"], since=mark, chat_id=ADMIN_ID
    )
    assert "13800138000" not in alert.params["text"] and "三合村" in alert.params["text"]
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert (row.phone, row.contact_shared) == ("13800138000", True)


async def test_the_group_link_starts_the_form_right_away(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    db = jobs_bot.bot_data.db
    posting = await seed(jobs_bot, admin, title="夜班客服")
    link = f"/start job_{posting.id}"

    # One tap in the village group: the posting (no button to tap again) and the first question at once.
    lan = api.user(7401, "小兰")
    mark = api.mark()
    await api.send_text(lan, link)
    await api.wait_for(
        "sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark, chat_id=lan.id
    )
    sent = api.calls_to("sendMessage", since=mark, chat_id=lan.id)
    assert "招聘：夜班客服" in sent[0].params["text"] and buttons(sent[0].result) == []
    assert "报名“夜班客服”" in sent[1].params["text"]
    assert api.reply_keyboard(lan) is not None

    # ✖ 取消 still leaves without sending anything; the link starts over.
    await reply_to(api, lan, "✖ 取消", expect="已取消，没有提交")
    assert api.reply_keyboard(lan) is None
    await reply_to(api, lan, link, expect="你叫什么名字")
    for answer, question in (
        ("王小兰", "手机号"),
        ("13700137000", "哪个村"),
        ("红崖村", "什么时候"),
        ("随时可以", "还有什么"),
    ):
        await reply_to(api, lan, answer, expect=question)
    await reply_to(api, lan, "跳过", expect="请核对")
    await reply_to(api, lan, "✅ 提交", expect="报名成功")
    async with db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert (row.posting_id, row.name, row.phone, row.village) == (
            posting.id,
            "王小兰",
            "13700137000",
            "红崖村",
        )

    # Following the link again says she applied before and offers to update.
    mark = api.mark()
    await api.send_text(lan, link)
    await api.wait_for(
        "sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark, chat_id=lan.id
    )
    assert any(
        "你之前报过名" in c.params["text"] for c in api.calls_to("sendMessage", since=mark, chat_id=lan.id)
    )
    await reply_to(api, lan, "/cancel", expect="已取消，没有提交")

    # A closed posting's link explains and asks nothing; plain text afterwards is not a form answer.
    async with db() as session:
        fresh = await service.get_posting(session, posting.id)
        assert fresh is not None
        await service.change_state(session, fresh, PostingState.CLOSED)
    ping = api.user(7402, "阿平")
    mark = api.mark()
    closed = await reply_to(api, ping, link, expect="不再接受报名")
    assert "已截止：</b>夜班客服" in closed.params["text"]
    assert all(b["text"] != "✍️ 我要报名" for b in buttons(closed.result))
    await reply_to(api, ping, "王平", expect="")
    assert not any(
        "你叫什么名字" in c.params.get("text", "") or "手机号" in c.params.get("text", "")
        for c in api.calls_to("sendMessage", since=mark, chat_id=ping.id)
    )
    assert api.reply_keyboard(ping) is None
    async with db() as session:
        assert len((await session.exec(select(JobApplication))).all()) == 1

    # /start without a payload still greets.
    await reply_to(api, ping, "/start", expect="你好")


async def test_bad_answers_are_explained_and_a_closed_job_takes_none(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    db = jobs_bot.bot_data.db
    posting = await seed(jobs_bot, admin)

    # A seeker applies; an invalid phone number is explained and asked again, nothing else is lost.
    ming = api.user(7101, "阿明")
    await reply_to(api, ming, f"/start job_{posting.id}", expect="你叫什么名字")
    await reply_to(api, ming, "李明", expect="手机号")
    again = await reply_to(api, ming, "12345", expect="不像是大陆手机号")
    assert "你的手机号是多少" in again.params["text"]
    mark = api.mark()
    await api.share_contact(ming, "+1 415 555 0100", first_name="Bob", user_id=424242)  # someone else's
    other = await api.wait_for("sendMessage", since=mark, chat_id=ming.id)
    assert "不是大陆手机号" in other.params["text"] and "你的手机号是多少" in other.params["text"]
    await reply_to(api, ming, "139-0013-9000", expect="哪个村")
    await reply_to(api, ming, "团结村", expect="什么时候")
    await reply_to(api, ming, "下周一", expect="还有什么")
    summary = await reply_to(api, ming, "只能白班", expect="请核对")
    assert "李明" in summary.params["text"] and "13900139000" in summary.params["text"]

    # Meanwhile the job closes: sending is refused politely, and the Apply button no longer leads anywhere.
    async with db() as session:
        fresh = await service.get_posting(session, posting.id)
        assert fresh is not None
        await service.change_state(session, fresh, PostingState.CLOSED)
    closed = await reply_to(api, ming, "✅ 提交", expect="停止报名")
    assert "/jobs" in closed.params["text"] and api.reply_keyboard(ming) is None
    mark = api.mark()
    await api.press_button(ming, 1, Apply(posting.id).pack(), strict=False)  # an old ✍️ 我要报名
    await api.wait_for("sendMessage", lambda c: "停止报名" in c.params["text"], since=mark, chat_id=ming.id)
    reopened_view = await reply_to(api, ming, f"/start job_{posting.id}", expect="不再接受报名")
    assert all(b["text"] != "✍️ 我要报名" for b in buttons(reopened_view.result))
    async with db() as session:
        assert (await session.exec(select(JobApplication))).all() == []


async def test_cancelling_and_changing_an_answer(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await seed(jobs_bot, admin)
    zhuoma = api.user(7301, "卓玛")
    listing = await reply_to(api, zhuoma, "/jobs", expect="正在招聘的岗位：1 个")
    mark = api.mark()
    await press(api, zhuoma, listing.result, text="仓库打包 · 120元/天")
    detail = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)

    # She starts, cancels once, then applies with a typed number.
    mark = api.mark()
    await press(api, zhuoma, detail.result, text="✍️ 我要报名")
    await api.wait_for("sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark)
    await reply_to(api, zhuoma, "卓玛", expect="手机号")
    await reply_to(api, zhuoma, "✖ 取消", expect="已取消，没有提交")
    assert api.reply_keyboard(zhuoma) is None
    mark = api.mark()
    await press(api, zhuoma, detail.result, text="✍️ 我要报名")
    await api.wait_for("sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark)
    for answer, question in (
        ("卓玛", "手机号"),
        ("+86 150-0000-2222", "哪个村"),
        ("三合村", "什么时候"),
        ("一周后", "还有什么"),
    ):
        await reply_to(api, zhuoma, answer, expect=question)
    summary = await reply_to(api, zhuoma, "跳过", expect="请核对")
    assert "15000002222" in summary.params["text"]

    # One answer changed from the summary.
    await reply_to(api, zhuoma, "✏️ 修改", expect="要修改哪一项")
    await reply_to(api, zhuoma, "可上班时间", expect="什么时候能来上班")
    summary = await reply_to(api, zhuoma, "下个月", expect="请核对")
    assert "下个月" in summary.params["text"] and "卓玛" in summary.params["text"]
    await reply_to(api, zhuoma, "✅ 提交", expect="报名成功")
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert (row.status, row.availability, row.contact_shared) == ("new", "下个月", False)
