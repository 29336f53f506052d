"""The people buttons: what they pack to, and forged data they refuse."""

from __future__ import annotations

import pytest

from bot.buttons import ButtonDataError
from bot.people.buttons import ChooseLanguage, PersonCard, SetRole, StaffPage
from bot.people.models import Role


def test_buttons_round_trip() -> None:
    for button in (ChooseLanguage("en"), StaffPage(3), PersonCard(7_000_000_001), SetRole(42, Role.SEEKER)):
        assert type(button).unpack(button.pack()) == button
    assert SetRole(42, Role.ADMIN).pack() == "ppl.role.v1:42:admin"


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (SetRole, "ppl.role.v1:42:owner"),  # not a role
        (SetRole, "ppl.role.v1:42"),  # a field missing
        (PersonCard, "ppl.card.v1:abc"),
        (StaffPage, "ppl.page.v1:-1"),
        (StaffPage, "ppl.page.v1:100000"),
        (ChooseLanguage, "lang:en"),  # the data of the old buttons
    ],
)
def test_forged_data_is_refused(
    kind: type[SetRole | PersonCard | StaffPage | ChooseLanguage], data: str
) -> None:
    with pytest.raises(ButtonDataError):
        kind.unpack(data)
