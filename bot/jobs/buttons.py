"""The callback data of every jobs button (``bot.buttons``): job seekers' first, then admins'.

No Telegram here: the outbox puts some of these on the messages it queues (alerts, subscribers' news).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from bot.buttons import PAGE, Button
from bot.jobs.service import PostingField

# --- job seekers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobsPage(Button, prefix="job.list"):
    """A page of the open postings (``/jobs``)."""

    page: Annotated[int, PAGE] = 0


@dataclass(frozen=True)
class ViewPosting(Button, prefix="job.view"):
    """A posting as job seekers see it, with its ✍️ Apply button."""

    posting_id: int


@dataclass(frozen=True)
class Apply(Button, prefix="job.apply"):
    """✍️ Apply: starts the application form."""

    posting_id: int


@dataclass(frozen=True)
class MyApplications(Button, prefix="job.mine"):
    """The person's own applications (``/myapplications``)."""


@dataclass(frozen=True)
class Withdraw(Button, prefix="job.withdraw"):
    """↩️ Withdraw one's application: asks first, withdraws once ``confirmed``."""

    application_id: int
    confirmed: bool = False


@dataclass(frozen=True)
class AlertsMenu(Button, prefix="job.alerts"):
    """The choice of alerts for new postings (``/jobalerts``)."""


@dataclass(frozen=True)
class Subscribe(Button, prefix="job.sub"):
    """Alerts for new postings in the village of a group, or in every village (``group_id`` None)."""

    group_id: int | None = None


@dataclass(frozen=True)
class Unsubscribe(Button, prefix="job.unsub"):
    """🔕 No more alerts for new postings."""


@dataclass(frozen=True)
class ForgetMe(Button, prefix="job.forget"):
    """The answer to ``/forgetme``: delete the person's job data, or keep it."""

    confirmed: bool


# --- admins ----------------------------------------------------------------------------------------


class NewState(StrEnum):
    """What an admin can make of a published posting."""

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class Verdict(StrEnum):
    """The statuses an admin gives an application."""

    CONTACTED = "contacted"
    INTERVIEWED = "interviewed"
    HIRED = "hired"
    REJECTED = "rejected"


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


@dataclass(frozen=True)
class PostingsPage(Button, prefix="job.postings"):
    """A page of every posting (``/postings``)."""

    page: Annotated[int, PAGE] = 0


@dataclass(frozen=True)
class PostingCard(Button, prefix="job.posting"):
    """A posting's card for admins: its numbers and what can be done with it."""

    posting_id: int


@dataclass(frozen=True)
class EditPosting(Button, prefix="job.edit"):
    """✏️ Edit: the fields of a posting to choose from."""

    posting_id: int


@dataclass(frozen=True)
class EditField(Button, prefix="job.field"):
    """One field of a posting to type again."""

    posting_id: int
    field: PostingField


@dataclass(frozen=True)
class DeleteDraft(Button, prefix="job.delete"):
    posting_id: int


@dataclass(frozen=True)
class Publish(Button, prefix="job.publish"):
    """📣 Publish to every village group that does not have the posting yet, or to the ``chosen`` ones."""

    posting_id: int
    chosen: bool = False


@dataclass(frozen=True)
class PickGroups(Button, prefix="job.pick"):
    """The village groups to publish to, with ``toggle`` (a group's row id) ticked or unticked."""

    posting_id: int
    toggle: int | None = None


@dataclass(frozen=True)
class ChangeState(Button, prefix="job.state"):
    """🈵 Mark filled, ⏹ Close or 🔄 Reopen a published posting."""

    posting_id: int
    state: NewState


@dataclass(frozen=True)
class Applicants(Button, prefix="job.applicants"):
    """A page of a posting's applicants."""

    posting_id: int
    page: Annotated[int, PAGE] = 0


@dataclass(frozen=True)
class ApplicantCard(Button, prefix="job.applicant"):
    """One application, with the buttons that move it along."""

    application_id: int


@dataclass(frozen=True)
class SetStatus(Button, prefix="job.status"):
    application_id: int
    status: Verdict


@dataclass(frozen=True)
class TellApplicant(Button, prefix="job.tell"):
    """📨 Tell the applicant where their application stands."""

    application_id: int


@dataclass(frozen=True)
class Export(Button, prefix="job.export"):
    """The applicants of a posting as a spreadsheet."""

    posting_id: int
    format: ExportFormat
