"""The calibrated decision: the probability that a candidate note is the answer to the question.

The scoring's signals (:mod:`~bot.knowledge.search.scoring`) are turned into features that mean the same
for any set of notes — each candidate's lead over the best other candidate (overall, among the notes the
asker may see, and in coverage, similarity, the character and the pinyin channels; as a difference and as a
ratio), how many of the signals rank it first and whether both channels do, how much of the query it
explains (and the largest share one word or character says that it leaves unexplained: 辞 of 辞职要提前几天说
against a note on asking for leave) and how many clauses of a chatty message rank it first — and a logistic
regression turns them into a probability (scaled down where the candidates' probabilities add up to more
than one). Absolute scores that grow with a note's number of questions or with the size of the set are
computed too, but the fitted model leaves them out. The regression's coefficients are fitted by
``bench/kb_fit.py`` on four workplaces' notes and questions (ours, ``bench/devset``, ``bench/thirdset``,
``bench/fourthset``), and the thresholds on the probability chosen where each workplace is judged by a
model fitted on the other three — as the bot meets a new workplace — then written to
:mod:`~bot.knowledge.search.fitted`; the figures are in that module.

A candidate far ahead of the others is likely right even with a modest score of its own; a candidate
that only leads in one channel (a homophone of another word) is less so. The others include the notes the
asker may not see (a job seeker only ever gets public notes): a public note's lead over every note and its
lead over the public notes are both features, so that 首响时间是多少 is no question about pay for a job
seeker, while 有班车接送吗 is one about coming to work even though a staff note answers it better.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.knowledge.search.scoring import Ranking

#: Longest question, in units, whose length still tells something (a longer one counts as this long).
LONG_QUESTION_UNITS = 12


def signals(
    ranking: Ranking, semantic: Sequence[float] | None = None, visible: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Every feature the calibration may use, one value per candidate of ``ranking`` (in its order).

    ``semantic``: the cosine similarity of each candidate to the question, where a semantic channel is
    available (see :mod:`~bot.knowledge.search.semantic`). ``visible``: which candidates the asker may see
    (default: all); a job seeker's public note may trail a staff note about the same thing, yet be far
    ahead of every other note a job seeker may get (``visible_margin``, ``visible_ratio``).
    """
    candidates = ranking.candidates
    columns = {
        "confidence": [c.confidence for c in candidates],
        "coverage": [c.coverage for c in candidates],
        "reverse": [c.reverse for c in candidates],
        "similarity": [c.similarity for c in candidates],
        "lexical": [c.lexical for c in candidates],
        "char_coverage": [c.char_coverage for c in candidates],
        "pinyin_coverage": [c.pinyin_coverage for c in candidates],
        "clause": [float(c.clause) for c in candidates],
        "support": [c.support for c in candidates],
        "missing": [c.missing for c in candidates],
    }
    if semantic is not None:
        columns["semantic"] = list(semantic)
    out = {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}
    for name in ("confidence", "coverage", "similarity", "char_coverage", "pinyin_coverage", "semantic"):
        if name in out:
            out[f"{name}_margin"] = lead(out[name])
    if "semantic" in out and len(candidates):
        # The channels agree: the note the lexical scoring ranks first is also the closest in meaning.
        top = (out["confidence"] == out["confidence"].max()) & (out["semantic"] == out["semantic"].max())
        out["agreement"] = top.astype(np.float64)
    elif "semantic" in out:
        out["agreement"] = np.zeros(0)
    # Leads as ratios (scale-free: the same lead means the same whatever the notes' lengths or number of
    # questions make the absolute scores), and how many of the signals rank a candidate first.
    for name in ("confidence", "coverage"):
        out[f"{name}_ratio"] = ratio(out[name])
    first = {name: _is_first(out[name]) for name in RANKED_SIGNALS}
    out["firsts"] = np.mean([first[name] for name in RANKED_SIGNALS], axis=0).reshape(len(candidates))
    out["channels_agree"] = (first["char_coverage"] & first["pinyin_coverage"]).astype(np.float64)
    shown = np.ones(len(candidates), dtype=bool) if visible is None else np.asarray(visible, dtype=bool)
    for name, compare in (("visible_margin", lead), ("visible_ratio", ratio)):
        out[name] = compare(out["confidence"])
        out[name][shown] = compare(out["confidence"][shown])
    best = float(out["confidence"].max()) if len(candidates) else 0.0
    out["relative"] = out["confidence"] / best if best > 0 else np.zeros(len(candidates))
    length = min(ranking.units, LONG_QUESTION_UNITS) / LONG_QUESTION_UNITS
    out["length"] = np.full(len(candidates), length)
    return out


#: The signals whose first place is counted (``firsts``).
RANKED_SIGNALS = ("coverage", "char_coverage", "pinyin_coverage", "similarity", "lexical")


def _is_first(values: np.ndarray) -> np.ndarray:
    """Whether each value is the largest (ties included)."""
    return values >= values.max() if len(values) else np.zeros(0, dtype=bool)


#: Added to both sides of a ratio, so that tiny scores make no large ratios.
RATIO_FLOOR = 0.05


def ratio(values: np.ndarray) -> np.ndarray:
    """The log of each value over the largest of the others (scores are not negative; both plus
    ``RATIO_FLOOR``)."""
    values = np.maximum(values, 0.0)
    others = values - lead(values)
    return np.log((values + RATIO_FLOOR) / (others + RATIO_FLOOR))


def lead(values: np.ndarray) -> np.ndarray:
    """Each value minus the largest of the others (the runner-up counts as 0 where there is none)."""
    if not len(values):
        return values
    order = np.argsort(-values, kind="stable")
    first = values[order[0]]
    second = values[order[1]] if len(values) > 1 else 0.0
    others = np.full(len(values), first)
    others[order[0]] = max(second, 0.0)
    return values - others


@dataclass(frozen=True)
class Calibration:
    """A logistic regression over standardised features."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefficients: tuple[float, ...]
    intercept: float

    def __post_init__(self) -> None:
        sizes = {len(self.features), len(self.means), len(self.scales), len(self.coefficients)}
        if len(sizes) != 1 or not all(s > 0 for s in self.scales):
            raise ValueError("calibration: one mean, positive scale and coefficient per feature")

    def matrix(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The standardised features (candidates x features)."""
        raw = np.column_stack([columns[name] for name in self.features])
        return (raw - np.asarray(self.means)) / np.asarray(self.scales)

    def probabilities(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The probability (0..1) that each candidate is the answer.

        At most one note is the answer: where the candidates' probabilities add up to more than 1 (two notes
        that answer the question alike), they are scaled down to add up to 1, so that neither looks sure.
        """
        if not len(columns["confidence"]):
            return np.zeros(0)
        z = self.matrix(columns) @ np.asarray(self.coefficients) + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        total = float(p.sum())
        return p / total if total > 1.0 else p


@functools.cache
def fitted(semantic: bool = False) -> Calibration | None:
    """The calibration fitted by ``bench/kb_fit.py``, lexical only or with the semantic channel's features
    (None where that one was not fitted)."""
    from bot.knowledge.search import fitted as parameters

    model = parameters.SEMANTIC if semantic else parameters.LEXICAL
    if model is None:
        return None
    return Calibration(
        tuple(model["features"]),
        tuple(model["means"]),
        tuple(model["scales"]),
        tuple(model["coefficients"]),
        float(model["intercept"]),
    )
