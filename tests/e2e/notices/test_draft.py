"""Writing a notice: ``/notice`` and then any message, the send time typed on the panel, cancelling."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from bot.app import BotApplication
from bot.clock import utcnow
from bot.delivery.models import Campaign
from bot.notices.buttons import Ack, CancelWriting, ChooseTime, Pin, Send
from bot.notices.models import Notice
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, press, reply_to
from tests.e2e.notices.conftest import (
    draft,
    notice_id,
    panel_now,
    press_and_wait,
    staff_members,
    wait_report,
)


async def _notices(bot: BotApplication) -> list[Notice]:
    async with bot.bot_data.db() as session:
        return list((await session.exec(select(Notice))).all())


async def test_photo_notice_scheduled_for_later(
    bot: BotApplication, api: FakeBotAPI, admin: FakeUser
) -> None:
    (worker,) = await staff_members(bot, api, 1)
    await reply_to(api, admin, "/notice")
    mark = api.mark()
    await api.send_photo(admin, caption="新排班表")
    panel = (await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)).result
    assert "[图片] <i>新排班表</i>" not in panel["text"] and "[图片]" in panel["text"]
    nid = notice_id(panel)
    await press_and_wait(api, admin, panel, Pin(nid).pack())
    mark = api.mark()
    await press_and_wait(api, admin, panel_now(api, panel["message_id"]), ChooseTime(nid).pack(), edits=False)
    prompt = (await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)).result
    assert "什么时候发送" in prompt["text"]
    scheduled = await reply_to(api, admin, "明天 9:00")
    assert "发送时间：" in scheduled.params["text"] and "09:00" in scheduled.params["text"]
    answer = await press_and_wait(api, admin, scheduled.result, Send(nid).pack())
    assert answer.params["text"] == "已排队发送给 1 个聊天。"
    assert "定于" in panel_now(api, scheduled.result["message_id"])["text"]
    await api.wait_idle(quiet=0.5)
    assert api.accepted_sends[worker.id] == 0, "nothing before its time"

    # The time comes (moved here instead of waiting until tomorrow).
    async with bot.bot_data.db() as session:
        await session.exec(update(Campaign).values(send_after=utcnow() - timedelta(seconds=1)))
        await session.commit()
    bot.bot_data.sender.wake()
    await wait_report(api, scheduled.result["message_id"])
    copy = api.last_sent(worker.id)
    assert "photo" in copy and copy["caption"] == "新排班表"
    assert copy["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == Ack(nid).pack()


async def test_waiting_for_the_content_ends_with_cancel(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api  # limits off: the admin answers faster than one message a second
    prompt = await reply_to(api, admin, "/notice")
    assert [b["text"] for b in buttons(prompt)] == ["✖ 取消"]
    cancelled = await reply_to(api, admin, "取消")
    assert cancelled.params["text"] == "已取消。发送 /notice 可以重新开始。"
    after = await reply_to(api, admin, "明天上午开会")
    assert "草稿" not in after.params["text"], "nothing is awaited any more: the text is a question"

    prompt = await reply_to(api, admin, "/notice")
    answer = await press(api, admin, prompt.result, CancelWriting().pack())
    assert "text" not in answer.params or not answer.params["text"]
    await api.wait_until(
        lambda: panel_now(api, prompt.result["message_id"])["text"] == "已取消。发送 /notice 可以重新开始。",
        message="the prompt to say it was cancelled",
    )
    after = await reply_to(api, admin, "明天上午开会")
    assert "草稿" not in after.params["text"]
    assert await _notices(bot) == []


async def test_waiting_for_a_send_time_asks_again_or_ends_with_cancel(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await staff_members(bot, api, 1)
    nid, panel = await draft(api, admin)
    await press_and_wait(api, admin, panel, ChooseTime(nid).pack(), edits=False)
    again = await reply_to(api, admin, "下午", expect="无法识别这个时间")
    assert "60 天以内" in again.params["text"]
    shown = await reply_to(api, admin, "算了", expect="草稿")
    assert "发送时间：立即" in shown.params["text"], "the draft as it was"
    after = await reply_to(api, admin, "18:30")
    assert "草稿" not in after.params["text"], "nothing is awaited any more"
    (notice,) = await _notices(bot)
    assert notice.send_at is None and notice.panel_message_id == shown.result["message_id"]
