"""The decision: answer only with a margin over the runner-up, else suggest notes that together are likely,
else unknown."""

from __future__ import annotations

from bot.knowledge.notes import Note
from bot.knowledge.search import Match, decide
from bot.knowledge.search.decision import suggested


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


def test_notes_that_together_are_likely_are_offered() -> None:
    a, b, c, d = (Note(x, x, [], [], "staff", "body", [], __file__) for x in "abcd")  # type: ignore[arg-type]
    # An ambiguous question spreads its probability over a few notes, none likely enough alone.
    ambiguous = [Match(a, 34), Match(b, 25), Match(c, 16), Match(d, 1)]
    result = decide("q", ambiguous, answer_threshold=80, suggest_threshold=45)
    assert result.outcome == "suggest"
    assert [m.note.id for m in result.suggestions] == ["a", "b", "c"]
    # A note with less than a third of the threshold is not offered; those left must reach it together.
    assert decide("q", [Match(a, 30), Match(b, 14)], answer_threshold=80, suggest_threshold=45).outcome == (
        "unknown"
    )
    assert suggested([30.0, 20.0, 10.0], 45.0) == [0, 1]
    assert suggested([30.0, 10.0], 45.0) == []
    assert suggested([], 45.0) == []
