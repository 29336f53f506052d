"""Admin notices end to end: the real Application against the fake Bot API with Telegram's limits on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.app import BotApplication
from bot.clock import utcnow
from bot.delivery.handlers import get_sender
from bot.delivery.models import Campaign, Delivery
from bot.delivery.sender import SenderConfig
from bot.notices import handlers as notices_handlers
from bot.notices.models import Notice, NoticeAck
from bot.people import service as people
from bot.people.models import GroupChat
from tests.e2e.conftest import ADMIN_ID, make_staff, reply_to
from tests.fakes.bot_api import Call, FakeBotAPI, FakeUser

TEXT = "明天上午10点全员培训，请准时到"


@pytest.fixture
def api(fake_bot_api: FakeBotAPI, bot: BotApplication) -> FakeBotAPI:
    """The fake with Telegram's flood limits on, and a sender that reports progress quickly."""
    fake_bot_api.enforce_limits(overall_per_second=30, group_per_minute=20, private_per_second=1)
    sender = get_sender(bot.bot_data)
    sender.config = SenderConfig(progress_interval=0.3, idle_poll=0.3, backoff_base=0.2)
    return fake_bot_api


async def _staff(bot: BotApplication, api: FakeBotAPI, count: int, start: int = 6000) -> list[FakeUser]:
    users = [api.user(start + i, f"员工{i:02d}", username=f"s{start + i}") for i in range(count)]
    for user in users:
        await make_staff(bot, user)
    return users


async def _groups(bot: BotApplication, api: FakeBotAPI, count: int, **options: Any) -> list[int]:
    ids = []
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        for i in range(count):
            chat = api.group(-(4000 + i), f"村群{i}", **options)
            await people.record_group(
                session, chat.id, title=chat.title or "", chat_type="group", active=True
            )
            ids.append(chat.id)
    return ids


async def _press(
    api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str, *, edits: bool = True, **kw: Any
) -> Call:
    """Press a button and return the bot's answer to the callback query.

    With ``edits`` it also waits until the bot has changed the message (an edit the fake answered 429 for,
    because the admin clicks faster than one message a second, is retried a second later).
    """
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    before = api.message(chat_id, message_id)
    mark = api.mark()
    update = await api.press_button(user, message, data, **kw)
    query_id = update["callback_query"]["id"]
    answer = await api.wait_for("answerCallbackQuery", since=mark, callback_query_id=query_id)
    if edits:
        await api.wait_until(lambda: api.message(chat_id, message_id) != before, timeout=5, message="an edit")
    return answer


def _panel(api: FakeBotAPI, message_id: int) -> dict[str, Any]:
    message = api.message(ADMIN_ID, message_id)
    assert message is not None
    return message


def _notice_id(panel: dict[str, Any]) -> int:
    buttons = [b for row in panel["reply_markup"]["inline_keyboard"] for b in row]
    send = next(b["callback_data"] for b in buttons if b.get("callback_data", "").startswith("ntc:send:"))
    return int(send.rsplit(":", 1)[1])


async def _draft(api: FakeBotAPI, admin: FakeUser, text: str = TEXT) -> tuple[int, dict[str, Any]]:
    call = await reply_to(api, admin, f"/notice {text}")
    assert "通知 #" in call.params["text"] and "草稿" in call.params["text"]
    return _notice_id(call.result), call.result


async def _wait_report(api: FakeBotAPI, message_id: int, word: str = "发送完成", limit: float = 20) -> str:
    await api.wait_until(
        lambda: word in _panel(api, message_id)["text"], timeout=limit, message=f"the panel to say {word}"
    )
    return str(_panel(api, message_id)["text"])


async def _rows(bot: BotApplication, notice_id: int) -> dict[int, Delivery]:
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        notice = await session.get(Notice, notice_id)
        assert notice is not None and notice.campaign_id is not None
        rows = await session.exec(select(Delivery).where(Delivery.campaign_id == notice.campaign_id))
        return {row.chat_id: row for row in rows.all()}


async def test_notice_to_50_staff_and_10_groups_arrives_once_each(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    staff = await _staff(bot, api, 50)
    groups = await _groups(bot, api, 10)
    notice_id, panel = await _draft(api, admin)
    assert "共 50 个聊天" in panel["text"]
    await _press(api, admin, panel, f"ntc:aud:{notice_id}:groups")
    panel = _panel(api, panel["message_id"])
    assert "全体员工 · 全部村群 → 共 60 个聊天" in panel["text"]
    answer = await _press(api, admin, panel, f"ntc:send:{notice_id}")
    assert answer.params["text"] == "已排队发送给 60 个聊天。"

    report = await _wait_report(api, panel["message_id"])
    assert "已发送 60/60 · 失败 0" in report
    recipients = [u.id for u in staff] + groups
    assert {chat: api.accepted_sends[chat] for chat in recipients} == dict.fromkeys(recipients, 1)
    assert [m for m in api.sent_messages(ADMIN_ID) if m.get("text") == TEXT] == [], "no copy for its sender"
    # At most one stray 429 (the fake shares the bot's event loop; see test_delivery_sender.STRAY_429).
    assert sum(api.rejected_by_chat[chat] for chat in recipients) <= 1
    copy = api.last_sent(staff[0].id)
    assert copy["text"] == TEXT
    assert copy["reply_markup"]["inline_keyboard"] == [
        [{"text": "✅ 收到", "callback_data": f"ntcack:{notice_id}"}]
    ]
    assert "reply_markup" not in api.last_sent(groups[0])
    rows = await _rows(bot, notice_id)
    assert len(rows) == 60 and {r.state for r in rows.values()} == {"sent"}
    assert all(rows[chat].message_id == api.last_sent(chat)["message_id"] for chat in recipients)


async def test_blocked_chats_are_reported_and_the_group_turns_inactive(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    blocker, reader = await _staff(bot, api, 2)
    await api.block_bot(blocker)
    (kicked,) = await _groups(bot, api, 1, bot_status="kicked")
    notice_id, panel = await _draft(api, admin)
    await _press(api, admin, panel, f"ntc:aud:{notice_id}:groups")
    await _press(api, admin, _panel(api, panel["message_id"]), f"ntc:send:{notice_id}")

    report = await _wait_report(api, panel["message_id"])
    assert "已发送 1/3 · 失败 0 · 被屏蔽 2" in report
    assert "员工00 — Forbidden: bot was blocked by the user" in report
    assert "村群0 — Forbidden: bot was kicked from the group chat" in report
    rows = await _rows(bot, notice_id)
    assert (rows[blocker.id].state, rows[reader.id].state, rows[kicked].state) == (
        "blocked",
        "sent",
        "blocked",
    )
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        group = (await session.exec(select(GroupChat))).one()
    assert not group.active


async def test_retry_after_is_waited_out_and_migrated_groups_are_followed(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    (worker,) = await _staff(bot, api, 1)
    (group,) = await _groups(bot, api, 1)
    supergroup = api.group(-1004000, "村群0", type="supergroup").id
    api.fail_next("sendMessage", status=429, retry_after=2, chat_id=worker.id)
    api.fail_next("sendMessage", status=400, migrate_to_chat_id=supergroup, chat_id=group)
    notice_id, panel = await _draft(api, admin)
    await _press(api, admin, panel, f"ntc:aud:{notice_id}:groups")
    await _press(api, admin, _panel(api, panel["message_id"]), f"ntc:send:{notice_id}")

    report = await _wait_report(api, panel["message_id"])
    assert "已发送 2/2 · 失败 0" in report
    first, second = api.calls_to("sendMessage", ok=None, chat_id=worker.id)
    assert (first.status, second.status) == (429, 200) and second.time - first.time >= 2
    assert api.accepted_sends[worker.id] == 1
    assert api.accepted_sends[group] == 0 and api.accepted_sends[supergroup] == 1
    assert api.last_sent(supergroup)["text"] == TEXT
    rows = await _rows(bot, notice_id)
    assert set(rows) == {worker.id, supergroup}
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        stored = (await session.exec(select(GroupChat))).one()
    assert stored.chat_id == supergroup


async def test_acknowledgements_and_reminders_to_those_who_have_not(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    quick, slow, late = await _staff(bot, api, 3)
    notice_id, panel = await _draft(api, admin)
    await _press(api, admin, panel, f"ntc:send:{notice_id}")
    await _wait_report(api, panel["message_id"])

    answer = await _press(api, quick, api.last_sent(quick.id), f"ntcack:{notice_id}")
    assert answer.params["text"] == "谢谢，已记录你的确认。"
    await api.wait_for("editMessageReplyMarkup", chat_id=quick.id)
    assert api.last_sent(quick.id)["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ 已确认"
    again = await _press(api, quick, api.last_sent(quick.id), "ntc:done", edits=False)
    assert again.params["text"] == "你已经确认过这条通知了。"
    await _press(api, slow, api.last_sent(slow.id), f"ntcack:{notice_id}")

    # Two hours later the bot reminds only the one who has not confirmed.
    mark = api.mark()
    assert await notices_handlers.send_due_reminders(bot, now=utcnow() + timedelta(minutes=121)) == 1
    reminder = await api.wait_for("sendMessage", since=mark, chat_id=late.id)
    await api.wait_idle(quiet=0.5)
    assert [c.params["chat_id"] for c in api.calls_to("sendMessage", since=mark)] == [late.id]
    assert "🔔 提醒" in reminder.params["text"] and TEXT in reminder.params["text"]
    original = next(m for m in api.sent_messages(late.id) if m["text"] == TEXT)
    assert reminder.result["reply_to_message"]["message_id"] == original["message_id"]

    # The admin sees who confirmed and who has not.
    listing = await reply_to(api, admin, "/notices")
    assert f"#{notice_id}" in listing.params["text"] and "✅ 2" in listing.params["text"]
    await _press(api, admin, listing.result, f"ntc:show:{notice_id}")
    details = _panel(api, listing.result["message_id"])["text"]
    assert "已确认：2/3" in details and "已提醒 1/2 次" in details
    await _press(api, admin, _panel(api, listing.result["message_id"]), f"ntc:miss:{notice_id}")
    missing = _panel(api, listing.result["message_id"])["text"]
    assert "尚未确认" in missing and "员工02" in missing and "员工00" not in missing

    # The latecomer finds it under /mynotices and confirms there; no more reminders.
    mine = await reply_to(api, late, "/mynotices")
    assert "等待你确认的通知" in mine.params["text"]
    await _press(api, late, mine.result, f"ntcack:{notice_id}")
    assert await notices_handlers.send_due_reminders(bot, now=utcnow() + timedelta(minutes=250)) == 0
    nothing = await reply_to(api, late, "/mynotices")
    assert nothing.params["text"] == "所有通知你都已确认。👍"
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        acks = (await session.exec(select(NoticeAck))).all()
    assert len(acks) == 3


async def test_cancel_stops_further_sends(bot: BotApplication, api: FakeBotAPI, admin: FakeUser) -> None:
    staff = await _staff(bot, api, 100)
    notice_id, panel = await _draft(api, admin)
    await _press(api, admin, panel, f"ntc:send:{notice_id}", edits=False)
    await api.wait_until(lambda: sum(api.accepted_sends[u.id] for u in staff) >= 5, timeout=10)
    answer = await _press(
        api, admin, _panel(api, panel["message_id"]), f"ntc:cancel:{notice_id}", edits=False, strict=False
    )
    assert answer.params["text"].startswith("已停止")

    report = await _wait_report(api, panel["message_id"], "已停止")
    rows = await _rows(bot, notice_id)
    sent = {chat for chat, row in rows.items() if row.state == "sent"}
    await api.wait_idle(quiet=0.5)
    assert {u.id for u in staff if api.accepted_sends[u.id]} == sent
    assert 5 <= len(sent) < 80
    assert all(api.accepted_sends[u.id] <= 1 for u in staff)
    assert {row.state for chat, row in rows.items() if chat not in sent} == {"cancelled"}
    assert f"已发送 {len(sent)}/100" in report and f"未发送 {100 - len(sent)}" in report


async def test_non_admins_cannot_send_notices(bot: BotApplication, api: FakeBotAPI, admin: FakeUser) -> None:
    (worker,) = await _staff(bot, api, 1)
    refused = await reply_to(api, worker, f"/notice {TEXT}")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    refused = await reply_to(api, worker, "/notices")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    notice_id, panel = await _draft(api, admin)
    # A staff member replaying the admin's button gets refused too.
    answer = await _press(api, worker, panel, f"ntc:send:{notice_id}", strict=False, edits=False)
    assert answer.params["text"] == "抱歉，只有管理员可以这样操作。"
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        assert (await session.exec(select(Campaign))).all() == []
        notice = await session.get(Notice, notice_id)
        assert notice is not None and notice.state == "draft"


async def test_photo_notice_scheduled_for_later(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    (worker,) = await _staff(bot, api, 1)
    await reply_to(api, admin, "/notice")
    mark = api.mark()
    await api.send_photo(admin, caption="新排班表")
    panel = (await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)).result
    assert "[图片] <i>新排班表</i>" not in panel["text"] and "[图片]" in panel["text"]
    notice_id = _notice_id(panel)
    await _press(api, admin, panel, f"ntc:pin:{notice_id}")
    mark = api.mark()
    await _press(api, admin, _panel(api, panel["message_id"]), f"ntc:when:{notice_id}", edits=False)
    prompt = (await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)).result
    assert "什么时候发送" in prompt["text"]
    scheduled = await reply_to(api, admin, "明天 9:00")
    assert "发送时间：" in scheduled.params["text"] and "09:00" in scheduled.params["text"]
    answer = await _press(api, admin, scheduled.result, f"ntc:send:{notice_id}")
    assert answer.params["text"] == "已排队发送给 1 个聊天。"
    assert "定于" in _panel(api, scheduled.result["message_id"])["text"]
    await api.wait_idle(quiet=0.5)
    assert api.accepted_sends[worker.id] == 0, "nothing before its time"

    # The time comes (moved here instead of waiting until tomorrow).
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        await session.exec(update(Campaign).values(send_after=utcnow() - timedelta(seconds=1)))
        await session.commit()
    get_sender(bot.bot_data).wake()
    await _wait_report(api, scheduled.result["message_id"])
    copy = api.last_sent(worker.id)
    assert "photo" in copy and copy["caption"] == "新排班表"
    assert copy["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ntcack:{notice_id}"


async def test_drafts_can_be_aimed_at_chosen_groups_or_discarded(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api  # limits off: this one is about the panel, and an admin clicks faster than 1/s
    await _staff(bot, api, 1)
    first, second, _third = await _groups(bot, api, 3)
    notice_id, panel = await _draft(api, admin)
    message = panel
    await _press(api, admin, message, f"ntc:aud:{notice_id}:staff")
    await _press(api, admin, _panel(api, message["message_id"]), f"ntc:pick:{notice_id}:group:0")
    picker = _panel(api, message["message_id"])
    assert "选择指定村群" in picker["text"]
    await _press(api, admin, picker, f"ntc:val:{notice_id}:group:0:{first}")
    await _press(api, admin, _panel(api, message["message_id"]), f"ntc:val:{notice_id}:group:0:{second}")
    await _press(api, admin, _panel(api, message["message_id"]), f"ntc:back:{notice_id}")
    panel = _panel(api, message["message_id"])
    assert "指定村群 (2) → 共 2 个聊天" in panel["text"]
    await _press(api, admin, panel, f"ntc:send:{notice_id}")
    await _wait_report(api, message["message_id"])
    assert (api.accepted_sends[first], api.accepted_sends[second], api.accepted_sends[_third]) == (1, 1, 0)

    other_id, other = await _draft(api, admin, "不要发")
    await _press(api, admin, other, f"ntc:drop:{other_id}")
    assert "已放弃" in _panel(api, other["message_id"])["text"]
    stale = await _press(api, admin, other, f"ntc:send:{other_id}", strict=False, edits=False)
    assert stale.params["text"] == "这条通知已经发出或已放弃。"
