"""Postings, applications, alerts for new postings and privacy: domain logic, no Telegram.

Sending (village announcements, alerts, notices to applicants) goes through the delivery outbox and lives in
``bot.jobs.outbox``; this module only reads and writes the jobs tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, JobSubscription, PostingState
from bot.people.models import GroupChat, Person

DEEP_LINK_PREFIX = "job_"
MAX_DEADLINE_AHEAD = timedelta(days=366)
ACTIVE_STATUSES = (
    ApplicationStatus.NEW,
    ApplicationStatus.CONTACTED,
    ApplicationStatus.INTERVIEWED,
)
SKIP_WORDS = frozenset({"跳过", "无", "没有", "不限", "不填", "-", "skip", "none", "no"})


# --- validating what people type ------------------------------------------------------------------


class InputError(StrEnum):
    """Why a typed value was refused."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_A_NAME = "not_a_name"
    BAD_PHONE = "bad_phone"
    BAD_DATE = "bad_date"
    PAST_DATE = "past_date"
    FAR_DATE = "far_date"


@dataclass(frozen=True, slots=True)
class TextRule:
    """Length limits of a free-text field; ``optional`` fields accept a skip word as ``None``."""

    min: int
    max: int
    optional: bool = False


POSTING_RULES: dict[str, TextRule] = {
    "title": TextRule(2, 40),
    "description": TextRule(1, 1000),
    "pay": TextRule(1, 60),
    "hours": TextRule(1, 200),
    "location": TextRule(1, 60),
    "requirements": TextRule(1, 300, optional=True),
}
APPLICATION_RULES: dict[str, TextRule] = {
    "name": TextRule(1, 30),
    "village": TextRule(1, 64),
    "availability": TextRule(1, 100),
    "note": TextRule(1, 200, optional=True),
}
HEADCOUNT_MAX = 999


def tidy(raw: str, *, multiline: bool = False, fold: bool = False) -> str:
    """Normalise typed text: blank runs collapsed, ends trimmed; with ``fold`` also full-width digits and
    signs made plain (NFKC), for numbers and dates only: Chinese punctuation in free text stays as typed."""
    text = unicodedata.normalize("NFKC", raw or "") if fold else (raw or "")
    if multiline:
        lines = [" ".join(line.split()) for line in text.strip().splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


def is_skip(raw: str) -> bool:
    """Whether the text asks to leave an optional field empty."""
    return tidy(raw, fold=True).lower() in SKIP_WORDS


def check_text(raw: str, rule: TextRule, *, multiline: bool = False) -> str | InputError | None:
    """The cleaned value, ``None`` for a skipped optional field, or why it was refused."""
    if rule.optional and is_skip(raw):
        return None
    text = tidy(raw, multiline=multiline)
    if not text:
        return InputError.EMPTY
    if len(text) < rule.min:
        return InputError.TOO_SHORT
    if len(text) > rule.max:
        return InputError.TOO_LONG
    return text


def check_posting_field(name: str, raw: str) -> str | int | InputError | None:
    """Validate one posting field typed by an admin (``headcount`` gives an int)."""
    if name == "headcount":
        return parse_headcount(raw)
    return check_text(raw, POSTING_RULES[name], multiline=name in ("description", "requirements", "hours"))


def parse_headcount(raw: str) -> int | InputError:
    """``3``, ``3人``, ``3 名`` → 3; between 1 and 999."""
    text = tidy(raw, fold=True).replace(" ", "")
    match = re.fullmatch(r"(\d{1,4})(人|名|个|位)?", text)
    if not match:
        return InputError.NOT_A_NUMBER
    number = int(match.group(1))
    if not 1 <= number <= HEADCOUNT_MAX:
        return InputError.OUT_OF_RANGE
    return number


def check_name(raw: str) -> str | InputError:
    """A person's name: 1 to 30 characters with at least one letter (a phone number is not a name)."""
    result = check_text(raw, APPLICATION_RULES["name"])
    if isinstance(result, InputError) or result is None:
        return result or InputError.EMPTY
    if not any(ch.isalpha() for ch in result):
        return InputError.NOT_A_NAME
    return result


_PHONE_JUNK = re.compile(r"[\s\-‐‑–—()（）.·]")


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, accepting +86 / 0086 / 86, spaces and dashes; else None."""
    text = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if re.fullmatch(r"1[3-9]\d{9}", text) else None


def contact_phone(phone_number: str, *, own: bool) -> str | None:
    """The number of a shared contact: the sender's own contact is trusted as Telegram verified it;
    someone else's is only taken if it is a valid mainland mobile number, like a typed one."""
    normalized = normalize_phone(phone_number)
    if normalized or not own:
        return normalized
    digits = re.sub(r"\D", "", phone_number)
    return f"+{digits}" if 6 <= len(digits) <= 15 else None


def mask_phone(phone: str) -> str:
    """138****5678, for showing a person their own number back without spelling it out in full."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


_RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2}


def parse_deadline(raw: str, today: date) -> date | InputError | None:
    """A deadline day: ``2026-12-31``, ``12-31``, ``12月31日``, ``12/31``, 今天 / 明天 / 后天.

    A skip word (不限, 无, ...) means no deadline (``None``). A day without a year is the next such day
    (this year, or next year if it has passed). Today is allowed (the posting closes at the end of it).
    """
    if is_skip(raw):
        return None
    text = tidy(raw, fold=True).lower().replace(" ", "")
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    full = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", text)
    short = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})[日号]?", text)
    try:
        if full:
            day = date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        elif short:
            month, number = int(short.group(1)), int(short.group(2))
            day = date(today.year, month, number) if _valid(today.year, month, number) else None
            if day is None or day < today:
                day = date(today.year + 1, month, number)
        else:
            return InputError.BAD_DATE
    except ValueError:
        return InputError.BAD_DATE
    if day < today:
        return InputError.PAST_DATE
    if day - today > MAX_DEADLINE_AHEAD:
        return InputError.FAR_DATE
    return day


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def closing_moment(day: date, tz: tzinfo) -> datetime:
    """The moment a posting with deadline ``day`` closes: the local midnight ending that day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def deadline_day(posting: JobPosting, tz: tzinfo) -> date | None:
    """The last local day applications are taken, or None without a deadline."""
    if posting.closes_at is None:
        return None
    return (posting.closes_at.astimezone(tz) - timedelta(microseconds=1)).date()


def local_today(tz: tzinfo, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(tz).date()


# --- postings --------------------------------------------------------------------------------------


@dataclass(slots=True)
class PostingDraft:
    """The fields of a posting while an admin writes it."""

    title: str = ""
    description: str = ""
    headcount: int = 1
    pay: str = ""
    hours: str = ""
    location: str = ""
    requirements: str | None = None
    closes_at: datetime | None = None


class PostingField(StrEnum):
    """The fields of a posting, in the order the admin's form asks for them (``deadline``: ``closes_at``)."""

    TITLE = "title"
    DESCRIPTION = "description"
    HEADCOUNT = "headcount"
    PAY = "pay"
    HOURS = "hours"
    LOCATION = "location"
    REQUIREMENTS = "requirements"
    DEADLINE = "deadline"


async def create_posting(
    session: AsyncSession, created_by: Person, draft: PostingDraft, *, now: datetime | None = None
) -> JobPosting:
    """Save a written posting as a draft."""
    now = now or utcnow()
    posting = JobPosting.model_validate(
        draft, update={"created_by_id": created_by.id, "created_at": now, "updated_at": now}
    )
    session.add(posting)
    await session.commit()
    return posting


async def get_posting(session: AsyncSession, posting_id: int) -> JobPosting | None:
    return await session.get(JobPosting, posting_id, populate_existing=True)


async def update_posting(
    session: AsyncSession, posting: JobPosting, name: str, value: object, *, now: datetime | None = None
) -> JobPosting:
    """Change one field (``deadline`` takes the closing moment or None); ValueError for other names."""
    field_name = PostingField(name)
    setattr(posting, "closes_at" if field_name is PostingField.DEADLINE else field_name.value, value)
    posting.updated_at = now or utcnow()
    session.add(posting)
    await session.commit()
    return posting


async def delete_draft(session: AsyncSession, posting: JobPosting) -> bool:
    """Delete a posting that was never published."""
    if posting.state != PostingState.DRAFT:
        return False
    await session.delete(posting)
    await session.commit()
    return True


def accepts_applications(posting: JobPosting, now: datetime | None = None) -> bool:
    """Open, and its deadline has not passed (even if the scheduler has not closed it yet)."""
    now = now or utcnow()
    return posting.state == PostingState.OPEN and (posting.closes_at is None or posting.closes_at > now)


def _open_now(now: datetime) -> Any:
    return (col(JobPosting.state) == PostingState.OPEN) & (
        col(JobPosting.closes_at).is_(None) | (col(JobPosting.closes_at) > now)
    )


async def open_postings(
    session: AsyncSession, *, offset: int = 0, limit: int = 5, now: datetime | None = None
) -> tuple[list[JobPosting], int]:
    """A page of postings taking applications, newest first, and how many there are."""
    now = now or utcnow()
    total = (await session.exec(select(func.count()).select_from(JobPosting).where(_open_now(now)))).one()
    result = await session.exec(
        select(JobPosting)
        .where(_open_now(now))
        .order_by(col(JobPosting.published_at).desc(), col(JobPosting.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.all()), int(total)


async def all_postings(
    session: AsyncSession, *, offset: int = 0, limit: int = 8
) -> tuple[list[JobPosting], int]:
    """Every posting for admins: drafts and open ones first, then the rest, newest first."""
    result = await session.exec(select(JobPosting).order_by(col(JobPosting.id).desc()))
    order = {PostingState.DRAFT: 0, PostingState.OPEN: 1}
    postings = sorted(result.all(), key=lambda p: (order.get(p.state, 2), -(p.id or 0)))
    return postings[offset : offset + limit], len(postings)


async def publish(session: AsyncSession, posting: JobPosting, *, now: datetime | None = None) -> bool:
    """Open a draft for applications; False if it is not a draft or its deadline has passed."""
    now = now or utcnow()
    if posting.state != PostingState.DRAFT or (posting.closes_at is not None and posting.closes_at <= now):
        return False
    posting.state = PostingState.OPEN
    posting.published_at = now
    posting.updated_at = now
    session.add(posting)
    await session.commit()
    return True


class StateChange(StrEnum):
    """Outcome of an admin asking to fill, close or reopen a posting."""

    DONE = "done"
    UNCHANGED = "unchanged"
    IS_DRAFT = "is_draft"
    DEADLINE_PASSED = "deadline_passed"


async def change_state(
    session: AsyncSession, posting: JobPosting, state: PostingState, *, now: datetime | None = None
) -> StateChange:
    """Mark a published posting filled or closed, or reopen it (only with its deadline still ahead)."""
    now = now or utcnow()
    if posting.state == PostingState.DRAFT:
        return StateChange.IS_DRAFT
    if posting.state == state:
        return StateChange.UNCHANGED
    if state == PostingState.OPEN:
        if posting.closes_at is not None and posting.closes_at <= now:
            return StateChange.DEADLINE_PASSED
        posting.ended_at = None
    else:
        posting.ended_at = now
    posting.state = state
    posting.updated_at = now
    session.add(posting)
    await session.commit()
    return StateChange.DONE


async def close_expired(session: AsyncSession, *, now: datetime | None = None) -> list[JobPosting]:
    """Close every open posting whose deadline has passed; returns them."""
    now = now or utcnow()
    result = await session.exec(
        select(JobPosting).where(
            col(JobPosting.state) == PostingState.OPEN,
            col(JobPosting.closes_at).is_not(None),
            col(JobPosting.closes_at) <= now,
        )
    )
    closed = list(result.all())
    for posting in closed:
        posting.state = PostingState.CLOSED
        posting.ended_at = posting.updated_at = now
        session.add(posting)
    await session.commit()
    return closed


@dataclass(frozen=True, slots=True)
class PostingCounts:
    """Applications of a posting: still in play, hired, all (withdrawn ones left out)."""

    active: int = 0
    hired: int = 0
    total: int = 0


async def posting_counts(session: AsyncSession, posting_ids: Iterable[int]) -> dict[int, PostingCounts]:
    """Application counts per posting."""
    ids = list(posting_ids)
    if not ids:
        return {}
    result = await session.exec(
        select(JobApplication.posting_id, JobApplication.status, func.count())
        .where(col(JobApplication.posting_id).in_(ids))
        .group_by(JobApplication.posting_id, JobApplication.status)
    )
    raw: dict[int, dict[str, int]] = {}
    for posting_id, status, count in result.all():
        raw.setdefault(posting_id, {})[status] = count
    counts = {}
    for posting_id in ids:
        by_status = raw.get(posting_id, {})
        counts[posting_id] = PostingCounts(
            active=sum(by_status.get(s, 0) for s in ACTIVE_STATUSES),
            hired=by_status.get(ApplicationStatus.HIRED, 0),
            total=sum(n for s, n in by_status.items() if s != ApplicationStatus.WITHDRAWN),
        )
    return counts


# --- village groups --------------------------------------------------------------------------------


async def village_groups(session: AsyncSession) -> list[GroupChat]:
    """Active groups bound to a village, by village."""
    result = await session.exec(
        select(GroupChat)
        .where(col(GroupChat.active), col(GroupChat.village).is_not(None))
        .order_by(GroupChat.village, GroupChat.title)
    )
    return list(result.all())


async def known_villages(session: AsyncSession) -> list[str]:
    """Names of the villages that have a group, for answer buttons."""
    names: list[str] = []
    for group in await village_groups(session):
        if group.village and group.village not in names:
            names.append(group.village)
    return names


# --- applications ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ApplicationForm:
    """What a job seeker fills in."""

    name: str = ""
    phone: str = ""
    village: str = ""
    availability: str = ""
    note: str | None = None
    contact_shared: bool = False


class SubmitOutcome(StrEnum):
    """What became of a submitted form."""

    CREATED = "created"
    UPDATED = "updated"
    CLOSED = "closed"
    NOT_FOUND = "not_found"
    ALREADY_HIRED = "already_hired"


@dataclass(frozen=True, slots=True)
class Submitted:
    outcome: SubmitOutcome
    application: JobApplication | None = None
    posting: JobPosting | None = None


async def own_application_for(
    session: AsyncSession, posting_id: int, person_id: int
) -> JobApplication | None:
    """A person's application to one posting, if any."""
    result = await session.exec(
        select(JobApplication).where(
            JobApplication.posting_id == posting_id, JobApplication.person_id == person_id
        )
    )
    return result.first()


async def submit_application(
    session: AsyncSession,
    posting_id: int,
    person: Person,
    form: ApplicationForm,
    *,
    now: datetime | None = None,
) -> Submitted:
    """Create the person's application to a posting, or update it if they applied before.

    Refused when the posting no longer takes applications, or the person was already hired for it.
    A withdrawn application becomes new again.
    """
    now = now or utcnow()
    posting = await session.get(JobPosting, posting_id, populate_existing=True)
    if posting is None:
        return Submitted(SubmitOutcome.NOT_FOUND)
    assert person.id is not None
    application = await own_application_for(session, posting_id, person.id)
    if application is not None and application.status == ApplicationStatus.HIRED:
        return Submitted(SubmitOutcome.ALREADY_HIRED, application, posting)
    if not accepts_applications(posting, now):
        return Submitted(SubmitOutcome.CLOSED, application, posting)
    outcome = SubmitOutcome.UPDATED
    if application is None:
        outcome = SubmitOutcome.CREATED
        application = JobApplication.model_validate(
            form,
            update={"posting_id": posting_id, "person_id": person.id, "created_at": now, "updated_at": now},
        )
    else:
        if application.status == ApplicationStatus.WITHDRAWN:
            application.status = ApplicationStatus.NEW
            application.status_changed_at = now
        application.sqlmodel_update(asdict(form), update={"updated_at": now})
    session.add(application)
    await session.commit()
    return Submitted(outcome, application, posting)


async def get_application(session: AsyncSession, application_id: int) -> JobApplication | None:
    return await session.get(JobApplication, application_id, populate_existing=True)


async def own_application(
    session: AsyncSession, application_id: int, person: Person
) -> JobApplication | None:
    """The application, only if it belongs to ``person`` (a seeker sees nobody else's)."""
    application = await get_application(session, application_id)
    if application is None or application.person_id != person.id:
        return None
    return application


async def applications_of(session: AsyncSession, person: Person) -> list[tuple[JobApplication, JobPosting]]:
    """A person's own applications with their postings, newest first."""
    result = await session.exec(
        select(JobApplication, JobPosting)
        .join(JobPosting, col(JobPosting.id) == col(JobApplication.posting_id))
        .where(JobApplication.person_id == person.id)
        .order_by(col(JobApplication.updated_at).desc(), col(JobApplication.id).desc())
    )
    return [(a, p) for a, p in result.all()]


async def last_form(session: AsyncSession, person: Person) -> ApplicationForm | None:
    """What the person wrote in their latest application, to offer it again."""
    result = await session.exec(
        select(JobApplication)
        .where(JobApplication.person_id == person.id)
        .order_by(col(JobApplication.updated_at).desc(), col(JobApplication.id).desc())
        .limit(1)
    )
    last = result.first()
    if last is None:
        return None
    return ApplicationForm(**last.model_dump(include={f.name for f in fields(ApplicationForm)}))


async def withdraw(
    session: AsyncSession, application: JobApplication, *, now: datetime | None = None
) -> bool:
    """The applicant takes their application back (not once hired or rejected)."""
    if application.status not in ACTIVE_STATUSES:
        return False
    now = now or utcnow()
    application.status = ApplicationStatus.WITHDRAWN
    application.status_changed_at = application.updated_at = now
    session.add(application)
    await session.commit()
    return True


async def applicants(session: AsyncSession, posting_id: int) -> list[JobApplication]:
    """Applications to a posting in the order they came, withdrawn ones last."""
    result = await session.exec(
        select(JobApplication)
        .where(JobApplication.posting_id == posting_id)
        .order_by(col(JobApplication.status) == ApplicationStatus.WITHDRAWN, col(JobApplication.id))
    )
    return list(result.all())


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What an admin's status change did: ``changed`` false if it already had that status;
    ``filled`` true if this hire filled the posting."""

    application: JobApplication
    posting: JobPosting
    changed: bool
    filled: bool = False


ADMIN_STATUSES = (
    ApplicationStatus.CONTACTED,
    ApplicationStatus.INTERVIEWED,
    ApplicationStatus.HIRED,
    ApplicationStatus.REJECTED,
)


async def set_status(
    session: AsyncSession,
    application: JobApplication,
    status: ApplicationStatus,
    *,
    by: Person | None = None,
    now: datetime | None = None,
) -> StatusResult:
    """Move an application along; the hire that reaches the headcount fills an open posting."""
    if status not in ADMIN_STATUSES:
        raise ValueError(f"admins cannot set {status}")
    now = now or utcnow()
    posting = await session.get(JobPosting, application.posting_id, populate_existing=True)
    assert posting is not None
    if application.status == status:
        return StatusResult(application, posting, changed=False)
    application.status = status
    application.status_changed_at = application.updated_at = now
    application.status_changed_by_id = by.id if by else None
    session.add(application)
    await session.commit()
    filled = False
    if status == ApplicationStatus.HIRED and posting.state == PostingState.OPEN:
        hired = (await posting_counts(session, [application.posting_id]))[application.posting_id].hired
        if hired >= posting.headcount:
            filled = await change_state(session, posting, PostingState.FILLED, now=now) == StateChange.DONE
    return StatusResult(application, posting, changed=True, filled=filled)


# --- alerts for new postings -----------------------------------------------------------------------


async def get_subscription(session: AsyncSession, person: Person) -> JobSubscription | None:
    result = await session.exec(select(JobSubscription).where(JobSubscription.person_id == person.id))
    return result.first()


async def subscribe(
    session: AsyncSession, person: Person, village: str | None, *, now: datetime | None = None
) -> JobSubscription:
    """Alerts for new postings in ``village`` (None: every village); replaces an earlier choice."""
    subscription = await get_subscription(session, person)
    if subscription is None:
        assert person.id is not None
        subscription = JobSubscription(person_id=person.id, created_at=now or utcnow())
    subscription.village = village
    session.add(subscription)
    await session.commit()
    return subscription


async def unsubscribe(session: AsyncSession, person: Person) -> bool:
    subscription = await get_subscription(session, person)
    if subscription is None:
        return False
    await session.delete(subscription)
    await session.commit()
    return True


async def subscribers_for(session: AsyncSession, villages: Iterable[str]) -> list[Person]:
    """People to tell about a posting announced in ``villages``: everywhere-subscribers and those villages'."""
    wanted = sorted(set(villages))
    condition = col(JobSubscription.village).is_(None)
    if wanted:
        condition = condition | col(JobSubscription.village).in_(wanted)
    result = await session.exec(
        select(Person)
        .join(JobSubscription, col(JobSubscription.person_id) == col(Person.id))
        .where(condition)
        .order_by(col(Person.id))
    )
    return list(result.all())


# --- privacy ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forgotten:
    applications: int = 0
    subscriptions: int = 0
    posting_ids: tuple[int, ...] = field(default_factory=tuple)


async def forget_person(session: AsyncSession, person: Person) -> Forgotten:
    """Delete everything a job seeker told us: their applications and their alert choice."""
    result = await session.exec(
        select(JobApplication.posting_id).where(JobApplication.person_id == person.id)
    )
    posting_ids = tuple(sorted(set(result.all())))
    removed = await session.exec(delete(JobApplication).where(col(JobApplication.person_id) == person.id))
    unsubscribed = await session.exec(
        delete(JobSubscription).where(col(JobSubscription.person_id) == person.id)
    )
    await session.commit()
    return Forgotten(int(removed.rowcount or 0), int(unsubscribed.rowcount or 0), posting_ids)


async def purge_applications(session: AsyncSession, *, older_than: datetime) -> int:
    """Delete applications untouched since ``older_than`` (the retention period); how many."""
    result = await session.exec(delete(JobApplication).where(col(JobApplication.updated_at) < older_than))
    await session.commit()
    return int(result.rowcount or 0)


async def people_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    """People by their row id."""
    if not ids:
        return {}
    result = await session.exec(select(Person).where(col(Person.id).in_(list(ids))))
    return {p.id: p for p in result.all() if p.id is not None}
