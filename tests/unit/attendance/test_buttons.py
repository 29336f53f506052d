"""Attendance's buttons: packed within Telegram's limit, forged data refused."""

from __future__ import annotations

import pytest

from bot.attendance.buttons import AnswerSwap, CheckInNow, CheckOutNow, Decide, ToggleStaff
from bot.buttons import MAX_ID, ButtonDataError


def test_buttons_round_trip() -> None:
    for button in (
        CheckInNow(),
        CheckOutNow(early_ok=True),
        AnswerSwap(7, accept=False),
        Decide(MAX_ID, approve=True),
        ToggleStaff(MAX_ID, MAX_ID, 9_999),
    ):
        assert type(button).unpack(button.pack()) == button


@pytest.mark.parametrize("data", ["att.decide.v1:1", "att.decide.v1:-1:1", "att.decide.v1:1:yes", "att:ok:1"])
def test_forged_or_old_data_is_refused(data: str) -> None:
    with pytest.raises(ButtonDataError):
        Decide.unpack(data)
