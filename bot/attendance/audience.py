"""The notice audience "staff of a shift": attendance adds it to the notices' audience registry.

Notices know nothing of shifts; ``setup()`` in ``handlers/__init__.py`` adds this kind to the running bot's
registry (``bot_data.notice_audiences``) with the workplace's time zone, so "today" is the local date.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service
from bot.attendance.schedule import format_clock, local_date
from bot.clock import utcnow
from bot.delivery.models import ChatKind
from bot.delivery.service import Target
from bot.i18n import N_
from bot.notices.audiences import AudienceKind, AudienceRegistry, Resolver

KEY = "shift"
LABEL = N_("Staff of a shift")
ORDER = 15
"""Right after "All staff" on the notice panel."""


async def shift_choices(session: AsyncSession) -> list[tuple[str, str]]:
    """The active shifts to pick from, by start time: ``(shift id, "早班 08:30–17:00")``."""
    return [
        (str(shift.id), f"{shift.name} {format_clock(shift.start_minute)}–{format_clock(shift.end_minute)}")
        for shift in await service.list_shifts(session)
    ]


def shift_resolver(tz: ZoneInfo) -> Resolver:
    """Resolve chosen shift ids to the private chats of the staff on them, today (in ``tz``) or later."""

    async def resolve(session: AsyncSession, values: Sequence[str]) -> list[Target]:
        ids = [int(value) for value in values if value.isdecimal()]
        people = await service.shift_staff(session, ids, local_date(utcnow(), tz))
        return [Target(p.telegram_id, p.display_name, ChatKind.PRIVATE) for p in people]

    return resolve


def shift_audience(tz: ZoneInfo) -> AudienceKind:
    """The audience kind "staff of a shift", picked shift by shift."""
    return AudienceKind(KEY, LABEL, shift_resolver(tz), choices=shift_choices, order=ORDER)


def add_shift_audience(registry: AudienceRegistry, tz: ZoneInfo) -> None:
    """Offer "staff of a shift" on notices that use ``registry``."""
    registry.add(shift_audience(tz))
