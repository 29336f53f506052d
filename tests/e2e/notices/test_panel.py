"""The draft panel: choosing the audience (chosen groups, the staff of a shift), discarding, who may press."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.app import BotApplication
from bot.attendance import service as attendance
from bot.attendance.schedule import local_date, parse_shift
from bot.clock import utcnow
from bot.delivery.models import Campaign
from bot.notices.buttons import BackToDraft, Discard, PickAudience, PickValue, Send, ToggleAudience
from bot.notices.models import Notice
from bot.people import service as people
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, buttons, reply_to, staff
from tests.e2e.notices.conftest import (
    QUICK,
    TEXT,
    draft,
    notice_id,
    panel_now,
    press_and_wait,
    press_stale,
    staff_members,
    village_groups,
    wait_report,
)

SHIFT_TEXT = "早班同事：明天起请提前十分钟到岗"


async def test_drafts_can_be_aimed_at_chosen_groups_or_discarded(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api  # limits off: this one is about the panel, and an admin clicks faster than 1/s
    await staff_members(bot, api, 1)
    first, second, third = await village_groups(bot, api, 3)
    nid, message = await draft(api, admin)
    await press_and_wait(api, admin, message, ToggleAudience(nid, "staff").pack())
    await press_and_wait(
        api, admin, panel_now(api, message["message_id"]), PickAudience(nid, "group", 0).pack()
    )
    picker = panel_now(api, message["message_id"])
    assert "选择指定村群" in picker["text"]
    await press_and_wait(api, admin, picker, PickValue(nid, "group", 0, str(first)).pack())
    await press_and_wait(
        api, admin, panel_now(api, message["message_id"]), PickValue(nid, "group", 0, str(second)).pack()
    )
    await press_and_wait(api, admin, panel_now(api, message["message_id"]), BackToDraft(nid).pack())
    panel = panel_now(api, message["message_id"])
    assert "指定村群 (2) → 共 2 个聊天" in panel["text"]
    await press_and_wait(api, admin, panel, Send(nid).pack())
    await wait_report(api, message["message_id"])
    assert (api.accepted_sends[first], api.accepted_sends[second], api.accepted_sends[third]) == (1, 1, 0)

    other_id, other = await draft(api, admin, "不要发")
    await press_and_wait(api, admin, other, Discard(other_id).pack())
    assert "已放弃" in panel_now(api, other["message_id"])["text"]
    stale = await press_stale(api, admin, other, Send(other_id).pack())
    assert stale.params["text"] == "这条通知已经发出或已放弃。"


async def test_a_notice_to_one_shift_reaches_only_its_staff(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    """Only the people on that shift now or later get it."""
    api = fake_bot_api  # limits off: this one is about who gets the notice
    bot.bot_data.sender.config = QUICK
    early_li, early_wang, late_zhao, former_sun, office_chen = [
        await staff(bot, api, 6100 + i, name)
        for i, name in enumerate(("小李", "小王", "小赵", "小孙", "小陈"))
    ]
    today = local_date(utcnow(), bot.bot_data.settings.tz)
    async with bot.bot_data.db() as session:
        shifts = {}
        for definition in ("早班 08:30 17:00 1-5", "晚班 14:00 22:00 1-5"):
            shift_draft = parse_shift(definition.split())
            assert not isinstance(shift_draft, tuple), shift_draft
            shifts[shift_draft.name], _created = await attendance.save_shift(session, shift_draft)

        async def put(user: FakeUser, shift: str, start: int, end: int | None = None) -> None:
            person = await people.get_person(session, user.id)
            assert person is not None
            last = None if end is None else today + timedelta(days=end)
            await attendance.assign(session, shifts[shift], person, today + timedelta(days=start), last)

        await put(early_li, "早班", -30)
        await put(early_wang, "早班", 2)  # starts the day after tomorrow
        await put(late_zhao, "晚班", -30)
        await put(former_sun, "早班", -30, -1)  # ended yesterday
    early_id = shifts["早班"].id

    call = await reply_to(api, admin, f"/notice {SHIFT_TEXT}")
    panel = call.result
    nid = notice_id(panel)

    def labelled(message: dict[str, object]) -> dict[str, str]:
        return {b["text"]: b["callback_data"] for b in buttons(message)}

    async def pressed(message: dict[str, object], data: str) -> dict[str, object]:
        await press_and_wait(api, admin, message, data)
        return panel_now(api, message["message_id"])

    assert labelled(panel)["员工（按班次） ›"] == PickAudience(nid, "shift", 0).pack()
    panel = await pressed(panel, ToggleAudience(nid, "staff").pack())  # not all staff, only the shift
    picker = await pressed(panel, PickAudience(nid, "shift", 0).pack())
    assert "选择员工（按班次）" in picker["text"]
    assert list(labelled(picker))[:2] == ["☐ 早班 08:30–17:00", "☐ 晚班 14:00–22:00"]
    picker = await pressed(picker, PickValue(nid, "shift", 0, str(early_id)).pack())
    assert "☑ 早班 08:30–17:00" in labelled(picker)
    panel = await pressed(picker, BackToDraft(nid).pack())
    assert "员工（按班次） (1) → 共 2 个聊天" in panel["text"]

    await api.press_button(admin, panel, Send(nid).pack())
    await api.wait_until(
        lambda: "发送完成" in (api.message(ADMIN_ID, panel["message_id"]) or {}).get("text", ""),
        timeout=10,
        message="the delivery report",
    )
    assert api.last_sent(early_li.id)["text"] == SHIFT_TEXT
    assert api.last_sent(early_wang.id)["text"] == SHIFT_TEXT
    assert [api.accepted_sends[u.id] for u in (early_li, early_wang, late_zhao, former_sun, office_chen)] == [
        1,
        1,
        0,
        0,
        0,
    ]


async def test_non_admins_cannot_send_notices(bot: BotApplication, api: FakeBotAPI, admin: FakeUser) -> None:
    (worker,) = await staff_members(bot, api, 1)
    refused = await reply_to(api, worker, f"/notice {TEXT}")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    refused = await reply_to(api, worker, "/notices")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    nid, panel = await draft(api, admin)
    # A staff member replaying the admin's button gets refused too.
    answer = await press_stale(api, worker, panel, Send(nid).pack())
    assert answer.params["text"] == "抱歉，只有管理员可以这样操作。"
    async with bot.bot_data.db() as session:
        assert (await session.exec(select(Campaign))).all() == []
        notice = await session.get(Notice, nid)
        assert notice is not None and notice.state == "draft"
