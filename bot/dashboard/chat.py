"""What a decision taken on the dashboard does in the chats: the same messages and card updates as the chat's
approve / reject buttons, through attendance's own outbox and card functions."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import outbox
from bot.attendance.handlers import cards
from bot.attendance.handlers.decisions import DECIDED
from bot.attendance.models import AttendanceRequest, RequestKind
from bot.attendance.render import esc
from bot.context import BotApplication, BotContext
from bot.i18n import translator_for
from bot.people.models import Person


async def tell_decision(
    session: AsyncSession, request: AttendanceRequest, admin: Person, approve: bool, default_language: str
) -> None:
    """Queue the decision for the requester (and the colleague of a swap), each in their language, in the
    decision's transaction (the caller commits both)."""
    message = DECIDED[(RequestKind(request.kind), approve)]
    for person_id in (request.person_id, request.colleague_id):
        person = await session.get(Person, person_id) if person_id is not None else None
        if person is not None:
            text = translator_for(person, default_language)(
                message, id=request.id, admin=esc(admin.display_name)
            )
            await outbox.tell(session, person, text, ref=outbox.request_ref(request.id))


async def settle_cards(application: BotApplication, request: AttendanceRequest) -> None:
    """Every admin's card of the decided request shows the outcome, without its buttons."""
    await cards.settle_cards(BotContext(application), request)
