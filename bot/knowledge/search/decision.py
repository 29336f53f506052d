"""The decision: answer with the best note, suggest a few ("did you mean …?"), or say "I don't know"."""

from __future__ import annotations

from collections.abc import Sequence
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
    """Turn candidates sorted by descending score into an answer, suggestions, or "unknown".

    Suggestions are offered where the notes offered are together likely to hold the answer: an ambiguous
    question (退款: a return, a refund's timing, a refund not received) spreads its probability over a few
    notes, none of them likely enough alone. See :func:`suggested`.
    """
    matches = scored[: max(limit, 0)]
    if not scored:
        return SearchResult(query, None, matches, "unknown")
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    if best.score >= answer_threshold and best.score - runner_up >= min_margin:
        return SearchResult(query, best.note, matches, "answer")
    offered = suggested([m.score for m in scored[:MAX_SUGGESTIONS]], suggest_threshold)
    if not offered:
        return SearchResult(query, None, matches, "unknown")
    return SearchResult(query, None, matches, "suggest", [scored[k] for k in offered])


def worth_offering(score: float, threshold: float) -> bool:
    """Whether a note with this score may be offered at all (a suggestion, a related note, an inline
    result): its share of the suggest threshold, ``1 / MAX_SUGGESTIONS`` of it."""
    return score >= threshold / MAX_SUGGESTIONS


def suggested(scores: Sequence[float], threshold: float) -> list[int]:
    """Which of the best candidates (scores in percent, descending) to offer as "did you mean": those
    :func:`worth_offering`, where together they reach the threshold; none otherwise."""
    offered = [k for k, score in enumerate(scores[:MAX_SUGGESTIONS]) if worth_offering(score, threshold)]
    return offered if sum(scores[k] for k in offered) >= threshold else []
