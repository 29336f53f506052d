"""A notice to the staff of one shift, end to end: only the people on that shift now or later get it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import BotApplication
from bot.attendance import service as attendance
from bot.attendance.schedule import local_date, parse_shift
from bot.clock import utcnow
from bot.delivery.handlers import get_sender
from bot.delivery.sender import SenderConfig
from bot.people import service as people
from tests.e2e.conftest import ADMIN_ID, make_staff, reply_to
from tests.fakes.bot_api import FakeBotAPI, FakeUser

TEXT = "早班同事：明天起请提前十分钟到岗"


async def _press(api: FakeBotAPI, user: FakeUser, message: dict[str, Any], data: str) -> dict[str, Any]:
    """Press a button on the admin's panel and return the panel once the bot has changed it."""
    chat_id, message_id = message["chat"]["id"], message["message_id"]
    before = api.message(chat_id, message_id)
    await api.press_button(user, message, data)
    await api.wait_until(lambda: api.message(chat_id, message_id) != before, timeout=5, message="an edit")
    panel = api.message(chat_id, message_id)
    assert panel is not None
    return panel


def _buttons(panel: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in panel["reply_markup"]["inline_keyboard"] for b in row}


async def test_a_notice_to_one_shift_reaches_only_its_staff(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api  # limits off: this one is about who gets the notice
    get_sender(bot.bot_data).config = SenderConfig(progress_interval=0.3, idle_poll=0.3, backoff_base=0.2)
    early_li, early_wang, late_zhao, former_sun, office_chen = [
        api.user(6100 + i, name) for i, name in enumerate(("小李", "小王", "小赵", "小孙", "小陈"))
    ]
    for user in (early_li, early_wang, late_zhao, former_sun, office_chen):
        await make_staff(bot, user)
    assert bot.bot_data.db is not None and bot.bot_data.settings is not None
    today = local_date(utcnow(), bot.bot_data.settings.tz)
    async with bot.bot_data.db() as session:
        shifts = {}
        for definition in ("早班 08:30 17:00 1-5", "晚班 14:00 22:00 1-5"):
            draft = parse_shift(definition.split())
            assert not isinstance(draft, tuple), draft
            shifts[draft.name], _created = await attendance.save_shift(session, draft)

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

    call = await reply_to(api, admin, f"/notice {TEXT}")
    panel = call.result
    nid = next(v for v in _buttons(panel).values() if v.startswith("ntc:send:")).rsplit(":", 1)[1]
    assert _buttons(panel)["员工（按班次） ›"] == f"ntc:pick:{nid}:shift:0"
    panel = await _press(api, admin, panel, f"ntc:aud:{nid}:staff")  # not all staff, only the shift
    picker = await _press(api, admin, panel, f"ntc:pick:{nid}:shift:0")
    assert "选择员工（按班次）" in picker["text"]
    assert list(_buttons(picker))[:2] == ["☐ 早班 08:30–17:00", "☐ 晚班 14:00–22:00"]
    picker = await _press(api, admin, picker, f"ntc:val:{nid}:shift:0:{early_id}")
    assert "☑ 早班 08:30–17:00" in _buttons(picker)
    panel = await _press(api, admin, picker, f"ntc:back:{nid}")
    assert "员工（按班次） (1) → 共 2 个聊天" in panel["text"]

    await api.press_button(admin, panel, f"ntc:send:{nid}")
    await api.wait_until(
        lambda: "发送完成" in (api.message(ADMIN_ID, panel["message_id"]) or {}).get("text", ""),
        timeout=10,
        message="the delivery report",
    )
    assert api.last_sent(early_li.id)["text"] == TEXT
    assert api.last_sent(early_wang.id)["text"] == TEXT
    assert [api.accepted_sends[u.id] for u in (early_li, early_wang, late_zhao, former_sun, office_chen)] == [
        1,
        1,
        0,
        0,
        0,
    ]
