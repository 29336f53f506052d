"""A sent notice's progress and report, against the fake Bot API with Telegram's limits on."""

from __future__ import annotations

from sqlmodel import select

from bot.app import BotApplication
from bot.notices.buttons import Ack, Send, StopSending, ToggleAudience
from bot.people.models import GroupChat
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.notices.conftest import (
    TEXT,
    delivery_rows,
    draft,
    panel_now,
    press_and_wait,
    press_stale,
    staff_members,
    village_groups,
    wait_report,
)


async def test_notice_to_50_staff_and_10_groups_arrives_once_each(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    staff = await staff_members(bot, api, 50)
    groups = await village_groups(bot, api, 10)
    notice_id, panel = await draft(api, admin)
    assert "共 50 个聊天" in panel["text"]
    await press_and_wait(api, admin, panel, ToggleAudience(notice_id, "groups").pack())
    panel = panel_now(api, panel["message_id"])
    assert "全体员工 · 全部村群 → 共 60 个聊天" in panel["text"]
    answer = await press_and_wait(api, admin, panel, Send(notice_id).pack())
    assert answer.params["text"] == "已排队发送给 60 个聊天。"

    report = await wait_report(api, panel["message_id"])
    assert "已发送 60/60 · 失败 0" in report
    recipients = [u.id for u in staff] + groups
    assert {chat: api.accepted_sends[chat] for chat in recipients} == dict.fromkeys(recipients, 1)
    assert [m for m in api.sent_messages(ADMIN_ID) if m.get("text") == TEXT] == [], "no copy for its sender"
    # At most one stray 429 (the fake shares the bot's event loop; see tests/e2e/delivery/test_sender.STRAY_429).
    assert sum(api.rejected_by_chat[chat] for chat in recipients) <= 1
    copy = api.last_sent(staff[0].id)
    assert copy["text"] == TEXT
    assert copy["reply_markup"]["inline_keyboard"] == [
        [{"text": "✅ 收到", "callback_data": Ack(notice_id).pack()}]
    ]
    assert "reply_markup" not in api.last_sent(groups[0])
    rows = await delivery_rows(bot, notice_id)
    assert len(rows) == 60 and {r.state for r in rows.values()} == {"sent"}
    assert all(rows[chat].message_id == api.last_sent(chat)["message_id"] for chat in recipients)


async def test_blocked_chats_are_reported_and_the_group_turns_inactive(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    blocker, reader = await staff_members(bot, api, 2)
    await api.block_bot(blocker)
    (kicked,) = await village_groups(bot, api, 1, bot_status="kicked")
    notice_id, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, ToggleAudience(notice_id, "groups").pack())
    await press_and_wait(api, admin, panel_now(api, panel["message_id"]), Send(notice_id).pack())

    report = await wait_report(api, panel["message_id"])
    assert "已发送 1/3 · 失败 0 · 被屏蔽 2" in report
    assert "员工00 — Forbidden: bot was blocked by the user" in report
    assert "村群0 — Forbidden: bot was kicked from the group chat" in report
    rows = await delivery_rows(bot, notice_id)
    assert (rows[blocker.id].state, rows[reader.id].state, rows[kicked].state) == (
        "blocked",
        "sent",
        "blocked",
    )
    async with bot.bot_data.db() as session:
        group = (await session.exec(select(GroupChat))).one()
    assert not group.active


async def test_retry_after_is_waited_out_and_migrated_groups_are_followed(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    (worker,) = await staff_members(bot, api, 1)
    (group,) = await village_groups(bot, api, 1)
    supergroup = api.group(-1004000, "村群0", type="supergroup").id
    api.fail_next("sendMessage", status=429, retry_after=2, chat_id=worker.id)
    api.fail_next("sendMessage", status=400, migrate_to_chat_id=supergroup, chat_id=group)
    notice_id, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, ToggleAudience(notice_id, "groups").pack())
    await press_and_wait(api, admin, panel_now(api, panel["message_id"]), Send(notice_id).pack())

    report = await wait_report(api, panel["message_id"])
    assert "已发送 2/2 · 失败 0" in report
    first, second = api.calls_to("sendMessage", ok=None, chat_id=worker.id)
    assert (first.status, second.status) == (429, 200) and second.time - first.time >= 2
    assert api.accepted_sends[worker.id] == 1
    assert api.accepted_sends[group] == 0 and api.accepted_sends[supergroup] == 1
    assert api.last_sent(supergroup)["text"] == TEXT
    rows = await delivery_rows(bot, notice_id)
    assert set(rows) == {worker.id, supergroup}
    async with bot.bot_data.db() as session:
        stored = (await session.exec(select(GroupChat))).one()
    assert stored.chat_id == supergroup


async def test_cancel_stops_further_sends(bot: BotApplication, api: FakeBotAPI, admin: FakeUser) -> None:
    staff = await staff_members(bot, api, 100)
    notice_id, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, Send(notice_id).pack(), edits=False)
    await api.wait_until(lambda: sum(api.accepted_sends[u.id] for u in staff) >= 5, timeout=10)
    answer = await press_stale(api, admin, panel_now(api, panel["message_id"]), StopSending(notice_id).pack())
    assert answer.params["text"].startswith("已停止")

    report = await wait_report(api, panel["message_id"], "已停止")
    rows = await delivery_rows(bot, notice_id)
    sent = {chat for chat, row in rows.items() if row.state == "sent"}
    await api.wait_idle(quiet=0.5)
    assert {u.id for u in staff if api.accepted_sends[u.id]} == sent
    assert 5 <= len(sent) < 80
    assert all(api.accepted_sends[u.id] <= 1 for u in staff)
    assert {row.state for chat, row in rows.items() if chat not in sent} == {"cancelled"}
    assert f"已发送 {len(sent)}/100" in report and f"未发送 {100 - len(sent)}" in report
