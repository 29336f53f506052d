"""Notices: drafts, confirmation into a delivery campaign, acknowledgements and reminders. No Telegram."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, ChatKind, Delivery, DeliveryState
from bot.delivery.payload import Button, Payload, PayloadKind
from bot.notices.audiences import AudienceRegistry
from bot.notices.buttons import Ack
from bot.notices.models import Notice, NoticeAck, NoticeState
from bot.people.models import Person

KIND = "notice"
REMINDER_KIND = "notice_reminder"
DEFAULT_REMINDERS = (120, 2)
REMINDER_PRESETS: tuple[tuple[int, int], ...] = ((0, 0), (30, 2), (60, 2), (120, 2), (240, 1), (1440, 1))
MAX_SCHEDULE_AHEAD = timedelta(days=60)


def ref(notice: Notice) -> str:
    """The reference its campaigns carry."""
    return f"{KIND}:{notice.id}"


def ack_button(notice_id: int, label: str) -> Button:
    """The 收到 button of a notice."""
    return Button(label, callback_data=Ack(notice_id).pack())


def summarize(payload: Payload, length: int = 80) -> str:
    """A short line for lists: the text, or the caption of a file."""
    return payload.summary(length)


# --- drafts ----------------------------------------------------------------------------------------


async def create_draft(
    session: AsyncSession, created_by: Person, payload: Payload, *, now: datetime | None = None
) -> Notice:
    """A new draft to all staff, needing acknowledgement, with the default reminders."""
    notice = Notice(
        created_by_id=created_by.id,
        created_at=now or utcnow(),
        payload=payload.to_dict(),
        summary=summarize(payload, 200),
        audience={"staff": []},
        needs_ack=True,
        remind_every_minutes=DEFAULT_REMINDERS[0],
        remind_times=DEFAULT_REMINDERS[1],
    )
    session.add(notice)
    await session.commit()
    return notice


async def get_notice(session: AsyncSession, notice_id: int) -> Notice | None:
    return await session.get(Notice, notice_id, populate_existing=True)


def content(notice: Notice) -> Payload:
    """What the notice says, as a delivery payload."""
    return Payload.from_dict(notice.payload)


async def toggle_audience(
    session: AsyncSession, notice: Notice, key: str, value: str | None = None
) -> Notice:
    """Add or remove a whole audience kind, or one chosen value of a kind."""
    audience: dict[str, list[str]] = {k: list(v) for k, v in notice.audience.items()}
    if value is None:
        if key in audience:
            del audience[key]
        else:
            audience[key] = []
    else:
        values = audience.setdefault(key, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        if not values:
            del audience[key]
    notice.audience = audience
    session.add(notice)
    await session.commit()
    return notice


_UNSET: Any = object()


async def set_options(
    session: AsyncSession,
    notice: Notice,
    *,
    needs_ack: bool | None = None,
    pin: bool | None = None,
    reminders: tuple[int, int] | None = None,
    send_at: datetime | None = _UNSET,
) -> Notice:
    """Change the options of a draft."""
    if needs_ack is not None:
        notice.needs_ack = needs_ack
    if pin is not None:
        notice.pin = pin
    if reminders is not None:
        notice.remind_every_minutes, notice.remind_times = reminders
    if send_at is not _UNSET:
        notice.send_at = send_at
    session.add(notice)
    await session.commit()
    return notice


def next_reminder_preset(current: tuple[int, int]) -> tuple[int, int]:
    """The reminder setting after ``current`` in the button's cycle."""
    presets = list(REMINDER_PRESETS)
    index = presets.index(current) if current in presets else -1
    return presets[(index + 1) % len(presets)]


async def discard(session: AsyncSession, notice: Notice) -> bool:
    """Throw a draft away; False if it was already confirmed or discarded."""
    result = await session.exec(
        update(Notice)
        .where(col(Notice.id) == notice.id, col(Notice.state) == NoticeState.DRAFT)
        .values(state=NoticeState.DISCARDED)
    )
    await session.commit()
    notice.state = NoticeState.DISCARDED if result.rowcount else notice.state
    return bool(result.rowcount)


async def recipients(
    session: AsyncSession, notice: Notice, registry: AudienceRegistry, creator_telegram_id: int | None
) -> list[delivery.Target]:
    """The chats a draft would go to now (the sender is left out)."""
    exclude = [creator_telegram_id] if creator_telegram_id is not None else []
    return await registry.resolve(session, notice.audience, exclude=exclude)


class ConfirmError(StrEnum):
    """Why a draft could not be sent."""

    NOT_DRAFT = "not_draft"
    NO_RECIPIENTS = "no_recipients"
    IN_THE_PAST = "in_the_past"
    TOO_FAR = "too_far"


def check_send_at(send_at: datetime | None, now: datetime) -> ConfirmError | None:
    """Whether a scheduled time is acceptable (a minute of slack for the time it took to confirm)."""
    if send_at is None:
        return None
    if send_at < now - timedelta(minutes=1):
        return ConfirmError.IN_THE_PAST
    if send_at > now + MAX_SCHEDULE_AHEAD:
        return ConfirmError.TOO_FAR
    return None


async def confirm(
    session: AsyncSession,
    notice: Notice,
    registry: AudienceRegistry,
    *,
    ack_label: str,
    creator_telegram_id: int | None,
    now: datetime | None = None,
) -> Campaign | ConfirmError:
    """Turn a draft into a campaign (at once or at ``send_at``), in one transaction, exactly once."""
    now = now or utcnow()
    problem = check_send_at(notice.send_at, now)
    if problem is not None:
        return problem
    targets = await recipients(session, notice, registry, creator_telegram_id)
    if not targets:
        return ConfirmError.NO_RECIPIENTS
    claimed = await session.exec(
        update(Notice)
        .where(col(Notice.id) == notice.id, col(Notice.state) == NoticeState.DRAFT)
        .values(state=NoticeState.CONFIRMED, confirmed_at=now)
    )
    if not claimed.rowcount:
        await session.commit()
        return ConfirmError.NOT_DRAFT
    payload = content(notice)
    if notice.needs_ack:
        assert notice.id is not None
        payload = _with_ack(payload, notice.id, ack_label)
    campaign = await delivery.create_campaign(
        session,
        KIND,
        payload,
        targets,
        created_by_id=notice.created_by_id,
        ref=ref(notice),
        title=notice.summary,
        pin=notice.pin,
        send_after=notice.send_at,
        now=now,
        commit=False,
    )
    notice.state = NoticeState.CONFIRMED
    notice.confirmed_at = now
    notice.campaign_id = campaign.id
    if notice.needs_ack and notice.remind_times > 0 and notice.remind_every_minutes > 0:
        notice.next_reminder_at = (notice.send_at or now) + timedelta(minutes=notice.remind_every_minutes)
    session.add(notice)
    await session.commit()
    return campaign


def _with_ack(payload: Payload, notice_id: int, label: str) -> Payload:
    data = payload.to_dict()
    data["buttons"] = [*data.get("buttons", []), [ack_button(notice_id, label).to_dict()]]
    data["buttons_in_groups"] = False
    return Payload.from_dict(data)


async def campaign_of(session: AsyncSession, notice: Notice) -> Campaign | None:
    if notice.campaign_id is None:
        return None
    return await session.get(Campaign, notice.campaign_id, populate_existing=True)


async def notice_for_campaign(session: AsyncSession, campaign: Campaign) -> Notice | None:
    """The notice a campaign (the notice itself or one of its reminders) belongs to."""
    if not campaign.ref or not campaign.ref.startswith(f"{KIND}:"):
        return None
    return await get_notice(session, int(campaign.ref.split(":", 1)[1]))


async def cancel(
    session: AsyncSession, notice: Notice, *, by_id: int | None = None, now: datetime | None = None
) -> int | None:
    """Stop a notice: unsent copies and reminders are dropped. Returns the rows cancelled, or None."""
    now = now or utcnow()
    if notice.campaign_id is None:
        return None
    cancelled = await delivery.cancel_campaign(session, notice.campaign_id, by_id=by_id, now=now)
    if cancelled is None:
        return None
    reminders = await session.exec(
        select(Campaign.id).where(Campaign.ref == ref(notice), Campaign.kind == REMINDER_KIND)
    )
    for reminder_id in reminders.all():
        await delivery.cancel_campaign(session, reminder_id, by_id=by_id, now=now)
    fresh = await get_notice(session, notice.id or 0)
    if fresh is not None:
        fresh.next_reminder_at = None
        session.add(fresh)
        await session.commit()
    return cancelled


# --- acknowledgements -----------------------------------------------------------------------------

#: A delivery row that put a private copy of a notice in front of its person: only they can acknowledge it.
_RECEIVED = (col(Delivery.chat_kind) == ChatKind.PRIVATE, col(Delivery.state) == DeliveryState.SENT)


class AckOutcome(StrEnum):
    """What pressing 收到 did; only ``RECORDED`` wrote anything."""

    RECORDED = "recorded"
    ALREADY = "already"
    UNKNOWN = "unknown"
    NOT_RECEIVED = "not_received"
    NOT_NEEDED = "not_needed"
    STOPPED = "stopped"


async def _received(session: AsyncSession, notice: Notice, person: Person) -> bool:
    """Whether a private copy of the notice was delivered to this person."""
    if notice.campaign_id is None:
        return False
    result = await session.exec(
        select(Delivery.id).where(
            Delivery.campaign_id == notice.campaign_id, Delivery.chat_id == person.telegram_id, *_RECEIVED
        )
    )
    return result.first() is not None


async def acknowledge(
    session: AsyncSession, notice_id: int, person: Person, *, now: datetime | None = None
) -> AckOutcome:
    """Record that ``person`` read and confirmed a notice (once), if it needs that and was delivered to them."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.state != NoticeState.CONFIRMED or person.id is None:
        return AckOutcome.UNKNOWN
    if not await _received(session, notice, person):
        return AckOutcome.NOT_RECEIVED
    if not notice.needs_ack:
        return AckOutcome.NOT_NEEDED
    campaign = await campaign_of(session, notice)
    if campaign is None or campaign.state == CampaignState.CANCELLED:
        return AckOutcome.STOPPED
    existing = await session.exec(
        select(NoticeAck.id).where(NoticeAck.notice_id == notice_id, NoticeAck.person_id == person.id)
    )
    if existing.first() is not None:
        return AckOutcome.ALREADY
    session.add(NoticeAck(notice_id=notice_id, person_id=person.id, acknowledged_at=now or utcnow()))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return AckOutcome.ALREADY
    return AckOutcome.RECORDED


@dataclass(frozen=True, slots=True)
class AckStatus:
    """The people a private copy of a notice reached: who confirmed it (and when), who has not yet."""

    acknowledged: list[tuple[Person, datetime]]
    missing: list[Person]

    @property
    def expected(self) -> int:
        """Everyone who can acknowledge the notice."""
        return len(self.acknowledged) + len(self.missing)


@dataclass(frozen=True, slots=True)
class AckCount:
    """How many of the people a notice reached confirmed it."""

    acknowledged: int = 0
    expected: int = 0


async def ack_status(session: AsyncSession, notice: Notice) -> AckStatus:
    """Acknowledgements of a notice by the people it reached (anyone else's are not counted)."""
    if notice.campaign_id is None:
        return AckStatus([], [])
    result = await session.exec(
        select(Person, NoticeAck.acknowledged_at)
        .join(Delivery, col(Delivery.chat_id) == col(Person.telegram_id))
        .outerjoin(
            NoticeAck,
            and_(col(NoticeAck.person_id) == col(Person.id), col(NoticeAck.notice_id) == notice.id),
        )
        .where(Delivery.campaign_id == notice.campaign_id, *_RECEIVED)
        .order_by(col(Person.first_name), col(Person.id))
    )
    rows = list(result.all())
    acknowledged = sorted(((p, at) for p, at in rows if at is not None), key=lambda row: row[1])
    return AckStatus(acknowledged, [p for p, at in rows if at is None])


async def ack_counts(session: AsyncSession, notice_ids: Sequence[int]) -> dict[int, AckCount]:
    """For each notice, how many of the people it reached confirmed it (as ``ack_status`` counts)."""
    if not notice_ids:
        return {}
    result = await session.exec(
        select(Notice.id, func.count(col(NoticeAck.id)), func.count(col(Delivery.id)))
        .join(Delivery, col(Delivery.campaign_id) == col(Notice.campaign_id))
        .join(Person, col(Person.telegram_id) == col(Delivery.chat_id))
        .outerjoin(
            NoticeAck,
            and_(col(NoticeAck.notice_id) == col(Notice.id), col(NoticeAck.person_id) == col(Person.id)),
        )
        .where(col(Notice.id).in_(list(notice_ids)), *_RECEIVED)
        .group_by(col(Notice.id))
    )
    counts = {notice_id: AckCount(done, expected) for notice_id, done, expected in result.all()}
    return {notice_id: counts.get(notice_id, AckCount()) for notice_id in notice_ids}


async def unacknowledged_for(session: AsyncSession, person: Person, *, limit: int = 10) -> list[Notice]:
    """Notices this person can acknowledge and has not yet, newest first."""
    acked = select(NoticeAck.notice_id).where(NoticeAck.person_id == person.id)
    result = await session.exec(
        select(Notice)
        .join(Delivery, col(Delivery.campaign_id) == col(Notice.campaign_id))
        .join(Campaign, col(Campaign.id) == col(Notice.campaign_id))
        .where(
            col(Notice.needs_ack),
            Notice.state == NoticeState.CONFIRMED,
            Delivery.chat_id == person.telegram_id,
            *_RECEIVED,
            col(Campaign.state) != CampaignState.CANCELLED,
            col(Notice.id).not_in(acked),
        )
        .order_by(col(Notice.id).desc())
        .limit(limit)
    )
    return list(result.all())


# --- reminders -------------------------------------------------------------------------------------


async def due_reminders(session: AsyncSession, *, now: datetime | None = None) -> list[Notice]:
    """Confirmed notices whose next reminder is due."""
    now = now or utcnow()
    result = await session.exec(
        select(Notice)
        .where(
            Notice.state == NoticeState.CONFIRMED,
            col(Notice.needs_ack),
            col(Notice.next_reminder_at).is_not(None),
            col(Notice.next_reminder_at) <= now,
        )
        .order_by(col(Notice.next_reminder_at))
    )
    return list(result.all())


async def send_reminder(
    session: AsyncSession,
    notice: Notice,
    *,
    text: str,
    ack_label: str,
    scheduled: bool = True,
    now: datetime | None = None,
) -> Campaign | None:
    """Queue a reminder, answering each copy of the notice, to those it reached who have not acknowledged.

    A scheduled reminder counts towards ``remind_times`` and sets the next one; one asked for by an admin
    (``scheduled=False``) leaves the schedule alone. Returns None if nobody is left to remind.
    """
    now = now or utcnow()
    assert notice.id is not None
    if scheduled:
        claimed = await session.exec(
            update(Notice)
            .where(col(Notice.id) == notice.id, col(Notice.reminders_sent) == notice.reminders_sent)
            .values(reminders_sent=notice.reminders_sent + 1)
        )
        if not claimed.rowcount:
            await session.commit()
            return None
    campaign = await campaign_of(session, notice)
    status = await ack_status(session, notice)
    reminder = None
    if (
        notice.needs_ack
        and campaign is not None
        and campaign.state != CampaignState.CANCELLED
        and status.missing
    ):
        payload = Payload(
            kind=PayloadKind.TEXT,
            text=text,
            buttons=((ack_button(notice.id, ack_label),),),
            reply_to_campaign=campaign.id,
        )
        reminder = await delivery.create_campaign(
            session,
            REMINDER_KIND,
            payload,
            [delivery.Target(p.telegram_id, p.display_name, ChatKind.PRIVATE) for p in status.missing],
            created_by_id=notice.created_by_id,
            ref=ref(notice),
            title=notice.summary,
            now=now,
            commit=False,
        )
    fresh = await session.get(Notice, notice.id, populate_existing=True)
    assert fresh is not None
    if scheduled:
        more = reminder is not None and fresh.reminders_sent < fresh.remind_times
        fresh.next_reminder_at = now + timedelta(minutes=fresh.remind_every_minutes) if more else None
    session.add(fresh)
    await session.commit()
    return reminder


# --- lists and audit -------------------------------------------------------------------------------


async def list_notices(session: AsyncSession, *, limit: int = 10, offset: int = 0) -> list[Notice]:
    """Confirmed notices, newest first."""
    result = await session.exec(
        select(Notice)
        .where(Notice.state == NoticeState.CONFIRMED)
        .order_by(col(Notice.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all())


async def count_notices(session: AsyncSession) -> int:
    result = await session.exec(select(func.count()).where(Notice.state == NoticeState.CONFIRMED))
    return int(result.one())


async def reminders_of(session: AsyncSession, notice: Notice) -> list[Campaign]:
    """The reminder campaigns of a notice, oldest first."""
    result = await session.exec(
        select(Campaign)
        .where(Campaign.ref == ref(notice), Campaign.kind == REMINDER_KIND)
        .order_by(col(Campaign.id))
    )
    return list(result.all())


# --- scheduling ------------------------------------------------------------------------------------

_TIME = re.compile(
    r"^\s*(?:(?P<tomorrow>明天|明日|tomorrow)\s*)?"
    r"(?:(?:(?P<year>\d{4})[-/.年])?(?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})日?\s+)?"
    r"(?P<hour>\d{1,2})[:：点时](?P<minute>\d{2})?分?\s*$",
    re.IGNORECASE,
)


def parse_send_time(text: str, *, now: datetime, tz: tzinfo) -> datetime | None:
    """Read a local time typed by an admin: ``18:30``, ``明天 9:00``, ``12-01 09:00``, ``2026-12-01 9:00``.

    A bare time that has passed today means tomorrow. Returns an aware UTC datetime, or None.
    """
    match = _TIME.match(text.strip())
    if match is None:
        return None
    local_now = now.astimezone(tz)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    try:
        if match["day"]:
            year = int(match["year"] or local_now.year)
            moment = datetime(year, int(match["month"]), int(match["day"]), hour, minute, tzinfo=tz)
            if match["year"] is None and moment < local_now - timedelta(days=1):
                moment = moment.replace(year=year + 1)
        else:
            moment = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if match["tomorrow"] or moment <= local_now:
                moment += timedelta(days=1)
    except ValueError:
        return None
    return moment.astimezone(UTC)


async def set_panel(session: AsyncSession, notice: Notice, chat_id: int, message_id: int) -> None:
    """Remember the message that shows a notice's draft, progress and report."""
    notice.panel_chat_id, notice.panel_message_id = chat_id, message_id
    session.add(notice)
    await session.commit()
