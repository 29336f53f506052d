"""收到, reminders to those who have not pressed it, and /mynotices."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.app import BotApplication
from bot.clock import utcnow
from bot.notices.buttons import Ack, Acknowledged, Send, ShowNotice, WhoIsMissing
from bot.notices.models import NoticeAck
from bot.notices.scheduled import send_due_reminders
from tests.e2e.conftest import reply_to
from tests.e2e.notices.conftest import TEXT, draft, panel_now, press_and_wait, staff_members, wait_report
from tests.fakes.bot_api import FakeBotAPI, FakeUser


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
