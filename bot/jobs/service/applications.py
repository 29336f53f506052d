"""Applications: submitting and updating the form, withdrawing, the applicants of a posting and their status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.jobs.service.postings import (
    ACTIVE_STATUSES,
    StateChange,
    accepts_applications,
    change_state,
    posting_counts,
)
from bot.people.models import Person


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
