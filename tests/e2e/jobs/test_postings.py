"""Admins' postings: the card, publishing to every village group or to chosen ones (through the outbox),
the report on the announcement, and the subscribers' alerts."""

from __future__ import annotations

import re

from bot.app import BotApplication
from bot.jobs import service
from bot.jobs.buttons import (
    ChangeState,
    DeleteDraft,
    NewState,
    PickGroups,
    PostingCard,
    PostingsPage,
    Publish,
)
from bot.jobs.models import PostingState
from bot.people import service as people
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, reply_to, staff
from tests.e2e.jobs.conftest import open_card, refusal, seed, stored, village_groups

REFUSED = "抱歉，只有管理员可以这样操作。"


async def test_one_tap_publishes_to_every_village_group(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    groups = await village_groups(api, admin)
    posting = await seed(jobs_bot, admin, published=False, title="电商客服", pay="3000-4500元/月")
    card = await open_card(api, admin, "📝 电商客服 · 0")

    # One tap publishes to all three village groups, through the outbox.
    mark = api.mark()
    await press(api, admin, card.result, text="📣 发布到全部村群（3 个）")
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
    found = re.fullmatch(rf"https://t\.me/{api.bot_user['username']}\?start=job_(\d+)", link)
    assert found is not None and int(found.group(1)) == posting.id
    assert (await stored(jobs_bot, posting.id)).state == PostingState.OPEN
    report = await api.wait_for("sendMessage", lambda c: "已发到 3/3 个村群" in c.params["text"], since=mark)
    assert report.params["chat_id"] == ADMIN_ID


async def test_chosen_groups_and_only_their_subscribers_hear_of_it(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    sanhe, tuanjie = await village_groups(api, admin, ("三合村", "团结村"), first_id=-300_001)

    # Two job seekers asked for alerts, each for their own village.
    zhuoma = await staff(jobs_bot, api, 7301, "卓玛", role="seeker")
    ming = await staff(jobs_bot, api, 7302, "阿明", role="seeker")
    async with jobs_bot.bot_data.db() as session:
        for seeker, village in ((zhuoma, "三合村"), (ming, "团结村")):
            person = await people.get_person(session, seeker.id)
            assert person is not None
            await service.subscribe(session, person, village)

    # The admin publishes to the 三合村 group only; only the 三合村 subscriber hears of it.
    await seed(jobs_bot, admin, published=False)
    card = await open_card(api, admin, "📝 仓库打包 · 0")
    mark = api.mark()
    await press(api, admin, card.result, text="🏘 选择村群")
    picker = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, picker.result, text="⬜ 三合村 · 三合村老乡群")
    picker = await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=ADMIN_ID)
    mark = api.mark()
    await press(api, admin, picker.result, text="📣 发布到选中的 1 个群")
    await api.wait_for("sendMessage", since=mark, chat_id=sanhe.id)
    alert = await api.wait_for(
        "sendMessage", lambda c: "有新岗位啦" in c.params["text"], since=mark, chat_id=zhuoma.id
    )
    assert api.calls_to("sendMessage", since=mark, chat_id=tuanjie.id) == []
    assert api.calls_to("sendMessage", since=mark, chat_id=ming.id) == []

    # The subscriber opens the job from her alert, with the button to apply.
    mark = api.mark()
    await press(api, zhuoma, alert.result, text="👀 查看并报名")
    detail = await api.wait_for("editMessageText", since=mark, chat_id=zhuoma.id)
    assert "✍️ 我要报名" in [b["text"] for b in buttons(detail.result)]

    # Later the admin publishes it to 团结村 too: its subscriber hears of it now, 卓玛 not a second time.
    card = await open_card(api, admin, "📢 仓库打包 · 0")
    mark = api.mark()
    await press(api, admin, card.result, text="📣 发到其余村群（1 个）")
    await api.wait_for("sendMessage", since=mark, chat_id=tuanjie.id)
    await api.wait_for("sendMessage", lambda c: "有新岗位啦" in c.params["text"], since=mark, chat_id=ming.id)
    await api.wait_idle(quiet=0.3)
    assert api.calls_to("sendMessage", since=mark, chat_id=zhuoma.id) == []


async def test_filling_closing_and_reopening(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    posting = await seed(jobs_bot, admin)
    card = await open_card(api, admin, "📢 仓库打包 · 0")
    for label, answer, state, next_label in (
        ("🈵 标为已招满", "已标为招满。", PostingState.FILLED, "🔄 重新开放"),
        ("🔄 重新开放", "已重新开放。", PostingState.OPEN, "⏹ 截止报名"),
        ("⏹ 截止报名", "已截止报名。", PostingState.CLOSED, "🔄 重新开放"),
    ):
        mark = api.mark()
        assert (await press(api, admin, card.result, text=label)).params["text"] == answer
        card = await api.wait_for("editMessageText", since=mark, chat_id=ADMIN_ID)
        assert (await stored(jobs_bot, posting.id)).state == state
        assert next_label in [b["text"] for b in buttons(card.result)]


async def test_only_admins_publish(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    draft = await seed(jobs_bot, admin, published=False, title="草稿岗位")

    # A non-admin can neither see nor publish a posting, nor change it.
    ming = api.user(7101, "阿明")
    assert (await reply_to(api, ming, "/postings")).params["text"] == REFUSED
    for button in (
        Publish(draft.id),
        PostingsPage(0),
        PostingCard(draft.id),
        PickGroups(draft.id),
        ChangeState(draft.id, NewState.OPEN),
        DeleteDraft(draft.id),
    ):
        answer = await refusal(api, ming, button.pack())
        assert answer["text"] == REFUSED and answer["show_alert"] is True
    assert (await stored(jobs_bot, draft.id)).state == PostingState.DRAFT
