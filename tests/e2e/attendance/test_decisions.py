"""Admins decide requests: every admin's card shows the outcome, stale buttons change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.app import BotApplication
from bot.attendance import outbox
from bot.attendance.buttons import Decide
from bot.attendance.models import RequestStatus
from bot.delivery import service as delivery
from bot.delivery.models import DeliveryState
from bot.i18n import gettext_for
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.replies import STALE_BUTTON
from tests.e2e.attendance.conftest import (
    card_shown,
    define_shift,
    leave_cards,
    request_status,
    second_admin,
    staff_members,
)
from tests.e2e.conftest import ADMIN_ID, press, reply_to


async def test_when_one_admin_decides_the_other_admins_cards_say_so(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    zhao = await second_admin(app, api)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-09")

    mark = api.mark()
    answered = await press(api, admin, mine.result, Decide(1, approve=True).pack())
    assert answered.params["text"] == "已批准。"
    edit = await api.wait_for("editMessageText", since=mark, chat_id=zhao.id)
    assert int(edit.params["message_id"]) == theirs.result["message_id"]
    text = edit.params["text"]
    assert "Leave #1" in text and "小李" in text and "Status: approved" in text
    assert text.endswith("\n✅ Approved by 王经理")
    assert "reply_markup" not in edit.params
    shown = card_shown(api, zhao, theirs)
    assert "reply_markup" not in shown and shown["text"].endswith("✅ Approved by 王经理")
    # The deciding admin's own card says the same, in Chinese, and is edited once only.
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "已被 王经理 批准" in t)
    await api.wait_idle(quiet=0.02)
    own = card_shown(api, admin, mine)
    assert "reply_markup" not in own and own["text"].endswith("✅ 王经理 已批准")
    assert len(api.calls_to("editMessageText", since=mark, chat_id=ADMIN_ID)) == 1
    assert len(api.calls_to("editMessageText", since=mark, chat_id=zhao.id)) == 1

    # 赵主管 presses the stale reject button anyway: nothing changes, and nobody gets an error.
    mark = api.mark()
    await api.press_button(zhao, theirs.result, Decide(1, approve=False).pack(), strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert stale.params["text"] == "This request was already decided." and stale.params["show_alert"]
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark) == []
    assert card_shown(api, zhao, theirs)["text"].endswith("✅ Approved by 王经理")
    assert await request_status(app, 1) == RequestStatus.APPROVED


async def test_cards_from_the_request_list_are_updated_and_a_lost_card_is_skipped(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    zhao = await second_admin(app, api)
    await reply_to(api, admin, "/start")
    mine, theirs = await leave_cards(api, li, zhao, "2025-10-09")
    listed = await reply_to(api, zhao, "/requests")
    assert "Leave #1" in listed.params["text"] and listed.params["reply_markup"]

    # 赵主管 deleted the first card: editing it fails, which is logged and skipped.
    api.fail_next("editMessageText", chat_id=zhao.id, description="Bad Request: message to edit not found")
    mark = api.mark()
    answered = await press(api, admin, mine.result, Decide(1, approve=False).pack())
    assert answered.params["text"] == "已拒绝。"
    edits = await api.wait_for_calls("editMessageText", since=mark, ok=None, chat_id=zhao.id, count=2)
    assert [(int(c.params["message_id"]), c.ok) for c in edits] == [
        (theirs.result["message_id"], False),
        (listed.result["message_id"], True),
    ]
    shown = card_shown(api, zhao, listed)
    assert "reply_markup" not in shown and shown["text"].endswith("✖️ Rejected by 王经理")
    await api.wait_for("sendMessage", chat_id=li.id, text=lambda t: "被 王经理 拒绝" in t)
    await api.wait_idle(quiet=0.02)
    assert api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID) == []
    assert api.calls_to("sendMessage", since=mark, chat_id=zhao.id) == []
    assert await request_status(app, 1) == RequestStatus.REJECTED


async def test_a_forged_decision_is_refused(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    listed = await reply_to(api, admin, "/requests")
    assert listed.params["text"] == "没有待审批的申请。"
    mark = api.mark()
    await api.press_button(admin, listed.result, Decide(99, approve=True).pack(), strict=False)
    missing = await api.wait_for("answerCallbackQuery", since=mark)
    assert missing.params["text"] == "这个申请已不存在。" and missing.params["show_alert"]
    mark = api.mark()
    await api.press_button(admin, listed.result, "att.decide.v1:-1:1", strict=False)
    forged = await api.wait_for("answerCallbackQuery", since=mark)
    assert forged.params["text"] == gettext_for("zh_CN")(STALE_BUTTON)


async def test_the_outcome_reaches_the_requester_through_the_outbox_even_when_telegram_is_down_a_while(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    (li,) = await staff_members(app, api, "小李")
    zhao = await second_admin(app, api)
    await define_shift(api, admin, "早班 08:30 17:00 1-5", li)
    mine, _theirs = await leave_cards(api, li, zhao, "2025-10-09")
    api.fail_next("sendMessage", status=502, description="Bad Gateway", chat_id=li.id)
    mark = api.mark()
    await press(api, admin, mine.result, Decide(1, approve=True).pack())
    await api.wait_for("sendMessage", ok=False, since=mark, chat_id=li.id)
    clock.shift(timedelta(seconds=30))  # the outbox tries again a little later
    told = await api.wait_for(
        "sendMessage", since=mark, chat_id=li.id, text=lambda t: "已被 王经理 批准" in t
    )
    assert "#1" in told.params["text"]
    for _ in range(50):  # the sender records the send just after Telegram has answered
        async with app.bot_data.db() as session:
            (campaign,) = await delivery.list_campaigns(session, ref=outbox.request_ref(1))
            (row,) = await delivery.list_deliveries(session, campaign.id or 0)
        if row.state == DeliveryState.SENT:
            break
        await asyncio.sleep(0.1)
    assert row.chat_id == li.id and row.state == DeliveryState.SENT
