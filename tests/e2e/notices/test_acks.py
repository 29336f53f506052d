"""收到, reminders to those who have not pressed it, and /mynotices."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.app import BotApplication
from bot.clock import utcnow
from bot.notices.buttons import (
    Ack,
    Acknowledged,
    Send,
    ShowNotice,
    ToggleAudience,
    WhoAcknowledged,
    WhoIsMissing,
)
from bot.notices.models import NoticeAck
from bot.notices.scheduled import send_due_reminders
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import reply_to
from tests.e2e.notices.conftest import (
    TEXT,
    draft,
    panel_now,
    press_and_wait,
    press_stale,
    staff_members,
    village_groups,
    wait_report,
)


async def test_acknowledgements_and_reminders_to_those_who_have_not(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    quick, slow, late = await staff_members(bot, api, 3)
    notice_id, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, Send(notice_id).pack())
    await wait_report(api, panel["message_id"])

    answer = await press_and_wait(api, quick, api.last_sent(quick.id), Ack(notice_id).pack())
    assert answer.params["text"] == "谢谢，已记录你的确认。"
    await api.wait_for("editMessageReplyMarkup", chat_id=quick.id)
    assert api.last_sent(quick.id)["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ 已确认"
    again = await press_and_wait(api, quick, api.last_sent(quick.id), Acknowledged().pack(), edits=False)
    assert again.params["text"] == "你已经确认过这条通知了。"
    await press_and_wait(api, slow, api.last_sent(slow.id), Ack(notice_id).pack())

    # Two hours later the bot reminds only the one who has not confirmed.
    mark = api.mark()
    assert await send_due_reminders(bot, now=utcnow() + timedelta(minutes=121)) == 1
    reminder = await api.wait_for("sendMessage", since=mark, chat_id=late.id)
    await api.wait_idle(quiet=0.5)
    assert [c.params["chat_id"] for c in api.calls_to("sendMessage", since=mark)] == [late.id]
    assert "🔔 提醒" in reminder.params["text"] and TEXT in reminder.params["text"]
    original = next(m for m in api.sent_messages(late.id) if m["text"] == TEXT)
    assert reminder.result["reply_to_message"]["message_id"] == original["message_id"]

    # The admin sees who confirmed and who has not.
    listing = await reply_to(api, admin, "/notices")
    assert f"#{notice_id}" in listing.params["text"] and "✅ 2" in listing.params["text"]
    await press_and_wait(api, admin, listing.result, ShowNotice(notice_id).pack())
    details = panel_now(api, listing.result["message_id"])["text"]
    assert "已确认：2/3" in details and "已提醒 1/2 次" in details
    await press_and_wait(
        api, admin, panel_now(api, listing.result["message_id"]), WhoIsMissing(notice_id).pack()
    )
    missing = panel_now(api, listing.result["message_id"])["text"]
    assert "尚未确认" in missing and "员工02" in missing and "员工00" not in missing

    # The latecomer finds it under /mynotices and confirms there; no more reminders.
    mine = await reply_to(api, late, "/mynotices")
    assert "等待你确认的通知" in mine.params["text"]
    await press_and_wait(api, late, mine.result, Ack(notice_id).pack())
    assert await send_due_reminders(bot, now=utcnow() + timedelta(minutes=250)) == 0
    nothing = await reply_to(api, late, "/mynotices")
    assert nothing.params["text"] == "所有通知你都已确认。👍"
    async with bot.bot_data.db() as session:
        acks = (await session.exec(select(NoticeAck))).all()
    assert len(acks) == 3


async def test_only_those_the_notice_reached_can_acknowledge_it(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    first, second, _third = await staff_members(bot, api, 3)
    (group_id,) = await village_groups(bot, api, 1)
    notice_id, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, ToggleAudience(notice_id, "groups").pack())
    await press_and_wait(api, admin, panel_now(api, panel["message_id"]), Send(notice_id).pack())
    report = await wait_report(api, panel["message_id"])
    assert "发送 4/4" in report and "目前已确认：0/3" in report, report

    for worker in (first, second):
        answer = await press_and_wait(api, worker, api.last_sent(worker.id), Ack(notice_id).pack())
        assert answer.params["text"] == "谢谢，已记录你的确认。"

    # A job seeker and a member of the village group forge the 收到 press: refused, nothing recorded.
    seeker = api.user(7000, "求职者")
    own = await reply_to(api, seeker, "/start")
    villager = api.user(7100, "村民")
    copy_in_group = api.last_sent(group_id)
    assert "reply_markup" not in copy_in_group, "groups get no 收到 button"
    mark = api.mark()
    for forger, message in ((seeker, own.result), (villager, copy_in_group)):
        answer = await press_stale(api, forger, message, Ack(notice_id).pack())
        assert answer.params["text"] == "这条通知没有发给你，无需确认。"
    assert api.calls_to("editMessageReplyMarkup", since=mark) == []
    async with bot.bot_data.db() as session:
        assert len((await session.exec(select(NoticeAck))).all()) == 2

    # The panel, /notices and the details agree: 2 of the 3 staff it reached.
    await press_and_wait(api, admin, panel_now(api, panel["message_id"]), ShowNotice(notice_id).pack())
    details = panel_now(api, panel["message_id"])
    assert "已确认：2/3" in details["text"], details["text"]
    assert [b["text"] for b in details["reply_markup"]["inline_keyboard"][0]] == [
        "✅ 已确认（2）",
        "⏳ 未确认（1）",
    ]
    listing = await reply_to(api, admin, "/notices")
    assert f"#{notice_id}" in listing.params["text"] and "✅ 2/3" in listing.params["text"]
    await press_and_wait(api, admin, details, WhoAcknowledged(notice_id).pack())
    acknowledged = panel_now(api, panel["message_id"])["text"]
    assert "员工00" in acknowledged and "员工01" in acknowledged
    assert "求职者" not in acknowledged and "村民" not in acknowledged
