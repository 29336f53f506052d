"""The request cards: the admins' decision cards and the colleague's swap question, so they can be updated."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceRequestCard
from bot.people.models import Person


async def add_request_cards(
    session: AsyncSession, request_id: int, messages: Iterable[tuple[int, int]]
) -> None:
    """Remember the messages ``(chat id, message id)`` that show a request with its buttons: the admins'
    cards, and the question to the colleague of a swap until they answer it."""
    for chat_id, message_id in messages:
        session.add(AttendanceRequestCard(request_id=request_id, chat_id=chat_id, message_id=message_id))
    await session.commit()


async def take_request_cards(
    session: AsyncSession, request_id: int
) -> list[tuple[AttendanceRequestCard, Person | None]]:
    """The remembered cards of a request with the person each was sent to; they are forgotten as they are
    handed out, so each card is updated once."""
    result = await session.exec(
        select(AttendanceRequestCard, Person)
        .join(Person, col(Person.telegram_id) == col(AttendanceRequestCard.chat_id), isouter=True)
        .where(col(AttendanceRequestCard.request_id) == request_id)
        .order_by(col(AttendanceRequestCard.id))
    )
    cards = list(result.all())
    if cards:
        await session.exec(
            delete(AttendanceRequestCard).where(col(AttendanceRequestCard.id).in_([c.id for c, _ in cards]))
        )
        await session.commit()
    return [(card, person) for card, person in cards]


async def forget_request_card(session: AsyncSession, chat_id: int, message_id: int) -> None:
    """Forget one remembered message (its buttons were answered and it was updated already)."""
    await session.exec(
        delete(AttendanceRequestCard).where(
            col(AttendanceRequestCard.chat_id) == chat_id, col(AttendanceRequestCard.message_id) == message_id
        )
    )
    await session.commit()
