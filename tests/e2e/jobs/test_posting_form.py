"""The admin's posting form: ``/newjob`` step by step to a draft, and ✏️ Edit of one field afterwards."""

from __future__ import annotations

from bot.app import BotApplication
from bot.jobs.buttons import EditField, EditPosting
from bot.jobs.service import PostingField
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, reply_to
from tests.e2e.jobs.conftest import open_card, publish, refusal, seed, stored, village_groups

REFUSED = "抱歉，只有管理员可以这样操作。"


async def test_a_posting_is_written_step_by_step(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await village_groups(api, admin)

    # The admin writes the posting step by step; a bad answer is explained and asked again.
    await reply_to(api, admin, "/newjob", expect="岗位名称是什么")
    await reply_to(api, admin, "电商客服", expect="介绍这份工作")
    await reply_to(
        api, admin, "在星站用电脑回复海外买家的售后消息，有培训，适合宝妈和返乡青年。", expect="要招几个人"
    )
    await reply_to(api, admin, "一个", expect="请写数字")
    await reply_to(api, admin, "1人", expect="工资待遇")
    await reply_to(api, admin, "3000-4500元/月", expect="上班时间")
    await reply_to(api, admin, "早班 8:00-16:00", expect="在哪里上班")
    await reply_to(api, admin, "平安区星站 2楼", expect="有什么要求")
    await reply_to(api, admin, "跳过", expect="报名截止到哪一天")
    await reply_to(api, admin, "2020-01-01", expect="已经过去了")
    mark = api.mark()
    await api.send_text(admin, "12月31日")
    preview = await api.wait_for(
        "sendMessage", lambda c: "招聘：电商客服" in c.params["text"], since=mark, chat_id=ADMIN_ID
    )
    assert "3000-4500元/月" in preview.params["text"] and "12月31日" in preview.params["text"]
    assert api.calls_to("sendMessage", since=mark, chat_id=lambda c: c < 0) == []  # nothing sent yet
    # The preview is the posting's card: it is published from there.
    assert "📣 发布到全部村群（3 个）" in [b["text"] for b in buttons(preview.result)]


async def test_an_edit_after_publishing_reaches_the_group_copy(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    [sanhe] = await village_groups(api, admin, ["三合村"], first_id=-300_001)
    posting = await seed(jobs_bot, admin, published=False)
    mark = await publish(
        api, admin, await open_card(api, admin, "📝 仓库打包 · 0"), "📣 发布到全部村群（1 个）"
    )
    await api.wait_for("sendMessage", since=mark, chat_id=sanhe.id)

    # Edited after publishing: the group copy follows.
    card = await reply_to(api, admin, f"/applicants {posting.id}", expect="还没有人报名")
    mark = api.mark()
    await press(api, admin, card.result, text="« 返回岗位")
    card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, card.result, text="✏️ 修改")
    fields = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, fields.result, text="工资待遇")
    await api.wait_for("sendMessage", lambda c: "现在是：120元/天" in c.params["text"], since=mark)
    mark = api.mark()
    await reply_to(api, admin, "150元/天", expect="正在更新 1 个村群")
    await api.wait_for("editMessageText", since=mark, chat_id=sanhe.id)
    assert "待遇：150元/天" in api.sent_messages(sanhe)[-1]["text"]


async def test_only_admins_write_and_edit_postings(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    posting = await seed(jobs_bot, admin)
    ming = api.user(7101, "阿明")
    refused = await reply_to(api, ming, "/newjob")
    assert refused.params["text"] == REFUSED
    await reply_to(api, ming, "电商客服", expect="")  # plain text is just a question, not a posting form
    for button in (EditPosting(posting.id), EditField(posting.id, PostingField.PAY)):
        answer = await refusal(api, ming, button.pack())
        assert answer["text"] == REFUSED and answer["show_alert"] is True
    assert (await stored(jobs_bot, posting.id)).pay == "120元/天"
