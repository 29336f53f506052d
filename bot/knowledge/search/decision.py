"""The decision: answer with the best note, suggest a few ("did you mean …?"), or say "I don't know"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.knowledge.notes import Note
from bot.knowledge.search import fitted

Audience = Literal["staff", "public"]
Outcome = Literal["answer", "suggest", "unknown"]

# A match's score is the probability, in percent, that it is the note the question is about. The thresholds
# are fitted by ``bench/kb_fit.py`` (cross-validation over notes, see :mod:`~bot.knowledge.search.fitted`).
DEFAULT_ANSWER_THRESHOLD: float = fitted.ANSWER_THRESHOLD
DEFAULT_SUGGEST_THRESHOLD: float = fitted.SUGGEST_THRESHOLD
DEFAULT_MIN_MARGIN: float = fitted.MIN_MARGIN
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Match:
    """A note and the probability (0–100, percent) that it is the note the query is about."""

    note: Note
    score: float


@dataclass(frozen=True)
class SearchResult:
    """What the bot should do with a query.

    ``outcome`` is ``"answer"`` (reply with ``answer``), ``"suggest"`` (offer ``suggestions``, "did you
    mean …?") or ``"unknown"``. ``matches`` lists the best candidates whatever the outcome.
    """

    query: str
    answer: Note | None
    matches: list[Match]
    outcome: Outcome
    suggestions: list[Match] = field(default_factory=list)


def decide(
    query: str,
    scored: list[Match],
    *,
    limit: int = 5,
    answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
    suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
    min_margin: float = DEFAULT_MIN_MARGIN,
) -> SearchResult:
    """Turn candidates sorted by descending score into an answer, suggestions, or "unknown"."""
    matches = scored[: max(limit, 0)]
    if not scored or scored[0].score < suggest_threshold:
        return SearchResult(query, None, matches, "unknown")
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    if best.score >= answer_threshold and best.score - runner_up >= min_margin:
        return SearchResult(query, best.note, matches, "answer")
    suggestions = [m for m in scored[:MAX_SUGGESTIONS] if m.score >= suggest_threshold]
    return SearchResult(query, None, matches, "suggest", suggestions)
