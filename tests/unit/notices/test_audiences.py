"""Who a notice can go to: the default audience kinds, and kinds other capabilities add."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import service as delivery
from bot.notices.audiences import AudienceKind, default_registry
from tests.unit.notices.conftest import world


async def test_audiences_resolve_each_chat_once(session: AsyncSession) -> None:
    boss, _ = await world(session)
    registry = default_registry()

    async def chats(selection: dict[str, list[str]]) -> list[int]:
        return [t.chat_id for t in await registry.resolve(session, selection, exclude=[boss.telegram_id])]

    assert await chats({"staff": []}) == [2, 10, 11, 12]
    assert await chats({"admins": []}) == [2]
    assert await chats({"groups": []}) == [-100, -200]
    assert await chats({"group": ["-200", "-300", "junk"]}) == [-200]
    assert await chats({"group": []}) == []
    assert await chats({"staff": [], "admins": [], "groups": [], "group": ["-100"]}) == [
        2,
        10,
        11,
        12,
        -100,
        -200,
    ]
    labels = {t.chat_id: t.label for t in await registry.resolve(session, {"groups": []})}
    assert labels == {-100: "三合村 · 三合村群", -200: "团结村群"}


async def test_other_capabilities_can_add_an_audience(session: AsyncSession) -> None:
    await world(session)
    registry = default_registry()

    async def shift(_session: AsyncSession, values: list[str]) -> list[delivery.Target]:
        return [delivery.Target(int(v)) for v in values]

    async def shifts(_session: AsyncSession) -> list[tuple[str, str]]:
        return [("10", "早班")]

    registry.add(AudienceKind("shift", "Staff of a shift", shift, choices=shifts, order=15))
    assert [k.key for k in registry.all()] == ["staff", "shift", "admins", "groups", "group"]
    assert [t.chat_id for t in await registry.resolve(session, {"shift": ["10", "11"], "staff": []})] == [
        1,
        2,
        10,
        11,
        12,
    ]
