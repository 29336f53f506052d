"""Jobs end to end through the fake Bot API: a posting announced to village groups, an application in a
minute, the admin's follow-up, and the refusals."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import SQLModel, select

import bot.models  # noqa: F401  (every table, for the privacy scan)
from bot.app import BotApplication
from bot.clock import utcnow
from bot.jobs import handlers as jobs_handlers
from bot.jobs import service
from bot.jobs.models import JobApplication, JobPosting, PostingState
from bot.people import service as people
from bot.people.models import Role
from tests.e2e.conftest import ADMIN_ID, reply_to
from tests.e2e.jobs.conftest import buttons, press, say
from tests.fakes.bot_api import FakeBotAPI, FakeUser

VILLAGES = ("三合村", "团结村", "红崖村")


async def _village_groups(api: FakeBotAPI, admin: FakeUser) -> list:  # type: ignore[type-arg]
    groups = []
    for number, village in enumerate(VILLAGES, start=1):
        group = api.group(-100_000 - number, f"{village}老乡群")
        await api.add_bot_to_group(admin, group)
        await say(api, admin, f"/village {village}", village, chat=group)
        groups.append(group)
    return groups


async def _posting(app: BotApplication, posting_id: int) -> JobPosting:
    assert app.bot_data.db is not None
    async with app.bot_data.db() as session:
        posting = await service.get_posting(session, posting_id)
        assert posting is not None
        return posting


async def test_the_whole_loop(jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser) -> None:
    api = fake_bot_api
    groups = await _village_groups(api, admin)

    # The admin writes the posting step by step; a bad answer is explained and asked again.
    await say(api, admin, "/newjob", "岗位名称是什么")
    await say(api, admin, "电商客服", "介绍这份工作")
    await say(api, admin, "在星站用电脑回复海外买家的售后消息，有培训，适合宝妈和返乡青年。", "要招几个人")
    await say(api, admin, "一个", "请写数字")
    await say(api, admin, "1人", "工资待遇")
    await say(api, admin, "3000-4500元/月", "上班时间")
    await say(api, admin, "早班 8:00-16:00", "在哪里上班")
    await say(api, admin, "平安区星站 2楼", "有什么要求")
    await say(api, admin, "跳过", "报名截止到哪一天")
    await say(api, admin, "2020-01-01", "已经过去了")
    mark = api.mark()
    await api.send_text(admin, "12月31日")
    preview = await api.wait_for(
        "sendMessage", lambda c: "招聘：电商客服" in c.params["text"], since=mark, chat_id=ADMIN_ID
    )
    assert "3000-4500元/月" in preview.params["text"] and "12月31日" in preview.params["text"]
    assert api.calls_to("sendMessage", since=mark, chat_id=lambda c: c < 0) == []  # nothing sent yet

    # One tap publishes to all three village groups, through the outbox.
    mark = await press(api, admin, preview.result, "📣 发布到全部村群（3 个）")
    announcements = await api.wait_for_calls("sendMessage", since=mark, count=3, chat_id=lambda c: c < 0)
    assert sorted(c.params["chat_id"] for c in announcements) == sorted(g.id for g in groups)
    copies = [api.sent_messages(group)[-1] for group in groups]
    links = set()
    for copy in copies:
        assert "招聘：电商客服" in copy["text"] and "3000-4500元/月" in copy["text"]
        [button] = buttons(copy)
        assert button["text"] == "✍️ 我要报名"
        links.add(button["url"])
    [link] = links
    found = re.fullmatch(rf"https://t\.me/{api.bot_user['username']}\?start=(job_(\d+))", link)
    assert found is not None
    payload, posting_id = found.group(1), int(found.group(2))
    assert (await _posting(jobs_bot, posting_id)).state == PostingState.OPEN
    report = await api.wait_for("sendMessage", lambda c: "已发到 3/3 个村群" in c.params["text"], since=mark)
    assert report.params["chat_id"] == ADMIN_ID

    # A young mother in 三合村 taps the button: a private chat opens at the posting and the form starts.
    mei = api.user(7001, "小梅")
    mark = api.mark()
    await api.send_text(mei, f"/start {payload}")
    await api.wait_for(
        "sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark, chat_id=mei.id
    )
    detail = api.calls_to("sendMessage", since=mark, chat_id=mei.id)[0]
    assert "招聘：电商客服" in detail.params["text"] and buttons(detail.result) == []
    await say(api, mei, "张小梅", "你的手机号是多少")
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
    await say(api, mei, "三合村", "什么时候能来上班")
    await say(api, mei, "随时可以", "还有什么想告诉")
    summary = await say(api, mei, "跳过", "请核对")
    assert "13800138000" in summary.params["text"] and "张小梅" in summary.params["text"]
    mark = api.mark()
    done = await say(api, mei, "✅ 提交", "报名成功")
    assert "138****8000" in done.params["text"]
    assert api.reply_keyboard(mei) is None

    # The admin is alerted (no phone number in the alert), opens the application and hires her.
    alert = await api.wait_for(
        "sendMessage", lambda c: "新报名" in c.params["text"], since=mark, chat_id=ADMIN_ID
    )
    assert "13800138000" not in alert.params["text"] and "三合村" in alert.params["text"]
    mark = await press(api, admin, alert.result, "👀 查看")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert "张小梅" in card.params["text"] and "13800138000" in card.params["text"]
    mark = await press(api, admin, card.result, "🎉 录用")
    answer = await api.wait_for("answerCallbackQuery", since=mark)
    assert "员工邀请" in answer.params["text"] and "已招满" in answer.params["text"]

    # The posting is filled and every group copy says so, without the button.
    edits = await api.wait_for_calls("editMessageText", since=mark, count=3, chat_id=lambda c: c < 0)
    assert sorted(c.params["chat_id"] for c in edits) == sorted(g.id for g in groups)
    for group in groups:
        copy = api.sent_messages(group)[-1]
        assert "已招满：电商客服" in copy["text"] and buttons(copy) == []
        # Her phone number never appears in a group.
        assert all("13800138000" not in m.get("text", "") for m in api.chat_history(group))
    assert (await _posting(jobs_bot, posting_id)).state == PostingState.FILLED

    # She receives a staff invite and becomes staff in one step.
    invite = await api.wait_for(
        "sendMessage", lambda c: "恭喜你被录用" in c.params["text"], since=mark, chat_id=mei.id
    )
    [join] = buttons(invite.result)
    code = join["url"].rsplit("start=", 1)[1]
    assert code.startswith("inv_")
    await say(api, mei, f"/start {code}", "欢迎加入")
    assert jobs_bot.bot_data.db is not None
    async with jobs_bot.bot_data.db() as session:
        person = await people.get_person(session, mei.id)
        assert person is not None and person.role == Role.STAFF

    # The applicants, exported for the office.
    listing = await say(api, admin, f"/applicants {posting_id}", "报名者：1 人")
    mark = await press(api, admin, listing.result, "📊 导出 Excel")
    document = await api.wait_for("sendDocument", since=mark, chat_id=ADMIN_ID)
    sheet = load_workbook(io.BytesIO(api.file_content(document.result))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:9] == ["序号", "报名号", "岗位", "姓名", "手机号", "所在村", "可上班时间", "备注", "状态"]
    assert rows[1][2:9] == ["电商客服", "张小梅", "13800138000", "三合村", "随时可以", None, "已录用"]


async def _seed(
    app: BotApplication, admin: FakeUser, *, published: bool = True, **fields: object
) -> JobPosting:
    assert app.bot_data.db is not None
    values: dict = {  # type: ignore[type-arg]
        "title": "仓库打包",
        "description": "把网店的货打包发走。",
        "headcount": 3,
        "pay": "120元/天",
        "hours": "9:00-17:00",
        "location": "平安区物流园",
        "closes_at": utcnow() + timedelta(days=7),
    }
    values.update(fields)
    async with app.bot_data.db() as session:
        creator = await people.record_person(
            session, people.Profile(admin.id, admin.first_name), admin_ids={admin.id}
        )
        posting = await service.create_posting(session, creator, service.PostingDraft(**values))
        if published:
            await service.publish(session, posting)
        return posting


async def test_refusals(jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser) -> None:
    api = fake_bot_api
    db = jobs_bot.bot_data.db
    assert db is not None
    draft = await _seed(jobs_bot, admin, published=False, title="草稿岗位")
    posting = await _seed(jobs_bot, admin)

    # A non-admin can neither write nor publish a posting.
    ming = api.user(7101, "阿明")
    refused = await reply_to(api, ming, "/newjob")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    await say(api, ming, "电商客服", "")  # plain text is just a question, not a posting form
    mark = api.mark()
    await api.press_button(ming, 1, f"job:pub:{draft.id}", strict=False)
    alert = await api.wait_for("answerCallbackQuery", since=mark)
    assert alert.params["text"] == "抱歉，只有管理员可以这样操作。" and alert.params["show_alert"] is True
    assert (await _posting(jobs_bot, draft.id)).state == PostingState.DRAFT
    for command in ("/postings", f"/applicants {posting.id}"):
        assert (await reply_to(api, ming, command)).params["text"] == "抱歉，只有管理员可以这样操作。"

    # A seeker applies; an invalid phone number is explained and asked again, nothing else is lost.
    await say(api, ming, f"/start job_{posting.id}", "你叫什么名字")
    await say(api, ming, "李明", "手机号")
    again = await say(api, ming, "12345", "不像是大陆手机号")
    assert "你的手机号是多少" in again.params["text"]
    mark = api.mark()
    await api.share_contact(ming, "+1 415 555 0100", first_name="Bob", user_id=424242)  # someone else's
    other = await api.wait_for("sendMessage", since=mark, chat_id=ming.id)
    assert "不是大陆手机号" in other.params["text"] and "你的手机号是多少" in other.params["text"]
    await say(api, ming, "139-0013-9000", "哪个村")
    await say(api, ming, "团结村", "什么时候")
    await say(api, ming, "下周一", "还有什么")
    summary = await say(api, ming, "只能白班", "请核对")
    assert "李明" in summary.params["text"] and "13900139000" in summary.params["text"]

    # Meanwhile the job closes: sending is refused politely, and the Apply button no longer leads anywhere.
    async with db() as session:
        fresh = await service.get_posting(session, posting.id)
        await service.change_state(session, fresh, PostingState.CLOSED)
    closed = await say(api, ming, "✅ 提交", "停止报名")
    assert "/jobs" in closed.params["text"] and api.reply_keyboard(ming) is None
    mark = api.mark()
    await api.press_button(ming, 1, f"job:apply:{posting.id}", strict=False)  # an old ✍️ 我要报名
    await api.wait_for("sendMessage", lambda c: "停止报名" in c.params["text"], since=mark, chat_id=ming.id)
    reopened_view = await say(api, ming, f"/start job_{posting.id}", "不再接受报名")
    assert all(b["text"] != "✍️ 我要报名" for b in buttons(reopened_view.result))
    async with db() as session:
        assert (await session.exec(select(JobApplication))).all() == []

    # A seeker never sees another's application.
    open_job = await _seed(jobs_bot, admin, title="夜班客服")
    async with db() as session:
        mei = await people.record_person(session, people.Profile(7201, "小梅"))
        mine = await service.submit_application(
            session, open_job.id, mei, service.ApplicationForm("张小梅", "13800138000", "三合村", "随时可以")
        )
    assert mine.application is not None
    listing = await reply_to(api, ming, "/myapplications")
    assert "还没有报名" in listing.params["text"] and "张小梅" not in listing.params["text"]
    for data, expected in (
        (f"job:wd:{mine.application.id}", "这不是你的报名。"),
        (f"job:card:{mine.application.id}", "抱歉，只有管理员可以这样操作。"),
    ):
        mark = api.mark()
        await api.press_button(ming, 1, data, strict=False)
        answer = await api.wait_for("answerCallbackQuery", since=mark)
        assert answer.params["text"] == expected
    assert all("13800138000" not in c.params.get("text", "") for c in api.calls_to("*", chat_id=ming.id))

    # /forgetme leaves no phone number in the database.
    xiaomei = api.user(7201, "小梅")
    ask = await reply_to(api, xiaomei, "/forgetme")
    mark = await press(api, xiaomei, ask.result, "🗑 确定删除我的信息")
    gone = await api.wait_for("editMessageText", since=mark, chat_id=xiaomei.id)
    assert "已删除你的 1 条报名" in gone.params["text"]
    async with db() as session:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.exec(text(f'SELECT * FROM "{table.name}"'))).all()  # type: ignore[call-overload]
            assert "13800138000" not in repr(rows), table.name


async def test_deadline_closes_the_posting_and_edits_the_group_copy(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    [group] = [api.group(-200_001, "三合村老乡群")]
    await api.add_bot_to_group(admin, group)
    await say(api, admin, "/village 三合村", "三合村", chat=group)
    posting = await _seed(jobs_bot, admin, published=False)
    card = await say(api, admin, "/postings", "岗位：1 个")
    mark = await press(api, admin, card.result, "📝 仓库打包 · 0")
    shown = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, shown.result, "📣 发布到全部村群（1 个）")
    await api.wait_for("sendMessage", since=mark, chat_id=group.id)

    # The deadline passes; the scheduler closes the posting and the copy in the group is edited.
    async with jobs_bot.bot_data.db() as session:  # type: ignore[misc]
        row = await service.get_posting(session, posting.id)
        row.closes_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        await session.commit()
    mark = api.mark()
    assert await jobs_handlers.run_tick(jobs_bot) == (1, 0)
    await api.wait_for("editMessageText", since=mark, chat_id=group.id)
    copy = api.sent_messages(group)[-1]
    assert "已截止：仓库打包" in copy["text"] and buttons(copy) == []
    assert (await _posting(jobs_bot, posting.id)).state == PostingState.CLOSED
    jobs = await reply_to(api, admin, "/jobs")
    assert "现在没有在招的岗位" in jobs.params["text"]


async def test_chosen_groups_alerts_edits_and_the_seekers_own_choices(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    sanhe, tuanjie = api.group(-300_001, "三合村老乡群"), api.group(-300_002, "团结村老乡群")
    for group, village in ((sanhe, "三合村"), (tuanjie, "团结村")):
        await api.add_bot_to_group(admin, group)
        await say(api, admin, f"/village {village}", village, chat=group)

    # Two job seekers ask for alerts, each for their own village.
    zhuoma, ming = api.user(7301, "卓玛"), api.user(7302, "阿明")
    for seeker, village in ((zhuoma, "三合村"), (ming, "团结村")):
        menu = await say(api, seeker, "/jobalerts", "有哪里的新岗位时提醒你")
        mark = await press(api, seeker, menu.result, f"🏘 {village}")
        await api.wait_for(
            "editMessageText", lambda c, v=village: f"你会收到{v}的新岗位提醒" in c.params["text"], since=mark
        )

    # The admin publishes to the 三合村 group only; only the 三合村 subscriber hears of it.
    posting = await _seed(jobs_bot, admin, published=False)
    listing = await say(api, admin, "/postings", "岗位：1 个")
    mark = await press(api, admin, listing.result, "📝 仓库打包 · 0")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, card.result, "🏘 选择村群")
    picker = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, picker.result, "⬜ 三合村 · 三合村老乡群")
    picker = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, picker.result, "📣 发布到选中的 1 个群")
    await api.wait_for("sendMessage", since=mark, chat_id=sanhe.id)
    alert = await api.wait_for(
        "sendMessage", lambda c: "有新岗位啦" in c.params["text"], since=mark, chat_id=zhuoma.id
    )
    assert api.calls_to("sendMessage", since=mark, chat_id=tuanjie.id) == []
    assert api.calls_to("sendMessage", since=mark, chat_id=ming.id) == []

    # Edited after publishing: the group copy follows.
    card = await say(api, admin, f"/applicants {posting.id}", "还没有人报名")
    mark = await press(api, admin, card.result, "« 返回岗位")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, card.result, "✏️ 修改")
    fields = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, fields.result, "工资待遇")
    await api.wait_for("sendMessage", lambda c: "现在是：120元/天" in c.params["text"], since=mark)
    mark = api.mark()
    await say(api, admin, "150元/天", "正在更新 1 个村群")
    await api.wait_for("editMessageText", since=mark, chat_id=sanhe.id)
    assert "待遇：150元/天" in api.sent_messages(sanhe)[-1]["text"]

    # The subscriber opens the job from her alert, cancels once, then applies with a typed number.
    mark = await press(api, zhuoma, alert.result, "👀 查看并报名")
    detail = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    mark = await press(api, zhuoma, detail.result, "✍️ 我要报名")
    await api.wait_for("sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark)
    await say(api, zhuoma, "卓玛", "手机号")
    await say(api, zhuoma, "✖ 取消", "已取消，没有提交")
    assert api.reply_keyboard(zhuoma) is None
    mark = await press(api, zhuoma, detail.result, "✍️ 我要报名")
    await api.wait_for("sendMessage", lambda c: "你叫什么名字" in c.params["text"], since=mark)
    for answer, question in (
        ("卓玛", "手机号"),
        ("+86 150-0000-2222", "哪个村"),
        ("三合村", "什么时候"),
        ("一周后", "还有什么"),
    ):
        await say(api, zhuoma, answer, question)
    summary = await say(api, zhuoma, "跳过", "请核对")
    assert "15000002222" in summary.params["text"]
    await say(api, zhuoma, "✏️ 修改", "要修改哪一项")
    await say(api, zhuoma, "可上班时间", "什么时候能来上班")
    summary = await say(api, zhuoma, "下个月", "请核对")
    assert "下个月" in summary.params["text"] and "卓玛" in summary.params["text"]
    await say(api, zhuoma, "✅ 提交", "报名成功")

    # The admin marks her contacted and tells her.
    alert = await api.wait_for("sendMessage", lambda c: "新报名" in c.params["text"], chat_id=ADMIN_ID)
    mark = await press(api, admin, alert.result, "👀 查看")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = await press(api, admin, card.result, "📞 已联系")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    assert api.calls_to("sendMessage", since=mark, chat_id=zhuoma.id) == []  # only when asked
    mark = await press(api, admin, card.result, "📨 通知报名者")
    await api.wait_for(
        "sendMessage", lambda c: "正在联系你" in c.params["text"], since=mark, chat_id=zhuoma.id
    )

    # She sees her own application and withdraws it.
    mine = await say(api, zhuoma, "/myapplications", "你的报名")
    assert "仓库打包" in mine.params["text"] and "已联系你" in mine.params["text"]
    mark = await press(api, zhuoma, mine.result, "↩️ 撤回：仓库打包")
    confirm = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    mark = await press(api, zhuoma, confirm.result, "确定撤回")
    after = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    assert "已撤回" in after.params["text"]
    assert jobs_bot.bot_data.db is not None
    async with jobs_bot.bot_data.db() as session:
        [row] = (await session.exec(select(JobApplication))).all()
        assert (row.status, row.availability, row.contact_shared) == ("withdrawn", "下个月", False)


async def test_the_group_link_starts_the_form_right_away(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    db = jobs_bot.bot_data.db
    assert db is not None
    posting = await _seed(jobs_bot, admin, title="夜班客服")
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
    await say(api, lan, "✖ 取消", "已取消，没有提交")
    assert api.reply_keyboard(lan) is None
    await say(api, lan, link, "你叫什么名字")
    for answer, question in (
        ("王小兰", "手机号"),
        ("13700137000", "哪个村"),
        ("红崖村", "什么时候"),
        ("随时可以", "还有什么"),
    ):
        await say(api, lan, answer, question)
    await say(api, lan, "跳过", "请核对")
    await say(api, lan, "✅ 提交", "报名成功")
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
    await say(api, lan, "/cancel", "已取消，没有提交")

    # A closed posting's link explains and asks nothing; plain text afterwards is not a form answer.
    async with db() as session:
        fresh = await service.get_posting(session, posting.id)
        assert fresh is not None
        await service.change_state(session, fresh, PostingState.CLOSED)
    ping = api.user(7402, "阿平")
    mark = api.mark()
    closed = await say(api, ping, link, "不再接受报名")
    assert "已截止：</b>夜班客服" in closed.params["text"]
    assert all(b["text"] != "✍️ 我要报名" for b in buttons(closed.result))
    await say(api, ping, "王平", "")
    assert not any(
        "你叫什么名字" in c.params.get("text", "") or "手机号" in c.params.get("text", "")
        for c in api.calls_to("sendMessage", since=mark, chat_id=ping.id)
    )
    assert api.reply_keyboard(ping) is None
    async with db() as session:
        assert len((await session.exec(select(JobApplication))).all()) == 1

    # /start without a payload still greets.
    await say(api, ping, "/start", "你好")
