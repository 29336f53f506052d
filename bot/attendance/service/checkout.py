"""Check-out: of the shift a person is checked in to, asking first before its end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance.models import AttendanceRecord
from bot.attendance.schedule import CHECKOUT_CLOSE_AFTER, early_minutes, local_date
from bot.attendance.service.rosters import records_between, shift_specs

RECENT_CHECKOUT = timedelta(hours=12)


class CheckOutOutcome(StrEnum):
    """What happened to a check-out."""

    DONE = "done"
    EARLY = "early"  # before the end of the shift: needs a confirmation
    ALREADY = "already"
    CLOSED = "closed"  # closed without a check-out by the scheduler: a correction is needed
    NOT_CHECKED_IN = "not_checked_in"


@dataclass(slots=True)
class CheckOut:
    """The answer to a check-out."""

    outcome: CheckOutOutcome
    shift_name: str = ""
    record: AttendanceRecord | None = None
    early_minutes: int = 0


async def check_out(
    session: AsyncSession, person_id: int, now: datetime, tz: ZoneInfo, *, early_ok: bool = False
) -> CheckOut:
    """Check a person out of the shift they are checked in to; before its end only with ``early_ok``."""
    today = local_date(now, tz)
    records = [
        r
        for r in await records_between(session, today - timedelta(days=2), today, person_id=person_id)
        if r.checkin_at is not None and r.checkin_at <= now
    ]
    open_records = [
        r
        for r in records
        if r.checkout_at is None and r.closed_at is None and now <= r.ends_at + CHECKOUT_CLOSE_AFTER
    ]
    if not open_records:
        recent = [r for r in records if now - (r.checkout_at or r.closed_at or now) < RECENT_CHECKOUT]
        if recent:
            record = max(recent, key=lambda r: r.starts_at)
            name = (await shift_specs(session, [record.shift_id]))[record.shift_id].name
            outcome = CheckOutOutcome.ALREADY if record.checkout_at else CheckOutOutcome.CLOSED
            return CheckOut(outcome, name, record, record.early_minutes)
        return CheckOut(CheckOutOutcome.NOT_CHECKED_IN)
    record = max(open_records, key=lambda r: r.starts_at)
    name = (await shift_specs(session, [record.shift_id]))[record.shift_id].name
    early = early_minutes(record.ends_at, now)
    if early and not early_ok:
        return CheckOut(CheckOutOutcome.EARLY, name, record, early)
    result = await session.exec(
        update(AttendanceRecord)
        .where(col(AttendanceRecord.id) == record.id, col(AttendanceRecord.checkout_at).is_(None))
        .values(checkout_at=now, early_minutes=early)
    )
    await session.commit()
    await session.refresh(record)
    if not result.rowcount:
        return CheckOut(CheckOutOutcome.ALREADY, name, record, record.early_minutes)
    return CheckOut(CheckOutOutcome.DONE, name, record, early)
