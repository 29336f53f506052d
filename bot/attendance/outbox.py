"""Everything attendance sends to people who did not just write to the bot goes through the delivery outbox,
written in the transaction of the change it reports, so that a crash loses none of it (see ``bot.delivery``).

* The scheduler's notices (``kind="attendance"``): one campaign per wave — the reminders (or absences,
  check-out reminders, closed records) of one shift on one day, in one language — each person a row. The
  reminders keep their 签到 / 签退 button. A wave still unsent when its moment has passed (check-in closed)
  is cancelled by the next tick: nobody is told to check in when they no longer can.
* The daily summary to the admins, one campaign per language.
* A request's outcome and a colleague's answer to a swap, to the requester (and the colleague), written
  with the decision or the answer.

The admins' request cards and the swap question to a colleague are edited later by message id once the
request is settled (``cards.py``), so they are still sent directly and remembered there.

Nothing here talks to Telegram; after the caller commits, it wakes the sender.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import render
from bot.attendance.buttons import CheckInNow, CheckOutNow
from bot.attendance.reports import ShiftDay
from bot.attendance.schedule import Occurrence
from bot.attendance.service import Notice, NoticeKind
from bot.attendance.service.ticks import ABSENCE_NOTICE_MAX_AGE
from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, ChatKind
from bot.delivery.payload import Button, Payload
from bot.i18n import gettext_for, language_of
from bot.people.models import Person

KIND = "attendance"
HTML = "HTML"
EXPIRES = "expires_at"
"""In a wave's ``payload.extra``: the moment after which its unsent rows are pointless."""
RECENT_WAVES = 200
"""How many of the latest campaigns the expiry check looks at (a wave is done within minutes)."""


def _target(person: Person) -> delivery.Target:
    return delivery.Target(person.telegram_id, label=person.display_name, kind=ChatKind.PRIVATE)


def _buttons(language: str, kind: NoticeKind) -> tuple[tuple[Button, ...], ...]:
    """签到 under a reminder, 签退 under a check-out reminder."""
    _ = gettext_for(language)
    if kind in (NoticeKind.WINDOW_OPEN, NoticeKind.SHIFT_START):
        return ((Button(_("✅ Check in"), callback_data=CheckInNow().pack()),),)
    if kind == NoticeKind.CHECKOUT_REMINDER:
        return ((Button(_("👋 Check out"), callback_data=CheckOutNow(early_ok=False).pack()),),)
    return ()


def expires_at(notice: Notice) -> datetime | None:
    """When a notice no longer makes sense to send (None: never)."""
    occ = notice.occ
    return {
        NoticeKind.WINDOW_OPEN: occ.closes_at,
        NoticeKind.SHIFT_START: occ.closes_at,
        NoticeKind.ABSENT: occ.closes_at + ABSENCE_NOTICE_MAX_AGE,
        NoticeKind.CHECKOUT_REMINDER: occ.checkout_closes_at,
    }.get(notice.kind)


def wave_ref(kind: NoticeKind, shift_id: int | None, work_date: date) -> str:
    """The ``ref`` of a wave: what it is about, for the audit."""
    return f"{KIND}:{kind}:{shift_id}:{work_date.isoformat()}"


async def queue_notices(
    session: AsyncSession,
    notices: Sequence[Notice],
    *,
    default_language: str,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> list[Campaign]:
    """Queue the scheduler's notices, a campaign per wave, without committing (the caller commits them with
    the records that say they are due)."""
    now = now or utcnow()
    waves: dict[tuple[NoticeKind, Occurrence, str], list[Notice]] = defaultdict(list)
    for notice in notices:
        waves[(notice.kind, notice.occ, language_of(notice.person, default_language))].append(notice)
    campaigns = []
    for (kind, occ, language), wave in waves.items():
        first, work_date = wave[0], occ.work_date
        expiry = expires_at(first)
        payload = Payload(
            text=render.notice_text(gettext_for(language), first, tz),
            parse_mode=HTML,
            buttons=_buttons(language, kind),
            extra={EXPIRES: expiry.isoformat()} if expiry else {},
        )
        campaigns.append(
            await delivery.create_campaign(
                session,
                KIND,
                payload,
                [_target(n.person) for n in wave],
                ref=wave_ref(kind, occ.shift.id, work_date),
                title=f"{kind} {first.shift_name} {work_date.isoformat()} ({language})",
                now=now,
                commit=False,
            )
        )
    return campaigns


async def cancel_expired(session: AsyncSession, now: datetime | None = None) -> list[int]:
    """Cancel the waves whose moment has passed with rows still waiting to be sent; their ids."""
    now = now or utcnow()
    cancelled = []
    for campaign in await delivery.list_campaigns(session, kind=KIND, limit=RECENT_WAVES):
        expiry = campaign.payload.get("extra", {}).get(EXPIRES)
        if campaign.state != CampaignState.ACTIVE or expiry is None or datetime.fromisoformat(expiry) > now:
            continue
        assert campaign.id is not None
        if (await delivery.campaign_counts(session, campaign.id)).pending:
            await delivery.cancel_campaign(session, campaign.id, now=now)
            cancelled.append(campaign.id)
    return cancelled


async def queue_summary(
    session: AsyncSession,
    groups: list[ShiftDay],
    pending: int,
    warnings: Sequence[int],
    recipients: Iterable[tuple[int, Person | None]],
    *,
    default_language: str,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> int:
    """Queue the daily summary for the admins (``(telegram id, person or None)``), one campaign per
    language, without committing; how many admins it goes to. ``warnings`` are the years whose official
    holidays nobody knows yet."""
    now = now or utcnow()
    by_language: dict[str, list[delivery.Target]] = defaultdict(list)
    for telegram_id, person in recipients:
        target = _target(person) if person else delivery.Target(telegram_id, "admin", ChatKind.PRIVATE)
        by_language[language_of(person, default_language)].append(target)
    day = now.astimezone(tz).date().isoformat()
    for language, targets in sorted(by_language.items()):
        text = render.summary_text(gettext_for(language), groups, now, tz, pending, warnings)
        await delivery.create_campaign(
            session,
            KIND,
            Payload(text=text, parse_mode=HTML),
            targets,
            ref=f"{KIND}:summary:{day}",
            title=f"summary {day} ({language})",
            now=now,
            commit=False,
        )
    return sum(len(targets) for targets in by_language.values())


async def tell(
    session: AsyncSession,
    person: Person,
    text: str,
    *,
    ref: str,
    now: datetime | None = None,
) -> Campaign:
    """Queue one message (already in ``person``'s language) for ``person``, without committing (the caller
    commits it with the change it reports)."""
    return await delivery.create_campaign(
        session, KIND, Payload(text=text, parse_mode=HTML), [_target(person)], ref=ref, now=now, commit=False
    )


def request_ref(request_id: int | None) -> str:
    """The ``ref`` of the messages about a request."""
    return f"{KIND}:request:{request_id}"
