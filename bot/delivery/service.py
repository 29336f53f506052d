"""The outbox's database side: campaigns, their per-chat rows and the row state machine. No Telegram here.

Guarantees, and the one window where they cannot hold:

* Every (campaign, chat) row is written, in one transaction with the campaign, before anything is sent.
* A row is *claimed* (``pending`` → ``sending``, committed) immediately before its request leaves, under a
  *lease*: the claiming instance's id and a time until which nobody else may take the row back. It is marked
  ``sent`` with the Telegram message id (committed) as soon as the answer arrives, which ends the lease. A row
  is only ever claimed from ``pending`` (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so instances claiming
  at once take different rows), so no instance sends a row another one holds.
* ``recover_interrupted`` puts rows whose lease ran out (their instance died, or lost its database for
  longer than a lease) back to ``pending`` and flags them ``maybe_duplicate``; rows another live instance is
  sending keep their lease, which that instance renews. At start on SQLite, where a second instance cannot
  run, every ``sending`` row is a dead process's and is taken back at once. The outbox thus errs on the side
  of *at least once*: a chat never misses a message because of a crash, and it can get a second copy only if
  the process died in the instant between Telegram accepting the request and the ``sent`` mark being
  committed (milliseconds, with at most as many rows as there were requests in flight). A read timeout —
  the request may have arrived — is the same window and is flagged the same way. Every such row is flagged,
  so the audit shows exactly which chats might have two copies.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, true, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery.instance import instance_id
from bot.delivery.models import Campaign, CampaignState, ChatKind, Delivery, DeliveryState
from bot.delivery.payload import Payload
from bot.people import service as people

ERROR_LENGTH = 255
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.SENDING)

LEASE = timedelta(seconds=20)
"""How long a claim holds a row for its instance unless renewed.

A row stays ``sending`` from its claim until its outcome is written: its wait for a slot in the limiter
(under a second at 30 messages a second with 16 requests in flight, but as long as Telegram's ``retry_after``
while the whole bot is paused — seconds, sometimes minutes) plus the request itself (up to 5 s to connect and
5 s to read, 20 s more to upload a file). A ``RetryAfter`` answer for the row itself ends the claim (the row
goes back to ``pending`` with its retry time), so a chat's flood wait is never spent under a lease. As a
global pause has no upper bound, the lease is not sized for the longest send: the sender renews the leases
of its rows in flight every ``LEASE / 5`` (one ``UPDATE`` for all of them) and looks for expired leases as
often. With 20 s:

* the few rows a dead instance had in flight go out again 20-24 s after its last renewal, while its
  successor takes over everything else within seconds;
* a live instance loses a row only if its event loop or its database stalls for 16 s (and then the row is
  flagged ``maybe_duplicate``, never silently sent twice);
* the instances' clocks may disagree by up to 16 s (the owner writes ``lease_until`` by its clock, another
  instance compares it with its own).
"""

LEASE_LOST = "interrupted; sent again (may have arrived twice)"


@dataclass(frozen=True, slots=True)
class Target:
    """A chat to send to; negative ids are groups (Telegram's convention)."""

    chat_id: int
    label: str = ""
    kind: ChatKind | None = None

    @property
    def chat_kind(self) -> ChatKind:
        if self.kind is not None:
            return self.kind
        return ChatKind.GROUP if self.chat_id < 0 else ChatKind.PRIVATE


@dataclass(frozen=True, slots=True)
class Counts:
    """How many rows of a campaign are in each state."""

    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    cancelled: int = 0
    maybe_duplicate: int = 0

    @property
    def done(self) -> int:
        """Rows that reached a final state."""
        return self.sent + self.failed + self.blocked + self.cancelled

    @property
    def open(self) -> int:
        return self.pending + self.sending


@dataclass(slots=True)
class Work:
    """One row the sender should act on: send it (``pending``) or finish a pin or edit (``sent``)."""

    delivery_id: int
    campaign_id: int
    chat_id: int
    chat_kind: str
    state: str
    attempts: int
    payload: dict[str, Any]
    version: int
    pin: bool
    message_id: int | None = None
    sent_version: int | None = None
    pinned: bool | None = None
    maybe_duplicate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_pin(self) -> bool:
        return self.pin and self.chat_kind == ChatKind.GROUP and self.pinned is None

    @property
    def needs_edit(self) -> bool:
        return self.sent_version is not None and self.sent_version < self.version


def _error(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


# --- campaigns -------------------------------------------------------------------------------------


async def create_campaign(
    session: AsyncSession,
    kind: str,
    payload: Payload,
    targets: Iterable[Target],
    *,
    created_by_id: int | None = None,
    ref: str | None = None,
    title: str | None = None,
    pin: bool = False,
    send_after: datetime | None = None,
    priority: int = 0,
    now: datetime | None = None,
    commit: bool = True,
) -> Campaign:
    """Queue ``payload`` for every target (duplicates dropped), all rows written in one transaction.

    With ``commit=False`` the rows are only flushed, so that the caller can commit them together with its
    own changes (a notice and its campaign are confirmed at once, or not at all).
    """
    now = now or utcnow()
    unique: dict[int, Target] = {}
    for target in targets:
        unique.setdefault(target.chat_id, target)
    campaign = Campaign(
        kind=kind,
        ref=ref,
        title=(title if title is not None else payload.summary())[:200],
        payload=payload.to_dict(),
        pin=pin,
        priority=priority,
        total=len(unique),
        created_by_id=created_by_id,
        created_at=now,
        send_after=send_after,
        state=CampaignState.ACTIVE,
    )
    session.add(campaign)
    await session.flush()
    assert campaign.id is not None
    session.add_all(
        Delivery(
            campaign_id=campaign.id,
            chat_id=t.chat_id,
            chat_kind=t.chat_kind,
            label=t.label[:128],
            updated_at=now,
        )
        for t in unique.values()
    )
    if commit:
        await session.commit()
    else:
        await session.flush()
    return campaign


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def list_campaigns(
    session: AsyncSession, *, kind: str | None = None, ref: str | None = None, limit: int = 20
) -> list[Campaign]:
    """Recent campaigns, newest first."""
    query = select(Campaign)
    if kind is not None:
        query = query.where(Campaign.kind == kind)
    if ref is not None:
        query = query.where(Campaign.ref == ref)
    result = await session.exec(query.order_by(col(Campaign.id).desc()).limit(limit))
    return list(result.all())


def spaced_send_after(previous: Campaign | None, now: datetime, window: timedelta) -> datetime | None:
    """When the next alert of a series may go: at once (None), or ``window`` after the previous one went
    or is due to go, so that a rush of alerts reaches people as one message a ``window``."""
    if previous is None:
        return None
    last_moment = previous.send_after or previous.created_at
    return last_moment + window if last_moment > now - window else None


async def cancel_campaign(
    session: AsyncSession, campaign_id: int, *, by_id: int | None = None, now: datetime | None = None
) -> int | None:
    """Stop a campaign: rows not yet sent are cancelled (requests already in flight finish).

    Returns how many rows were cancelled, or None if the campaign was already finished or cancelled.
    """
    now = now or utcnow()
    campaign = await session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.state != CampaignState.ACTIVE:
        await session.commit()
        return None
    campaign.state = CampaignState.CANCELLED
    campaign.cancelled_at = now
    campaign.cancelled_by_id = by_id
    session.add(campaign)
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.campaign_id) == campaign_id, col(Delivery.state) == DeliveryState.PENDING)
        .values(state=DeliveryState.CANCELLED, updated_at=now)
    )
    await session.commit()
    return int(result.rowcount or 0)


async def edit_campaign_copies(
    session: AsyncSession, campaign_id: int, payload: Payload, *, now: datetime | None = None
) -> int:
    """Change what a campaign shows: rows not yet sent send the new payload, sent copies get edited.

    The edits go through the outbox under the same limits. Text stays text and a caption stays a caption:
    a text campaign needs a text payload, a file or copy campaign a payload with the new caption.
    Returns the number of sent copies that will be edited.
    """
    now = now or utcnow()
    campaign = await session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    old = Payload.from_dict(campaign.payload)
    if (old.kind == "text") != (payload.kind == "text"):
        raise ValueError("an edit cannot turn a text message into a file or back")
    campaign.payload = payload.to_dict()
    campaign.version += 1
    session.add(campaign)
    result = await session.exec(
        update(Delivery)
        .where(
            col(Delivery.campaign_id) == campaign_id,
            col(Delivery.state) == DeliveryState.SENT,
            col(Delivery.message_id).is_not(None),
        )
        .values(followup=True, next_attempt_at=None, attempts=0, updated_at=now)
    )
    await session.commit()
    return int(result.rowcount or 0)


async def campaign_counts(session: AsyncSession, campaign_id: int) -> Counts:
    """Rows of a campaign by state."""
    result = await session.exec(
        select(Delivery.state, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.state)
    )
    by_state = {state: count for state, count in result.all()}
    duplicates = await session.exec(
        select(func.count()).where(Delivery.campaign_id == campaign_id, col(Delivery.maybe_duplicate))
    )
    return Counts(
        total=sum(by_state.values()),
        maybe_duplicate=int(duplicates.one()),
        **{state: by_state.get(state, 0) for state in DeliveryState},
    )


async def list_deliveries(
    session: AsyncSession, campaign_id: int, states: Sequence[str] | None = None
) -> list[Delivery]:
    """The rows of a campaign (optionally only some states), in the order they were queued."""
    query = select(Delivery).where(Delivery.campaign_id == campaign_id)
    if states:
        query = query.where(col(Delivery.state).in_(list(states)))
    result = await session.exec(query.order_by(col(Delivery.id)))
    return list(result.all())


async def sent_copies(session: AsyncSession, campaign_id: int) -> list[tuple[int, int]]:
    """``(chat_id, message_id)`` of every copy Telegram accepted."""
    result = await session.exec(
        select(Delivery.chat_id, Delivery.message_id).where(
            Delivery.campaign_id == campaign_id,
            Delivery.state == DeliveryState.SENT,
            col(Delivery.message_id).is_not(None),
        )
    )
    return [(chat_id, message_id) for chat_id, message_id in result.all() if message_id is not None]


async def copy_in_chat(session: AsyncSession, campaign_id: int, chat_id: int) -> int | None:
    """The message id of a campaign's copy in one chat, if it was sent."""
    result = await session.exec(
        select(Delivery.message_id).where(
            Delivery.campaign_id == campaign_id,
            Delivery.chat_id == chat_id,
            Delivery.state == DeliveryState.SENT,
        )
    )
    return result.first()


# --- the sender's side -----------------------------------------------------------------------------


def single_writer(session: AsyncSession) -> bool:
    """True on SQLite, where only one instance can run: a ``sending`` row at start is a dead process's."""
    return session.get_bind().dialect.name == "sqlite"


async def recover_interrupted(
    session: AsyncSession, *, every_lease: bool = False, now: datetime | None = None
) -> int:
    """Rows whose lease ran out (or that have none) go back to ``pending``, flagged ``maybe_duplicate``.

    ``every_lease`` takes every ``sending`` row whatever its lease: only right for an instance that knows no
    other can be running (SQLite at start). Returns how many rows were taken back.
    """
    now = now or utcnow()
    query = update(Delivery).where(col(Delivery.state) == DeliveryState.SENDING)
    if not every_lease:
        query = query.where(or_(col(Delivery.lease_until).is_(None), col(Delivery.lease_until) <= now))
    result = await session.exec(
        query.values(
            state=DeliveryState.PENDING,
            maybe_duplicate=True,
            next_attempt_at=None,
            error=LEASE_LOST,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    await session.commit()
    return int(result.rowcount or 0)


async def renew_leases(
    session: AsyncSession, owner: str, *, lease: timedelta = LEASE, now: datetime | None = None
) -> int:
    """Extend the leases of every row ``owner`` is sending; returns how many."""
    now = now or utcnow()
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.state) == DeliveryState.SENDING, col(Delivery.lease_owner) == owner)
        .values(lease_until=now + lease)
    )
    await session.commit()
    return int(result.rowcount or 0)


def _due(now: datetime) -> Any:
    return or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now)


def _campaign_due(now: datetime) -> Any:
    return (col(Campaign.state) == CampaignState.ACTIVE) & or_(
        col(Campaign.send_after).is_(None), col(Campaign.send_after) <= now
    )


async def due_work(
    session: AsyncSession,
    *,
    now: datetime | None = None,
    limit: int = 200,
    exclude: Iterable[int] = (),
) -> list[Work]:
    """Rows to act on now: pins and edits of sent copies first, then pending rows by priority and age."""
    now = now or utcnow()
    excluded = list(exclude)
    columns = (Delivery, Campaign.payload, Campaign.version, Campaign.pin)
    followups = select(*columns).join(Campaign, col(Campaign.id) == col(Delivery.campaign_id))
    followups = followups.where(col(Delivery.followup), col(Delivery.state) == DeliveryState.SENT, _due(now))
    pending = select(*columns).join(Campaign, col(Campaign.id) == col(Delivery.campaign_id))
    pending = pending.where(col(Delivery.state) == DeliveryState.PENDING, _due(now), _campaign_due(now))
    if excluded:
        followups = followups.where(col(Delivery.id).not_in(excluded))
        pending = pending.where(col(Delivery.id).not_in(excluded))
    rows = list((await session.exec(followups.order_by(col(Delivery.id)).limit(limit))).all())
    if len(rows) < limit:
        ordered = pending.order_by(col(Campaign.priority).desc(), col(Delivery.campaign_id), col(Delivery.id))
        rows += list((await session.exec(ordered.limit(limit - len(rows)))).all())
    return [
        Work(
            delivery_id=d.id,
            campaign_id=d.campaign_id,
            chat_id=d.chat_id,
            chat_kind=d.chat_kind,
            state=d.state,
            attempts=d.attempts,
            payload=payload,
            version=version,
            pin=pin,
            message_id=d.message_id,
            sent_version=d.sent_version,
            pinned=d.pinned,
            maybe_duplicate=d.maybe_duplicate,
        )
        for d, payload, version, pin in rows
    ]


async def next_due_at(session: AsyncSession, *, now: datetime | None = None) -> datetime | None:
    """The earliest future moment a row becomes due (a retry time or a scheduled campaign)."""
    now = now or utcnow()
    retry = await session.exec(
        select(func.min(Delivery.next_attempt_at))
        .join(Campaign, col(Campaign.id) == col(Delivery.campaign_id))
        .where(
            col(Delivery.next_attempt_at) > now,
            or_(
                (col(Delivery.state) == DeliveryState.PENDING)
                & (col(Campaign.state) == CampaignState.ACTIVE),
                col(Delivery.followup),
            ),
        )
    )
    scheduled = await session.exec(
        select(func.min(Campaign.send_after)).where(
            col(Campaign.state) == CampaignState.ACTIVE, col(Campaign.send_after) > now
        )
    )
    moments = [m for m in (retry.one(), scheduled.one()) if m is not None]
    return min(moments) if moments else None


async def claim_batch(
    session: AsyncSession,
    work: Sequence[Work],
    *,
    limit: int | None = None,
    owner: str | None = None,
    lease: timedelta = LEASE,
    started: Collection[int] = (),
    now: datetime | None = None,
) -> list[Work]:
    """Claim the rows of ``work`` (the first ``limit`` of them, in order) that are still ``pending`` and that
    nobody else is claiming right now.

    They become ``sending`` under a lease for ``owner`` (this process by default) until ``now + lease``, in
    one transaction. On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED``, so an instance
    claiming at the same moment skips them and takes the next ones instead of waiting; SQLite has a single
    writer and ignores the locking clause. Campaigns not in ``started`` get their ``started_at``. Returns
    the claimed items, in order.
    """
    now = now or utcnow()
    ids = [item.delivery_id for item in work]
    if not ids:
        return []
    claimable = (
        select(Delivery.id)
        .where(col(Delivery.id).in_(ids), col(Delivery.state) == DeliveryState.PENDING)
        .with_for_update(skip_locked=True)
    )
    if limit is not None:
        rank = case({delivery_id: n for n, delivery_id in enumerate(ids)}, value=col(Delivery.id))
        claimable = claimable.order_by(rank).limit(limit)
    if single_writer(session):
        chosen: Any = claimable  # one statement: SQLite runs it alone
    else:
        # Lock first, then update exactly the locked rows: as a subquery of the UPDATE, a LIMIT with
        # SKIP LOCKED may be evaluated more than once by PostgreSQL and claim more rows than asked.
        chosen = list((await session.exec(claimable)).all())
        if not chosen:
            await session.commit()
            return []
    result = await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(chosen), col(Delivery.state) == DeliveryState.PENDING)
        .values(
            state=DeliveryState.SENDING,
            attempts=Delivery.attempts + 1,
            claimed_at=now,
            lease_owner=owner or instance_id(),
            lease_until=now + lease,
            updated_at=now,
        )
        .returning(col(Delivery.id))
    )
    taken = set(result.scalars().all())
    claimed = [item for item in work if item.delivery_id in taken]
    starting = {item.campaign_id for item in claimed} - set(started)
    if starting:
        await session.exec(
            update(Campaign)
            .where(col(Campaign.id).in_(sorted(starting)), col(Campaign.started_at).is_(None))
            .values(started_at=now)
        )
    await session.commit()
    for item in claimed:
        item.attempts += 1
    return claimed


async def claim(
    session: AsyncSession,
    work: Work,
    *,
    mark_started: bool = True,
    owner: str | None = None,
    lease: timedelta = LEASE,
    now: datetime | None = None,
) -> bool:
    """Claim one pending row (see ``claim_batch``); False if it is no longer pending."""
    started = () if mark_started else (work.campaign_id,)
    return bool(await claim_batch(session, [work], owner=owner, lease=lease, started=started, now=now))


async def mark_sent(
    session: AsyncSession, work: Work, message_id: int, *, now: datetime | None = None
) -> None:
    """Telegram accepted the message: keep its id; a pin or a newer edit may still be due."""
    now = now or utcnow()
    newer = (
        select(Campaign.version).where(col(Campaign.id) == work.campaign_id).scalar_subquery() > work.version
    )
    followup: Any = true() if work.pin and work.chat_kind == ChatKind.GROUP else newer
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id) == work.delivery_id)
        .values(
            state=DeliveryState.SENT,
            message_id=message_id,
            sent_version=work.version,
            followup=followup,
            attempts=0,
            next_attempt_at=None,
            error=None,
            sent_at=now,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    await session.commit()


async def drop_claimed(session: AsyncSession, work: Work, *, now: datetime | None = None) -> None:
    """A claimed row of a campaign cancelled meanwhile: it is not sent."""
    now = now or utcnow()
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id) == work.delivery_id, col(Delivery.state) == DeliveryState.SENDING)
        .values(state=DeliveryState.CANCELLED, lease_owner=None, lease_until=None, updated_at=now)
    )
    await session.commit()


async def cancelled_among(session: AsyncSession, campaign_ids: Iterable[int]) -> list[int]:
    """Which of these campaigns are cancelled."""
    ids = list(campaign_ids)
    if not ids:
        return []
    result = await session.exec(
        select(Campaign.id).where(col(Campaign.id).in_(ids), col(Campaign.state) == CampaignState.CANCELLED)
    )
    return [i for i in result.all() if i is not None]


async def mark_retry(
    session: AsyncSession,
    work: Work,
    at: datetime,
    error: str,
    *,
    maybe_duplicate: bool = False,
    now: datetime | None = None,
) -> None:
    """Try the row again at ``at`` (a send goes back to ``pending``; a pin or edit stays due)."""
    now = now or utcnow()
    values: dict[str, Any] = {"next_attempt_at": at, "error": _error(error), "updated_at": now}
    if maybe_duplicate:
        values["maybe_duplicate"] = True
    query = update(Delivery).where(col(Delivery.id) == work.delivery_id)
    if work.state == DeliveryState.PENDING:
        query = query.where(col(Delivery.state) == DeliveryState.SENDING)
        values.update(state=DeliveryState.PENDING, lease_owner=None, lease_until=None)
    else:
        values["attempts"] = work.attempts
    await session.exec(query.values(**values))
    await session.commit()


async def mark_failed(session: AsyncSession, work: Work, error: str, *, now: datetime | None = None) -> None:
    """Give up on a row, keeping the reason."""
    now = now or utcnow()
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id) == work.delivery_id)
        .values(
            state=DeliveryState.FAILED,
            error=_error(error),
            next_attempt_at=None,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    await session.commit()


async def mark_blocked(session: AsyncSession, work: Work, error: str, *, now: datetime | None = None) -> None:
    """The user blocked the bot or the bot is no longer in the group; the group turns inactive."""
    now = now or utcnow()
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id) == work.delivery_id)
        .values(
            state=DeliveryState.BLOCKED,
            error=_error(error),
            next_attempt_at=None,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    await session.commit()
    if work.chat_kind == ChatKind.GROUP:
        group = await people.get_group(session, work.chat_id)
        if group is not None and group.active:
            await people.record_group(
                session, work.chat_id, title=group.title, chat_type=group.chat_type, active=False, now=now
            )


async def mark_migrated(
    session: AsyncSession, work: Work, new_chat_id: int, *, now: datetime | None = None
) -> bool:
    """The group became a supergroup: follow it (this row and other pending rows) and send again.

    Returns False (and fails the row) if the new chat already has its own row in this campaign.
    """
    now = now or utcnow()
    old_chat_id = work.chat_id
    clash = await session.exec(
        select(Delivery.id).where(Delivery.campaign_id == work.campaign_id, Delivery.chat_id == new_chat_id)
    )
    if clash.first() is not None:
        await session.commit()
        await mark_failed(
            session, work, f"migrated to {new_chat_id}, which already has this message", now=now
        )
        return False
    await session.exec(
        update(Delivery)
        .where(col(Delivery.id) == work.delivery_id)
        .values(
            state=DeliveryState.PENDING,
            chat_id=new_chat_id,
            next_attempt_at=None,
            error=_error(f"migrated from {old_chat_id}"),
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
    )
    others = await session.exec(
        select(Delivery).where(
            Delivery.chat_id == old_chat_id,
            Delivery.state == DeliveryState.PENDING,
            Delivery.id != work.delivery_id,
        )
    )
    for other in others.all():
        taken = await session.exec(
            select(Delivery.id).where(
                Delivery.campaign_id == other.campaign_id, Delivery.chat_id == new_chat_id
            )
        )
        if taken.first() is None:
            other.chat_id = new_chat_id
            other.updated_at = now
            session.add(other)
    await session.commit()
    work.chat_id = new_chat_id
    await people.migrate_group(session, old_chat_id, new_chat_id)
    return True


async def followup_done(
    session: AsyncSession,
    work: Work,
    *,
    pinned: bool | None = None,
    edited_version: int | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record a pin or an edit of a sent copy; the row stays due while a newer version waits."""
    now = now or utcnow()
    delivery = await session.get(Delivery, work.delivery_id)
    campaign = await session.get(Campaign, work.campaign_id)
    if delivery is None or campaign is None:
        return
    if pinned is not None:
        delivery.pinned = pinned
    if edited_version is not None:
        delivery.sent_version = edited_version
    needs_pin = campaign.pin and delivery.chat_kind == ChatKind.GROUP and delivery.pinned is None
    needs_edit = delivery.sent_version is not None and delivery.sent_version < campaign.version
    delivery.followup = needs_pin or needs_edit
    delivery.attempts = 0
    delivery.next_attempt_at = None
    if error is not None:
        delivery.error = _error(error)
    delivery.updated_at = now
    session.add(delivery)
    await session.commit()


# --- progress and reports --------------------------------------------------------------------------


async def campaigns_in_progress(session: AsyncSession) -> list[Campaign]:
    """Campaigns whose report is not made yet (active, or cancelled with requests still in flight)."""
    result = await session.exec(
        select(Campaign).where(col(Campaign.finished_at).is_(None)).order_by(col(Campaign.id))
    )
    return list(result.all())


async def completed_counts(
    session: AsyncSession, campaign: Campaign, *, now: datetime | None = None
) -> Counts | None:
    """The final counts of a campaign with no row pending or in flight, or None while it is not complete."""
    now = now or utcnow()
    if campaign.finished_at is not None:
        return None
    if campaign.state == CampaignState.ACTIVE and campaign.send_after and campaign.send_after > now:
        return None
    counts = await campaign_counts(session, campaign.id or 0)
    if counts.sending or (campaign.state == CampaignState.ACTIVE and counts.pending):
        return None
    return counts


async def mark_finished(session: AsyncSession, campaign: Campaign, *, now: datetime | None = None) -> None:
    """Record that a campaign is complete and its report made (``active`` becomes ``done``)."""
    now = now or utcnow()
    fresh = await session.get(Campaign, campaign.id, with_for_update=True, populate_existing=True)
    if fresh is None or fresh.finished_at is not None:
        await session.commit()
        return
    if fresh.state == CampaignState.ACTIVE:
        fresh.state = CampaignState.DONE
    fresh.finished_at = now
    session.add(fresh)
    await session.commit()
    campaign.state, campaign.finished_at = fresh.state, fresh.finished_at


async def chats_by_campaign(
    session: AsyncSession, campaign_id: int, states: Sequence[str]
) -> list[tuple[int, str, str | None]]:
    """``(chat_id, label, error)`` of the rows of a campaign in ``states`` (for reports)."""
    result = await session.exec(
        select(Delivery.chat_id, Delivery.label, Delivery.error)
        .where(Delivery.campaign_id == campaign_id, col(Delivery.state).in_(list(states)))
        .order_by(col(Delivery.id))
    )
    return list(result.all())


async def chats_reached_by_ref(session: AsyncSession, ref: str) -> set[int]:
    """The chats that have (or will get) a copy of a campaign with ``ref``, cancelled rows aside: for
    "tell each person once" across several campaigns about the same thing."""
    result = await session.exec(
        select(Delivery.chat_id)
        .join(Campaign, col(Campaign.id) == Delivery.campaign_id)
        .where(Campaign.ref == ref, Delivery.state != DeliveryState.CANCELLED)
    )
    return set(result.all())
