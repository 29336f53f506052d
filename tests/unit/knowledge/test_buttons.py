"""The knowledge base's buttons: packed within Telegram's limit, forged or stale data refused."""

from __future__ import annotations

import pytest

from bot.buttons import ButtonDataError
from bot.knowledge import service
from bot.knowledge.buttons import (
    MAX_PARTS,
    AnswerQuestion,
    AnswerWithNote,
    ForgetLearned,
    LearnedPage,
    Rate,
    ReadMore,
    Script,
    ShowNote,
)
from bot.knowledge.models import Feedback


def test_buttons_round_trip_at_their_largest() -> None:
    for button in (
        Rate(2**31 - 1, Feedback.DOWN),
        ShowNote(2**31 - 1, service.note_key("aftersales/return_refund")),
        Script(service.note_key("aftersales/return_refund"), 2),
        ReadMore(service.note_key("aftersales/return_refund"), MAX_PARTS),
        AnswerQuestion(2**31 - 1),
        AnswerWithNote(2**31 - 1, service.note_key("aftersales/return_refund")),
        LearnedPage(9_999),
        ForgetLearned(2**31 - 1, 9_999),
    ):
        assert type(button).unpack(button.pack()) == button


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (Rate, "kb.rate.v1:7:meh"),  # not a verdict
        (Rate, "kb.rate.v1:-1:up"),  # not a row id
        (Script, "kb.script.v1:abc:3"),  # notes show at most three script buttons
        (ReadMore, "kb.more.v1:abc:0"),  # the first messages were the answer itself
        (ReadMore, "kb.more.v1:abc:100"),
        (AnswerQuestion, "kb:ans:7"),  # the callback data before buttons were typed
        (AnswerQuestion, "kb.answer.v1:7:8"),
        (LearnedPage, "kb.learned.v1:-1"),
        (LearnedPage, "kb.learned.v1:10000"),
        (ForgetLearned, "kb.forget.v1:abc:0"),
        (ForgetLearned, "kb.forget.v1:7"),
        (AnswerWithNote, "kb.point.v1:7"),
    ],
)
def test_forged_or_stale_data_is_refused(
    kind: type[Rate | Script | ReadMore | AnswerQuestion | LearnedPage | ForgetLearned | AnswerWithNote],
    data: str,
) -> None:
    with pytest.raises(ButtonDataError):
        kind.unpack(data)
