"""An admin's decision on a request, wherever it is taken (a card's buttons in chat, the dashboard): the
decision and the messages that tell its people, in one transaction. No Telegram; once it returns
``DONE`` the caller wakes the sender and settles the request's cards (``bot.attendance.cards``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import outbox, service
from bot.attendance.models import AttendanceRequest, RequestKind
from bot.attendance.render import esc
from bot.attendance.service import AnswerOutcome
from bot.i18n import N_, translator_for
from bot.people.models import Person

DECIDED = {
    (RequestKind.LEAVE, True): N_("✅ Your leave request #{id} was approved by {admin}."),
    (RequestKind.LEAVE, False): N_("✖️ Your leave request #{id} was rejected by {admin}."),
    (RequestKind.SWAP, True): N_("✅ Swap request #{id} was approved by {admin}."),
    (RequestKind.SWAP, False): N_("✖️ Swap request #{id} was rejected by {admin}."),
    (RequestKind.CORRECTION, True): N_("✅ Your correction request #{id} was approved by {admin}."),
    (RequestKind.CORRECTION, False): N_("✖️ Your correction request #{id} was rejected by {admin}."),
}


async def decide(
    session: AsyncSession,
    request_id: int,
    admin: Person,
    approve: bool,
    now: datetime,
    tz: ZoneInfo,
    default_language: str,
) -> tuple[AnswerOutcome, AttendanceRequest | None]:
    """Approve or reject a request and queue the outcome for the requester (and the colleague of a swap),
    each in their language, committed together: nobody is told of a decision that was not taken."""
    outcome, request = await service.decide(session, request_id, admin, approve, now, tz, commit=False)
    if outcome == AnswerOutcome.DONE and request is not None:
        await _tell(session, request, admin, approve, default_language)
    await session.commit()
    return outcome, request


async def _tell(
    session: AsyncSession, request: AttendanceRequest, admin: Person, approve: bool, default_language: str
) -> None:
    message = DECIDED[(RequestKind(request.kind), approve)]
    for person_id in (request.person_id, request.colleague_id):
        person = await session.get(Person, person_id) if person_id is not None else None
        if person is not None:
            text = translator_for(person, default_language)(
                message, id=request.id, admin=esc(admin.display_name)
            )
            await outbox.tell(session, person, text, ref=outbox.request_ref(request.id))
