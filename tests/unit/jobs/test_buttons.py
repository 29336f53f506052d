"""The jobs buttons' callback data: every kind packs and unpacks, and forged data is refused."""

from __future__ import annotations

import pytest

from bot.buttons import CALLBACK_DATA_LIMIT, MAX_ID, Button, ButtonDataError
from bot.jobs import buttons
from bot.jobs.service import PostingField

EXAMPLES: list[Button] = [
    buttons.JobsPage(3),
    buttons.ViewPosting(7),
    buttons.Apply(7),
    buttons.MyApplications(),
    buttons.Withdraw(12, confirmed=True),
    buttons.AlertsMenu(),
    buttons.Subscribe(),
    buttons.Subscribe(4),
    buttons.Unsubscribe(),
    buttons.ForgetMe(confirmed=False),
    buttons.PostingsPage(1),
    buttons.PostingCard(7),
    buttons.EditPosting(7),
    buttons.EditField(7, PostingField.DEADLINE),
    buttons.DeleteDraft(7),
    buttons.Publish(7, chosen=True),
    buttons.PickGroups(7),
    buttons.PickGroups(7, toggle=3),
    buttons.ChangeState(MAX_ID, buttons.NewState.FILLED),
    buttons.Applicants(MAX_ID, 9_999),
    buttons.ApplicantCard(MAX_ID),
    buttons.SetStatus(MAX_ID, buttons.Verdict.INTERVIEWED),
    buttons.TellApplicant(12),
    buttons.Export(7, buttons.ExportFormat.XLSX),
]


@pytest.mark.parametrize("button", EXAMPLES, ids=repr)
def test_every_button_round_trips(button: Button) -> None:
    data = button.pack()
    assert data.startswith("job.") and len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert type(button).unpack(data) == button


def test_every_kind_has_an_example() -> None:
    kinds = {
        value
        for value in vars(buttons).values()
        if isinstance(value, type) and issubclass(value, Button) and value is not Button
    }
    assert kinds == {type(button) for button in EXAMPLES}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (buttons.ChangeState, "job.state.v1:7:draft"),  # an admin cannot make a published posting a draft
        (buttons.SetStatus, "job.status.v1:7:withdrawn"),  # only the applicant withdraws
        (buttons.SetStatus, "job.status.v1:7:new"),
        (buttons.EditField, "job.field.v1:7:state"),  # not an editable field
        (buttons.Export, "job.export.v1:7:pdf"),
        (buttons.ViewPosting, f"job.view.v1:{MAX_ID + 1}"),
        (buttons.ViewPosting, "job.view.v1:-1"),
        (buttons.Applicants, "job.applicants.v1:7:10000"),
        (buttons.Withdraw, "job.withdraw.v1:7:yes"),
        (buttons.Apply, "job:apply:7"),  # the old format
    ],
)
def test_forged_data_is_refused(kind: type[Button], data: str) -> None:
    with pytest.raises(ButtonDataError):
        kind.unpack(data)
