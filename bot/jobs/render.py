"""Texts of the jobs capability, shared by the handlers and the outbox payloads. No Telegram here.

Everything returned is HTML (``parse_mode="HTML"``); text typed by people is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from bot.i18n import N_, Translate
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.jobs.service import DEEP_LINK_PREFIX, PostingCounts, deadline_day, local_today

STATE_LABELS = {
    PostingState.DRAFT: N_("draft"),
    PostingState.OPEN: N_("open"),
    PostingState.FILLED: N_("filled"),
    PostingState.CLOSED: N_("closed"),
}
STATUS_LABELS = {
    ApplicationStatus.NEW: N_("new"),
    ApplicationStatus.CONTACTED: N_("contacted"),
    ApplicationStatus.INTERVIEWED: N_("interviewed"),
    ApplicationStatus.HIRED: N_("hired"),
    ApplicationStatus.REJECTED: N_("not hired"),
    ApplicationStatus.WITHDRAWN: N_("withdrawn"),
}
STATUS_ICONS = {
    ApplicationStatus.NEW: "🆕",
    ApplicationStatus.CONTACTED: "📞",
    ApplicationStatus.INTERVIEWED: "🗣",
    ApplicationStatus.HIRED: "🎉",
    ApplicationStatus.REJECTED: "✖️",
    ApplicationStatus.WITHDRAWN: "↩️",
}
# What the applicant reads about each status (seekers see their own applications only).
SEEKER_STATUS = {
    ApplicationStatus.NEW: N_("sent, waiting for a call"),
    ApplicationStatus.CONTACTED: N_("we contacted you"),
    ApplicationStatus.INTERVIEWED: N_("interviewed"),
    ApplicationStatus.HIRED: N_("hired 🎉"),
    ApplicationStatus.REJECTED: N_("not successful this time"),
    ApplicationStatus.WITHDRAWN: N_("withdrawn"),
}
FIELD_LABELS = {
    "title": N_("Title"),
    "description": N_("Description"),
    "headcount": N_("People needed"),
    "pay": N_("Pay"),
    "hours": N_("Hours or shifts"),
    "location": N_("Place of work"),
    "requirements": N_("Requirements"),
    "deadline": N_("Deadline"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "village": N_("Village"),
    "availability": N_("Can start"),
    "note": N_("Note"),
}


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def state_label(_: Translate, state: str) -> str:
    return _(STATE_LABELS[PostingState(state)])


def status_label(_: Translate, status: str) -> str:
    return _(STATUS_LABELS[ApplicationStatus(status)])


def day_text(_: Translate, day: date, today: date) -> str:
    """``12月31日`` (with the year when it is not this year)."""
    if day.year != today.year:
        return _("{month}/{day}/{year}", year=day.year, month=day.month, day=day.day)
    return _("{month}/{day}", month=day.month, day=day.day)


def deadline_text(_: Translate, posting: JobPosting, tz: tzinfo, now: datetime | None = None) -> str:
    day = deadline_day(posting, tz)
    if day is None:
        return _("no deadline")
    return day_text(_, day, local_today(tz, now))


def deep_link(bot_username: str, posting_id: int) -> str:
    """The ``t.me`` link that opens a private chat with the bot at this posting."""
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{posting_id}"


def posting_details(_: Translate, posting: JobPosting, tz: tzinfo, now: datetime | None = None) -> str:
    """The fields of a posting, one per line, then its description."""
    lines = [
        "💰 " + _("Pay: {pay}", pay=esc(posting.pay)),
        "🕘 " + _("Hours: {hours}", hours=esc(posting.hours)),
        "📍 " + _("Place: {location}", location=esc(posting.location)),
        "👥 " + _("People needed: {count}", count=posting.headcount),
        "📅 " + _("Apply by: {day}", day=deadline_text(_, posting, tz, now)),
    ]
    if posting.requirements:
        lines.append("📋 " + _("Requirements: {text}", text=esc(posting.requirements)))
    return "\n".join(lines) + "\n\n" + esc(posting.description)


def posting_html(_: Translate, posting: JobPosting, tz: tzinfo, now: datetime | None = None) -> str:
    """A posting as job seekers see it in a private chat."""
    if posting.state == PostingState.FILLED:
        head = "🈵 " + _("<b>Filled:</b> {title}", title=esc(posting.title))
    elif posting.state == PostingState.CLOSED:
        head = "⏹ " + _("<b>Closed:</b> {title}", title=esc(posting.title))
    else:
        head = "📢 " + _("<b>Job: {title}</b>", title=esc(posting.title))
    return head + "\n" + posting_details(_, posting, tz, now)


def announcement_html(_: Translate, posting: JobPosting, tz: tzinfo, now: datetime | None = None) -> str:
    """A posting as a village group sees it: the details and, once it is over, why it is over."""
    text = posting_html(_, posting, tz, now)
    if posting.state == PostingState.FILLED:
        return text + "\n\n" + _("All places are filled. Thank you, everyone!")
    if posting.state == PostingState.CLOSED:
        return text + "\n\n" + _("Applications are closed. Thank you, everyone!")
    return (
        text
        + "\n\n"
        + _(
            "👇 Tap “Apply” below: it takes a minute in a private chat, and only the recruiter sees your phone "
            "number."
        )
    )


def admin_card(
    _: Translate,
    posting: JobPosting,
    counts: PostingCounts,
    tz: tzinfo,
    *,
    groups_sent: int = 0,
    groups_total: int = 0,
    now: datetime | None = None,
) -> str:
    """A posting with its state and numbers, for admins."""
    status = _(
        "#{id} · {state} · applications: {active} in play / {total} in all · hired {hired}/{headcount}",
        id=posting.id,
        state=state_label(_, posting.state),
        active=counts.active,
        total=counts.total,
        hired=counts.hired,
        headcount=posting.headcount,
    )
    lines = [posting_html(_, posting, tz, now), "", "<i>" + esc(status) + "</i>"]
    if groups_total:
        lines.append(
            "<i>"
            + esc(_("Village groups: {sent}/{total} sent", sent=groups_sent, total=groups_total))
            + "</i>"
        )
    return "\n".join(lines)


def application_summary(_: Translate, values: dict[str, str | None]) -> str:
    """The filled-in form, for the applicant to check before sending."""
    lines = []
    for key in ("name", "phone", "village", "availability", "note"):
        value = values.get(key)
        lines.append(_("{label}: {value}", label=_(FIELD_LABELS[key]), value=esc(value) if value else "—"))
    return "\n".join(lines)


def applicant_card(_: Translate, application: JobApplication, posting: JobPosting, tz: tzinfo) -> str:
    """Everything an admin needs to call an applicant back."""
    status = ApplicationStatus(application.status)
    lines = [
        f"{STATUS_ICONS[status]} <b>{esc(application.name)}</b> · {status_label(_, status)}",
        "📱 " + esc(application.phone) + (" ✓" if application.contact_shared else ""),
        "🏠 " + _("Village: {village}", village=esc(application.village)),
        "🕘 " + _("Can start: {when}", when=esc(application.availability)),
    ]
    if application.note:
        lines.append("📝 " + esc(application.note))
    lines.append(
        _(
            "Job: {title} · application #{id} · {when}",
            title=esc(posting.title),
            id=application.id,
            when=application.updated_at.astimezone(tz).strftime("%m-%d %H:%M"),
        )
    )
    return "\n".join(lines)


def applicants_list(
    _: Translate, posting: JobPosting, applications: Sequence[JobApplication], offset: int
) -> str:
    """A page of a posting's applicants, numbered."""
    head = _("<b>{title}</b> — applicants: {count}", title=esc(posting.title), count=len(applications))
    if not applications:
        return head + "\n" + _("No applications yet.")
    lines = [head]
    for number, application in enumerate(applications, start=offset + 1):
        status = ApplicationStatus(application.status)
        lines.append(
            f"{number}. {STATUS_ICONS[status]} {esc(application.name)} · {esc(application.phone)} · "
            f"{esc(application.village)} · {status_label(_, status)}"
        )
    return "\n".join(lines)


def alert_html(_: Translate, items: Sequence[tuple[JobApplication, JobPosting, bool]]) -> str:
    """The admins' alert about new applications (``bool``: an update of an earlier one).

    It carries no names or phone numbers: the outbox keeps what it sends, and personal data stays in the
    applications (the buttons open them).
    """
    if len(items) == 1:
        application, posting, updated = items[0]
        head = _("📝 Updated application") if updated else _("📝 New application")
        return (
            f"{head} #{application.id}\n"
            + _("Job: {title}", title=esc(posting.title))
            + "\n"
            + _(
                "Village: {village} · can start: {when}",
                village=esc(application.village),
                when=esc(application.availability),
            )
        )
    lines = [_("📝 {count} new applications:", count=len(items))]
    for application, posting, updated in items:
        mark = " ✏️" if updated else ""
        lines.append(f"• #{application.id} {esc(posting.title)} · {esc(application.village)}{mark}")
    return "\n".join(lines)
