"""The notice audience "staff of a shift": its choices and who it resolves to."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.audience import add_shift_audience, shift_resolver
from bot.notices.audiences import default_registry
from bot.people.models import Role
from tests.unit.attendance.conftest import TZ, MakePerson, MakeShift, at

THURSDAY = date(2025, 10, 9)


async def test_resolves_to_current_and_upcoming_staff_of_the_chosen_shift(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang, zhao, sun, chen = [await make_person(n) for n in ("小李", "小王", "小赵", "小孙", "小陈")]
    seeker = await make_person("求职者", role=Role.SEEKER)
    early = await make_shift("早班 08:30 17:00 1-5", li)
    late = await make_shift("晚班 14:00 22:00 1-5", wang)
    await service.assign(session, early, zhao, THURSDAY - timedelta(days=20), THURSDAY - timedelta(days=1))
    await service.assign(session, early, sun, THURSDAY + timedelta(days=3))  # starts next week
    await service.assign(session, early, chen, THURSDAY, THURSDAY)  # today only
    await service.assign(session, early, seeker, THURSDAY)
    resolve = shift_resolver(TZ)

    with time_machine.travel(at(THURSDAY, "10:00"), tick=False):
        assert [t.chat_id for t in await resolve(session, [str(early.id)])] == [
            li.telegram_id,
            sun.telegram_id,
            chen.telegram_id,
        ]
        assert [t.chat_id for t in await resolve(session, [str(late.id)])] == [wang.telegram_id]
        both = await resolve(session, [str(late.id), str(early.id), "x"])
        assert sorted(t.chat_id for t in both) == sorted(p.telegram_id for p in (li, wang, sun, chen))
        assert await resolve(session, []) == []
        assert (await resolve(session, [str(late.id)]))[0].label == "小王"

    # Early on Friday in Shanghai it is still Thursday in UTC: "today" is the local date.
    with time_machine.travel(at(THURSDAY + timedelta(days=1), "07:30"), tick=False):
        assert chen.telegram_id not in {t.chat_id for t in await resolve(session, [str(early.id)])}

    # A stopped shift reaches nobody.
    await service.deactivate_shift(session, late.id or 0)
    with time_machine.travel(at(THURSDAY, "10:00"), tick=False):
        assert await resolve(session, [str(late.id)]) == []


async def test_the_notice_registry_offers_active_shifts(
    session: AsyncSession, make_person: MakePerson, make_shift: MakeShift
) -> None:
    li, wang = await make_person("小李"), await make_person("小王")
    late = await make_shift("晚班 14:00 22:00 1-5", wang)
    early = await make_shift("早班 08:30 17:00 1-5", li)
    night = await make_shift("夜班 22:00 06:00 1-7")
    await service.deactivate_shift(session, night.id or 0)
    registry = default_registry()
    add_shift_audience(registry, TZ)

    kind = registry.get("shift")
    assert kind is not None and kind.picked
    assert [k.key for k in registry.all()][:2] == ["staff", "shift"]
    assert kind.choices is not None
    assert await kind.choices(session) == [
        (str(early.id), "早班 08:30–17:00"),
        (str(late.id), "晚班 14:00–22:00"),
    ]
    with time_machine.travel(at(THURSDAY, "10:00"), tick=False):
        targets = await registry.resolve(session, {"shift": [str(early.id)]}, exclude=[wang.telegram_id])
    assert [t.chat_id for t in targets] == [li.telegram_id]
