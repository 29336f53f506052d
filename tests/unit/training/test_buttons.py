"""Training's buttons: they pack into Telegram's 64 bytes and refuse forged data."""

from __future__ import annotations

import pytest

from bot.buttons import ButtonDataError
from bot.knowledge.notes import Plan
from bot.training.buttons import (
    ChoosePlan,
    ConfirmRemove,
    Enrol,
    EnrolMenu,
    Export,
    Overview,
    Pause,
    QuizNow,
    ShowLearner,
)


@pytest.mark.parametrize(
    "button",
    [
        Overview(9999),
        ShowLearner(2**31 - 1),
        Pause(7, True),
        ChoosePlan(7, Plan("新员工售后十日培训计划（二〇二五年修订版）", "t", ()).key),
        ConfirmRemove(7),
        EnrolMenu(0),
        Enrol(12),
        Export(),
        QuizNow(),
    ],
)
def test_round_trip(button: object) -> None:
    data = button.pack()  # type: ignore[attr-defined]
    assert len(data.encode()) <= 64
    assert type(button).unpack(data) == button


@pytest.mark.parametrize(
    "data", ["trn.show.v1:-1", "trn.show.v1:x", "trn.pause.v1:7:2", "trn.plan.v1:7:a:b", "trn.show.v1"]
)
def test_forged_data_is_refused(data: str) -> None:
    kind = {"show": ShowLearner, "pause": Pause, "plan": ChoosePlan}[data.split(".")[1]]
    with pytest.raises(ButtonDataError):
        kind.unpack(data)
