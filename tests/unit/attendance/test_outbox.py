"""What attendance queues in the delivery outbox: a campaign per wave and language, written in the tick's
transaction, and waves whose moment passed unsent cancelled."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import outbox, service
from bot.attendance.buttons import CheckInNow
from bot.attendance.models import AttendanceRecord
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, Delivery, DeliveryState
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, MakeShift, at


async def _tick(session: AsyncSession, hhmm: str) -> list[Campaign]:
    now = at(THURSDAY, hhmm)
    done = await service.tick(session, now, TZ, commit=False)
    campaigns = await outbox.queue_notices(session, done.notices, default_language="zh_CN", tz=TZ, now=now)
    await session.commit()
    return campaigns


async def test_a_wave_per_language_each_person_a_row_with_the_check_in_button(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    sam = await make_person("Sam", telegram_language="en")
    shift = await make_shift("早班 08:30 17:00 1-5 close=60", li, wang, sam)
    english, chinese = sorted(await _tick(session, "08:00"), key=lambda c: c.title)
    assert chinese.ref == english.ref == f"attendance:window_open:{shift.id}:{THURSDAY}"
    assert chinese.title.endswith("(zh_CN)") and english.title.endswith("(en)")
    assert "现在可以签到" in chinese.payload["text"] and "Check-in is open now" in english.payload["text"]
    assert chinese.payload["buttons"] == [[{"text": "✅ 签到", "callback_data": CheckInNow().pack()}]]
    assert english.payload["buttons"][0][0]["callback_data"] == CheckInNow().pack()
    assert {d.chat_id for d in await delivery.list_deliveries(session, chinese.id or 0)} == {
        li.telegram_id,
        wang.telegram_id,
    }
    assert [d.chat_id for d in await delivery.list_deliveries(session, english.id or 0)] == [sam.telegram_id]
    assert await _tick(session, "08:01") == []  # decided once


async def test_nothing_is_decided_unless_it_is_queued_too(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li = await make_person("小李")
    await make_shift("早班 08:30 17:00 1-5", li)
    chat = li.telegram_id
    done = await service.tick(session, at(THURSDAY, "08:00"), TZ, commit=False)
    assert len(done.notices) == 1
    await session.rollback()  # the process died before the commit: neither the records nor the wave
    session.expunge_all()
    assert (await session.exec(select(AttendanceRecord))).all() == []
    assert (await session.exec(select(Campaign))).all() == []
    (wave,) = await _tick(session, "08:01")  # the next run decides and queues them
    assert [d.chat_id for d in await delivery.list_deliveries(session, wave.id or 0)] == [chat]


async def test_a_wave_still_unsent_when_check_in_closed_is_cancelled(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    await make_shift("早班 08:30 17:00 1-5 close=60", li, wang)
    (wave,) = await _tick(session, "08:00")
    assert await outbox.cancel_expired(session, at(THURSDAY, "09:29")) == []
    assert await outbox.cancel_expired(session, at(THURSDAY, "09:30")) == [wave.id]
    session.expunge_all()
    cancelled = await session.get(Campaign, wave.id)
    assert cancelled is not None and cancelled.state == CampaignState.CANCELLED
    rows = (await session.exec(select(Delivery).where(Delivery.campaign_id == wave.id))).all()
    assert {r.state for r in rows} == {DeliveryState.CANCELLED}
