"""Everything the jobs capability sends goes through the delivery outbox, and only through this module.

* Village announcements: one campaign per publication (``kind="job"``, ``ref="job:<id>"``). When a posting
  changes (edited, filled, closed, reopened) every copy in every group is edited through the outbox.
* Admin alerts about applications (``kind="job_alert"``): the first one goes at once; applications arriving
  within ``ALERT_WINDOW`` of the last alert are gathered into one digest sent when the window ends.
* Private messages to applicants and subscribers (``kind="job_notice"``): status changes, the staff
  invite of a hired applicant, alerts for new postings.

Nothing here talks to Telegram; after queueing, the caller wakes the sender.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, ChatKind, DeliveryState
from bot.delivery.payload import Button, Payload
from bot.i18n import gettext_for, language_of, translator_for
from bot.jobs import render, service
from bot.jobs.buttons import ApplicantCard, Applicants, ViewPosting
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.people import service as people
from bot.people.models import GroupChat, Invite, Person

ANNOUNCE_KIND = "job"
ALERT_KIND = "job_alert"
NOTICE_KIND = "job_notice"
ALERT_WINDOW = timedelta(seconds=60)
"""Applications arriving this soon after an alert wait for one digest instead of one message each."""
MERGE_MARGIN = timedelta(seconds=1)
ALERT_BUTTONS = 5
HTML = "HTML"


def posting_ref(posting_id: int) -> str:
    """The ``ref`` of a posting's announcement campaigns."""
    return f"job:{posting_id}"


def posting_id_of(ref: str | None) -> int | None:
    """The posting an announcement campaign belongs to."""
    if ref and ref.startswith("job:") and ref[4:].isdigit():
        return int(ref[4:])
    return None


def _private_label(person: Person) -> str:
    """How a job seeker appears in the outbox's audit: by number, not by name (the outbox keeps its rows
    after the person asks to be forgotten)."""
    return f"person #{person.id}"


def _by_language(persons: Iterable[Person], default: str) -> dict[str, list[Person]]:
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in persons:
        groups[language_of(person, default)].append(person)
    return dict(groups)


# --- village announcements -------------------------------------------------------------------------


def announcement_payload(
    posting: JobPosting, *, bot_username: str, language: str, tz: tzinfo, now: datetime | None = None
) -> Payload:
    """The group copy of a posting: while open, with the 我要报名 button linking to a private chat."""
    _ = gettext_for(language)
    buttons: tuple[tuple[Button, ...], ...] = ()
    if posting.state == PostingState.OPEN and posting.id is not None:
        buttons = ((Button(_("✍️ Apply"), url=render.deep_link(bot_username, posting.id)),),)
    return Payload(
        text=render.announcement_html(_, posting, tz, now),
        parse_mode=HTML,
        buttons=buttons,
        link_preview=False,
    )


async def announcement_campaigns(session: AsyncSession, posting_id: int) -> list[Campaign]:
    """Every announcement campaign of a posting, newest first."""
    return await delivery.list_campaigns(session, kind=ANNOUNCE_KIND, ref=posting_ref(posting_id), limit=500)


async def announced_chats(session: AsyncSession, posting_id: int) -> set[int]:
    """Groups that have (or are about to get) a copy of the posting."""
    chats: set[int] = set()
    live = [DeliveryState.PENDING, DeliveryState.SENDING, DeliveryState.SENT]
    for campaign in await announcement_campaigns(session, posting_id):
        assert campaign.id is not None
        chats.update(d.chat_id for d in await delivery.list_deliveries(session, campaign.id, live))
    return chats


async def announcement_counts(session: AsyncSession, posting_id: int) -> delivery.Counts:
    """The per-group rows of all announcements of a posting, summed."""
    totals: dict[str, int] = defaultdict(int)
    for campaign in await announcement_campaigns(session, posting_id):
        assert campaign.id is not None
        counts = await delivery.campaign_counts(session, campaign.id)
        for name in (
            "total",
            "pending",
            "sending",
            "sent",
            "failed",
            "blocked",
            "cancelled",
            "maybe_duplicate",
        ):
            totals[name] += getattr(counts, name)
    return delivery.Counts(**totals)


async def announce(
    session: AsyncSession,
    posting: JobPosting,
    groups: Sequence[GroupChat],
    *,
    bot_username: str,
    language: str,
    tz: tzinfo,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> Campaign | None:
    """Queue the posting for the groups that do not have it yet; None if they all have it."""
    assert posting.id is not None
    already = await announced_chats(session, posting.id)
    targets = [
        delivery.Target(g.chat_id, label=g.village or g.title, kind=ChatKind.GROUP)
        for g in groups
        if g.chat_id not in already
    ]
    if not targets:
        return None
    payload = announcement_payload(posting, bot_username=bot_username, language=language, tz=tz, now=now)
    return await delivery.create_campaign(
        session,
        ANNOUNCE_KIND,
        payload,
        targets,
        created_by_id=created_by_id,
        ref=posting_ref(posting.id),
        title=f"#{posting.id} {posting.title}",
        now=now,
    )


async def refresh_announcements(
    session: AsyncSession,
    posting: JobPosting,
    *,
    bot_username: str,
    language: str,
    tz: tzinfo,
    now: datetime | None = None,
) -> int:
    """Make every group copy show the posting as it is now; returns how many sent copies get edited.

    A posting that is over (filled or closed) also stops copies not sent yet: no group should first hear of
    a job when it is already gone.
    """
    assert posting.id is not None
    now = now or utcnow()
    payload = announcement_payload(posting, bot_username=bot_username, language=language, tz=tz, now=now)
    edited = 0
    for campaign in await announcement_campaigns(session, posting.id):
        assert campaign.id is not None
        if posting.state != PostingState.OPEN and campaign.state == CampaignState.ACTIVE:
            await delivery.cancel_campaign(session, campaign.id, now=now)
        edited += await delivery.edit_campaign_copies(session, campaign.id, payload, now=now)
    return edited


# --- alerts to admins ------------------------------------------------------------------------------


def _alert_payload(language: str, items: Sequence[tuple[JobApplication, JobPosting, bool]]) -> Payload:
    _ = gettext_for(language)
    if len(items) == 1:
        application_id = items[0][0].id
        assert application_id is not None
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(_("👀 View"), callback_data=ApplicantCard(application_id).pack()),),
        )
    else:
        per_posting: dict[int, tuple[JobPosting, int]] = {}
        for _application, posting, _updated in items:
            assert posting.id is not None
            seen = per_posting.get(posting.id)
            per_posting[posting.id] = (posting, (seen[1] if seen else 0) + 1)
        buttons = tuple(
            (Button(f"👥 {posting.title} ({count})", callback_data=Applicants(posting_id).pack()),)
            for posting_id, (posting, count) in list(per_posting.items())[:ALERT_BUTTONS]
        )
    entries = [{"application": a.id, "updated": updated} for a, _p, updated in items]
    return Payload(
        text=render.alert_html(_, items), parse_mode=HTML, buttons=buttons, extra={"applications": entries}
    )


async def _alert_items(
    session: AsyncSession, entries: Sequence[dict[str, Any]]
) -> list[tuple[JobApplication, JobPosting, bool]]:
    items = []
    for entry in entries:
        application = await service.get_application(session, int(entry["application"]))
        if application is None:
            continue  # forgotten or purged meanwhile
        posting = await service.get_posting(session, application.posting_id)
        if posting is not None:
            items.append((application, posting, bool(entry.get("updated"))))
    return items


async def alert_admins(
    session: AsyncSession,
    application: JobApplication,
    *,
    updated: bool,
    admins: Sequence[Person],
    default_language: str,
    now: datetime | None = None,
    window: timedelta = ALERT_WINDOW,
) -> list[Campaign]:
    """Tell the admins about an application, gathering those that arrive close together into one digest."""
    now = now or utcnow()
    campaigns = []
    entry = {"application": application.id, "updated": updated}
    for language, persons in sorted(_by_language(admins, default_language).items()):
        ref = f"alerts:{language}"
        recent = await delivery.list_campaigns(session, kind=ALERT_KIND, ref=ref, limit=1)
        latest = recent[0] if recent else None
        if (
            latest is not None
            and latest.id is not None
            and latest.state == CampaignState.ACTIVE
            and latest.started_at is None
            and latest.send_after is not None
            and latest.send_after > now + MERGE_MARGIN
        ):
            entries = [
                e
                for e in latest.payload.get("extra", {}).get("applications", [])
                if e.get("application") != application.id
            ]
            items = await _alert_items(session, [*entries, entry])
            await delivery.edit_campaign_copies(session, latest.id, _alert_payload(language, items), now=now)
            campaigns.append(latest)
            continue
        send_after = delivery.spaced_send_after(latest, now, window)
        items = await _alert_items(session, [entry])
        if not items:
            continue
        campaigns.append(
            await delivery.create_campaign(
                session,
                ALERT_KIND,
                _alert_payload(language, items),
                [
                    delivery.Target(p.telegram_id, label=p.display_name, kind=ChatKind.PRIVATE)
                    for p in persons
                ],
                ref=ref,
                title=f"application #{application.id}",
                send_after=send_after,
                now=now,
            )
        )
    return campaigns


# --- private messages to applicants and subscribers -------------------------------------------------


async def _notify(
    session: AsyncSession,
    person: Person,
    payload: Payload,
    *,
    ref: str,
    created_by_id: int | None,
    now: datetime,
) -> Campaign:
    return await delivery.create_campaign(
        session,
        NOTICE_KIND,
        payload,
        [delivery.Target(person.telegram_id, label=_private_label(person), kind=ChatKind.PRIVATE)],
        ref=ref,
        created_by_id=created_by_id,
        now=now,
    )


def status_notice_text(language: str, status: ApplicationStatus, posting: JobPosting) -> str:
    _ = gettext_for(language)
    texts = {
        ApplicationStatus.CONTACTED: _(
            "📞 {title}: the recruiter is trying to reach you. Please keep your phone at hand.",
            title=render.esc(posting.title),
        ),
        ApplicationStatus.INTERVIEWED: _(
            "🗣 {title}: thank you for the interview. You will hear the result here.",
            title=render.esc(posting.title),
        ),
        ApplicationStatus.HIRED: _(
            "🎉 {title}: congratulations, you are hired! The recruiter will tell you when to start.",
            title=render.esc(posting.title),
        ),
        ApplicationStatus.REJECTED: _(
            "🙏 {title}: thank you for applying. This time it did not work out. See other jobs with /jobs.",
            title=render.esc(posting.title),
        ),
    }
    return texts[status]


async def notify_status(
    session: AsyncSession,
    application: JobApplication,
    posting: JobPosting,
    *,
    default_language: str,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> Campaign | None:
    """Tell an applicant about the status of their application (None if there is nothing to tell)."""
    status = ApplicationStatus(application.status)
    person = await session.get(Person, application.person_id)
    if person is None or status not in (
        ApplicationStatus.CONTACTED,
        ApplicationStatus.INTERVIEWED,
        ApplicationStatus.HIRED,
        ApplicationStatus.REJECTED,
    ):
        return None
    text = status_notice_text(language_of(person, default_language), status, posting)
    payload = Payload(text=text, parse_mode=HTML)
    return await _notify(
        session,
        person,
        payload,
        ref=f"jobapp:{application.id}",
        created_by_id=created_by_id,
        now=now or utcnow(),
    )


async def send_staff_invite(
    session: AsyncSession,
    application: JobApplication,
    posting: JobPosting,
    admin: Person,
    *,
    bot_username: str,
    ttl: timedelta,
    default_language: str,
    tz: tzinfo,
    now: datetime | None = None,
) -> Invite | None:
    """Make a hired applicant staff in one step: create a one-time invite and send it to them.

    None if the person is already staff (or gone).
    """
    now = now or utcnow()
    person = await session.get(Person, application.person_id)
    if person is None or person.is_staff:
        return None
    invite = await people.create_invite(session, admin, ttl=ttl, note=f"job #{posting.id}", now=now)
    _ = translator_for(person, default_language)
    text = _(
        "🎉 Congratulations, you are hired: {title}!\n\nTap the button below to join the Xingzhan team as staff "
        "(valid until {expires}, only for you).",
        title=render.esc(posting.title),
        expires=invite.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    )
    link = f"https://t.me/{bot_username}?start={invite.code}"
    payload = Payload(text=text, parse_mode=HTML, buttons=((Button(_("🤝 Join the team"), url=link),),))
    await _notify(session, person, payload, ref=f"jobapp:{application.id}", created_by_id=admin.id, now=now)
    return invite


async def alert_subscribers(
    session: AsyncSession,
    posting: JobPosting,
    villages: Iterable[str],
    *,
    default_language: str,
    tz: tzinfo,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Tell the people who asked for alerts about the villages of a posting just published there (the first
    time, or later to more villages); everyone hears of a posting once. Returns how many are told now."""
    assert posting.id is not None
    now = now or utcnow()
    ref = f"jobsub:{posting.id}"
    told = await delivery.chats_reached_by_ref(session, ref)
    persons = [
        p
        for p in await service.subscribers_for(session, villages)
        if p.id != created_by_id and p.telegram_id not in told
    ]
    for language, group in sorted(_by_language(persons, default_language).items()):
        _ = gettext_for(language)
        text = _("🔔 A new job for you:") + "\n\n" + render.posting_html(_, posting, tz, now)
        payload = Payload(
            text=text,
            parse_mode=HTML,
            buttons=((Button(_("👀 View and apply"), callback_data=ViewPosting(posting.id).pack()),),),
            link_preview=False,
        )
        await delivery.create_campaign(
            session,
            NOTICE_KIND,
            payload,
            [delivery.Target(p.telegram_id, label=_private_label(p), kind=ChatKind.PRIVATE) for p in group],
            ref=ref,
            created_by_id=created_by_id,
            now=now,
        )
    return len(persons)
