"""The request cards: remembered per request, handed out once, forgotten once answered."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.service import RequestError
from tests.unit.attendance.conftest import THURSDAY, TZ, MakePerson, at


async def test_cards_are_handed_out_once_with_their_admin(
    session: AsyncSession, make_person: MakePerson
) -> None:
    li, boss = await make_person("小李"), await make_person("主管")
    request = await service.request_leave(session, li, THURSDAY, THURSDAY, "", at(THURSDAY, "07:00"), TZ)
    assert not isinstance(request, RequestError) and request.id is not None
    await service.add_request_cards(
        session, request.id, [(boss.telegram_id, 11), (li.telegram_id, 12), (42, 13)]
    )
    await service.forget_request_card(session, li.telegram_id, 12)

    cards = await service.take_request_cards(session, request.id)
    assert [(card.chat_id, card.message_id, person.id if person else None) for card, person in cards] == [
        (boss.telegram_id, 11, boss.id),
        (42, 13, None),
    ]
    assert await service.take_request_cards(session, request.id) == []
