"""The days around now as training sees them: the workplace calendar, people's shifts and leave (read from
attendance), and from them when each person's lesson goes out (``bot.training.timing``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service as attendance
from bot.attendance.calendar import DayPlan
from bot.attendance.models import AttendanceRequest, RequestKind, RequestStatus
from bot.knowledge.notes import Plan
from bot.training.timing import Shift, can_send, lesson_moment


@dataclass(frozen=True)
class Days:
    """The calendar of a few days, with people's shifts (leave left out) and days of leave."""

    tz: ZoneInfo
    plans: dict[date, DayPlan] = field(default_factory=dict)
    shifts: dict[int, list[Shift]] = field(default_factory=dict)
    leave: dict[int, set[date]] = field(default_factory=dict)

    def moment(self, person_id: int, day: date, plan: Plan) -> datetime | None:
        """When ``person_id``'s lesson of ``day`` goes out under ``plan``'s times (None: not that day)."""
        if day not in self.plans:
            return None
        return lesson_moment(
            day,
            self.plans[day],
            self.shifts.get(person_id, []),
            on_leave=day in self.leave.get(person_id, set()),
            lesson_minute=plan.lesson_time,
            minutes_before_shift=plan.minutes_before_shift,
            tz=self.tz,
        )

    def can_send(self, person_id: int, now: datetime, moment: datetime, day: date) -> bool:
        return can_send(now, moment, day, self.shifts.get(person_id, []), self.tz)


async def load_days(
    session: AsyncSession, first: date, last: date, tz: ZoneInfo, *, person_id: int | None = None
) -> Days:
    """The days from ``first`` to ``last``: everyone's (or one person's) shifts, from the day before
    ``first`` (a night shift runs into the next day), and their leave."""
    plans = await attendance.day_plans(session, first, last)
    duties = await attendance.roster(session, first - timedelta(days=1), last, tz, person_id=person_id)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    leave: dict[int, set[date]] = defaultdict(set)
    for duty in duties:
        if duty.on_leave:
            leave[duty.person_id].add(duty.occ.work_date)
        else:
            shifts[duty.person_id].append(Shift(duty.occ.work_date, duty.occ.starts_at, duty.occ.ends_at))
    for person, days in (await _leave_days(session, first, last, person_id)).items():
        leave[person] |= days
    return Days(tz, plans, dict(shifts), dict(leave))


async def _leave_days(
    session: AsyncSession, first: date, last: date, person_id: int | None
) -> dict[int, set[date]]:
    """The days of approved leave between ``first`` and ``last``, by person — also of people without a shift
    those days, whom the roster does not list."""
    query = select(AttendanceRequest).where(
        AttendanceRequest.kind == RequestKind.LEAVE,
        AttendanceRequest.status == RequestStatus.APPROVED,
        col(AttendanceRequest.start_date) <= last,
        col(AttendanceRequest.end_date) >= first,
    )
    if person_id is not None:
        query = query.where(AttendanceRequest.person_id == person_id)
    days: dict[int, set[date]] = defaultdict(set)
    for request in (await session.exec(query)).all():
        start, end = max(request.start_date, first), min(request.end_date, last)
        days[request.person_id].update(_dates(start, end))
    return days


def _dates(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))
