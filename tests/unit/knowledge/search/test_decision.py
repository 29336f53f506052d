"""The decision: answer only with a margin over the runner-up, else suggest, else unknown."""

from __future__ import annotations

from bot.knowledge.notes import Note
from bot.knowledge.search import Match, decide


def test_decide_margin_and_limits() -> None:
    a, b, c, d = (Note(x, x, [], [], "staff", "body", [], __file__) for x in "abcd")  # type: ignore[arg-type]
    scored = [Match(a, 80), Match(b, 78), Match(c, 50), Match(d, 20)]
    result = decide("q", scored, answer_threshold=60, suggest_threshold=40, min_margin=4, limit=2)
    assert result.outcome == "suggest" and result.answer is None
    assert [m.note.id for m in result.suggestions] == ["a", "b", "c"]
    assert [m.note.id for m in result.matches] == ["a", "b"]
    result = decide("q", scored[:1] + scored[2:], answer_threshold=60, suggest_threshold=40, min_margin=4)
    assert result.outcome == "answer" and result.answer is a
    assert decide("q", [Match(d, 20)], suggest_threshold=40).outcome == "unknown"
    assert decide("q", []).outcome == "unknown"
