"""Staff requests: leave, shift swaps (the colleague answers first) and missed-punch corrections (补卡)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceRequest, Punch, RequestKind, RequestStatus
from bot.attendance.schedule import Occurrence, local_date, local_moment
from bot.attendance.service.common import clean_reason
from bot.attendance.service.rosters import record_occurrence, records_between, roster, shift_specs
from bot.people.models import Person

MAX_LEAVE_DAYS = 31
MAX_BACKDATE_DAYS = 31


class RequestError(StrEnum):
    """Why a request was refused."""

    BAD_RANGE = "bad_range"  # end before start
    TOO_LONG = "too_long"
    TOO_OLD = "too_old"
    OVERLAP = "overlap"  # leave already asked for on those days
    SELF = "self"
    NOT_STAFF = "not_staff"
    NO_SHIFT = "no_shift"  # no shift that day to swap or correct
    PAST = "past"  # a swap for a shift that already started
    FUTURE = "future"  # a correction for a time still to come
    DUPLICATE = "duplicate"


async def request_leave(
    session: AsyncSession,
    person: Person,
    start: date,
    end: date,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask for leave from ``start`` to ``end`` (inclusive)."""
    today = local_date(now, tz)
    if end < start:
        return RequestError.BAD_RANGE
    if (end - start).days + 1 > MAX_LEAVE_DAYS:
        return RequestError.TOO_LONG
    if start < today - timedelta(days=MAX_BACKDATE_DAYS):
        return RequestError.TOO_OLD
    result = await session.exec(
        select(AttendanceRequest).where(
            AttendanceRequest.person_id == person.id,
            AttendanceRequest.kind == RequestKind.LEAVE,
            col(AttendanceRequest.status).in_([RequestStatus.PENDING, RequestStatus.APPROVED]),
            col(AttendanceRequest.start_date) <= end,
            col(AttendanceRequest.end_date) >= start,
        )
    )
    if result.first() is not None:
        return RequestError.OVERLAP
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.LEAVE,
            person_id=person.id,
            start_date=start,
            end_date=end,
            reason=clean_reason(reason),
            created_at=now,
        ),
    )


async def _save_request(session: AsyncSession, request: AttendanceRequest) -> AttendanceRequest:
    session.add(request)
    await session.commit()
    return request


async def request_swap(
    session: AsyncSession,
    person: Person,
    colleague: Person,
    day: date,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask ``colleague`` to swap shifts on ``day``: they work the requester's shift, the requester works
    theirs (if they have one). The colleague must accept, then an admin decides."""
    if colleague.id == person.id:
        return RequestError.SELF
    if not colleague.is_staff:
        return RequestError.NOT_STAFF
    assert person.id is not None
    duties = [d for d in await roster(session, day, day, tz, person_id=person.id) if not d.on_leave]
    if not duties:
        return RequestError.NO_SHIFT
    if min(d.occ.starts_at for d in duties) <= now:
        return RequestError.PAST
    result = await session.exec(
        select(AttendanceRequest).where(
            AttendanceRequest.kind == RequestKind.SWAP,
            AttendanceRequest.person_id == person.id,
            AttendanceRequest.start_date == day,
            col(AttendanceRequest.status).in_(
                [RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING, RequestStatus.APPROVED]
            ),
        )
    )
    if result.first() is not None:
        return RequestError.DUPLICATE
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.SWAP,
            person_id=person.id,
            colleague_id=colleague.id,
            status=RequestStatus.AWAITING_COLLEAGUE,
            start_date=day,
            end_date=day,
            shift_id=duties[0].occ.shift.id,
            reason=clean_reason(reason),
            created_at=now,
        ),
    )


class AnswerOutcome(StrEnum):
    """What a colleague's or an admin's answer did."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    ALREADY = "already"  # decided before
    NOT_READY = "not_ready"  # a swap the colleague has not accepted yet


async def answer_swap(
    session: AsyncSession,
    request_id: int,
    colleague: Person,
    accept: bool,
    now: datetime,
    *,
    commit: bool = True,
) -> tuple[AnswerOutcome, AttendanceRequest | None]:
    """The colleague accepts (the request goes to the admins) or declines (it ends). With ``commit=False``
    the caller commits the answer together with what it tells the requester."""
    request = await session.get(AttendanceRequest, request_id)
    if request is None or request.kind != RequestKind.SWAP:
        return AnswerOutcome.NOT_FOUND, None
    if request.colleague_id != colleague.id:
        return AnswerOutcome.NOT_YOURS, request
    if request.status != RequestStatus.AWAITING_COLLEAGUE:
        return AnswerOutcome.ALREADY, request
    request.status = RequestStatus.PENDING if accept else RequestStatus.DECLINED
    request.colleague_answered_at = now
    session.add(request)
    if commit:
        await session.commit()
    else:
        await session.flush()
    return AnswerOutcome.DONE, request


async def request_correction(
    session: AsyncSession,
    person: Person,
    day: date,
    punch: Punch,
    minute: int,
    reason: str,
    now: datetime,
    tz: ZoneInfo,
) -> AttendanceRequest | RequestError:
    """Ask for a missed check-in or check-out (补卡) at local time ``minute`` on the shift of ``day``."""
    assert person.id is not None
    today = local_date(now, tz)
    if day < today - timedelta(days=MAX_BACKDATE_DAYS):
        return RequestError.TOO_OLD
    duties = [d for d in await roster(session, day, day, tz, person_id=person.id) if not d.on_leave]
    records = await records_between(session, day, day, person_id=person.id)
    specs = await shift_specs(session, [r.shift_id for r in records])
    occs = {d.occ.shift.id: d.occ for d in duties}
    for record in records:
        occs.setdefault(record.shift_id, record_occurrence(record, specs[record.shift_id]))
    if not occs:
        return RequestError.NO_SHIFT
    candidates = [local_moment(day, minute + 1440 * extra, tz) for extra in (0, 1)]

    def fit(occ: Occurrence) -> tuple[float, datetime]:
        anchor = occ.starts_at if punch == Punch.IN else occ.ends_at
        moment = min(candidates, key=lambda m: abs((m - anchor).total_seconds()))
        return abs((moment - anchor).total_seconds()), moment

    occ = min(occs.values(), key=lambda o: fit(o)[0])
    punch_at = fit(occ)[1]
    if punch_at > now:
        return RequestError.FUTURE
    return await _save_request(
        session,
        AttendanceRequest(
            kind=RequestKind.CORRECTION,
            person_id=person.id,
            start_date=day,
            end_date=day,
            shift_id=occ.shift.id,
            punch=punch,
            punch_at=punch_at,
            reason=clean_reason(reason),
            created_at=now,
        ),
    )


async def get_request(session: AsyncSession, request_id: int) -> AttendanceRequest | None:
    return await session.get(AttendanceRequest, request_id)


async def pending_requests(session: AsyncSession) -> list[AttendanceRequest]:
    """Requests waiting for an admin, oldest first."""
    result = await session.exec(
        select(AttendanceRequest)
        .where(AttendanceRequest.status == RequestStatus.PENDING)
        .order_by(AttendanceRequest.id)
    )
    return list(result.all())


async def cancel_request(session: AsyncSession, request_id: int, person: Person) -> AnswerOutcome:
    """The requester withdraws a request that was not decided yet."""
    result = await session.exec(
        update(AttendanceRequest)
        .where(
            col(AttendanceRequest.id) == request_id,
            col(AttendanceRequest.person_id) == person.id,
            col(AttendanceRequest.status).in_([RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING]),
        )
        .values(status=RequestStatus.CANCELLED)
    )
    await session.commit()
    return AnswerOutcome.DONE if result.rowcount else AnswerOutcome.ALREADY


async def my_requests(session: AsyncSession, person_id: int, limit: int = 10) -> list[AttendanceRequest]:
    """A person's latest requests, newest first."""
    result = await session.exec(
        select(AttendanceRequest)
        .where(
            or_(
                AttendanceRequest.person_id == person_id,
                and_(
                    col(AttendanceRequest.colleague_id) == person_id,
                    col(AttendanceRequest.status) == RequestStatus.AWAITING_COLLEAGUE,
                ),
            )
        )
        .order_by(col(AttendanceRequest.id).desc())
        .limit(limit)
    )
    return list(result.all())
