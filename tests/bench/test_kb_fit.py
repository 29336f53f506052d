"""``bench/kb_fit.py --by-set``: each workplace's questions are judged by a model that never saw that workplace."""

from __future__ import annotations

import numpy as np
import pytest

from bench import kb_fit
from bot.knowledge.search.calibration import Calibration


def query(origin: str, k: int, right_first: bool) -> kb_fit.Query:
    """A question with two candidates whose signals all favour the first; the expected note is the first
    (``right_first``) or the second."""
    columns = {name: np.array([0.8, 0.2]) for name in (*kb_fit.FEATURES, "confidence")}
    return kb_fit.Query(
        f"{origin}-{k}", "a" if right_first else "b", "exact", "staff", ["a", "b"], columns, origin=origin
    )


def test_each_set_is_judged_by_a_model_fitted_on_the_other_sets_only(monkeypatch: pytest.MonkeyPatch) -> None:
    fitted_on: list[set[str]] = []
    fit = kb_fit.fit

    def recording_fit(queries: list[kb_fit.Query], features: tuple[str, ...], l2: float) -> Calibration:
        fitted_on.append({q.origin for q in queries})
        return fit(queries, features, l2)

    monkeypatch.setattr(kb_fit, "fit", recording_fit)
    # In "ours" the strongest candidate is always right; in "theirs" always wrong.
    queries = [query("ours", k, True) for k in range(20)] + [query("theirs", k, False) for k in range(20)]
    judged = kb_fit.cross_set(queries, kb_fit.FEATURES, 1.0)

    assert fitted_on == [{"theirs"}, {"ours"}]  # the sets in order, each judged by the other's model
    assert sorted({(j.query.origin, j.fold) for j in judged}) == [("ours", 0), ("theirs", 1)]
    assert len(judged) == len(queries)
    # A model that only saw "theirs" (where the strongest candidate was never right) doubts it in "ours";
    # one fitted on "ours" itself would not.
    ours = [j for j in judged if j.query.origin == "ours"]
    assert all(score_of(j, "a") < 50 for j in ours)
    itself = fit([q for q in queries if q.origin == "ours"], kb_fit.FEATURES, 1.0)
    assert score_of(kb_fit.judge(ours[0].query, itself), "a") > 50


def score_of(judged: kb_fit.Judged, note_id: str) -> float:
    return judged.scores[judged.ids.index(note_id)]


def test_thresholds_are_also_chosen_without_each_set_and_judged_on_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = [query("ours", k, True) for k in range(10)] + [
        query("theirs", k, k % 2 == 0) for k in range(10)
    ]
    judged = kb_fit.cross_set(queries, kb_fit.FEATURES, 1.0)
    # By set, then version of the notes (one version here).
    groups = [[j for j in judged if j.query.origin == origin] for origin in ("ours", "theirs")]
    chosen_on: list[set[str]] = []
    choose = kb_fit.choose_answer

    def recording_choose(groups: list[list[kb_fit.Judged]], *args: float) -> tuple[float, float]:
        chosen_on.append({j.query.origin for group in groups for j in group})
        return choose(groups, *args)

    monkeypatch.setattr(kb_fit, "choose_answer", recording_choose)
    kb_fit.print_without_each(groups, ["ours", "theirs"], 1, 0.02, 0.9)

    assert chosen_on == [{"theirs"}, {"ours"}]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("thresholds chosen without it") or lines[1].startswith(
        "thresholds chosen without it"
    )
    shown = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert set(shown) == {"ours", "theirs"}
    # Each set's line holds its own right / wrong figures with the thresholds chosen on the other set.
    for origin, group in zip(("ours", "theirs"), groups, strict=True):
        answer = float(shown[origin].split(">= ")[1].split("%")[0])
        lead = float(shown[origin].split(">= ")[2].split(":")[0])
        own = kb_fit.figures(group, answer, 100.0, lead).summary()
        assert shown[origin].rstrip().endswith(f"{own['right']:5.1f} / {own['wrong']:3.1f}")
