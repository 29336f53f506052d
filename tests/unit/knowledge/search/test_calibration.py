"""The calibrated decision: the fitted parameters load, probabilities are bounded and grow with the evidence,
and a note far ahead of the others is answered even with a modest score."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.knowledge.notes import Note
from bot.knowledge.search import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    Match,
    calibration,
    decide,
    fitted,
)
from bot.knowledge.search.scoring import Candidate, Ranking

# A modest match: it explains about half of the question.
MODEST = Candidate(0, 0.45, 0.55, 0.4, 0.55, 0.3, 0.55, 0.5, clause=False)
FAR_BEHIND = Candidate(1, 0.12, 0.15, 0.05, 0.3, 0.05, 0.15, 0.15, clause=False)
CLOSE_BEHIND = Candidate(1, 0.43, 0.52, 0.38, 0.53, 0.28, 0.52, 0.48, clause=False)


def probabilities(*candidates: Candidate, units: int = 6) -> np.ndarray:
    model = calibration.fitted()
    assert model is not None
    return 100.0 * model.probabilities(calibration.signals(Ranking(list(candidates), units)))


def test_the_fitted_parameters_load() -> None:
    lexical = calibration.fitted()
    assert lexical is not None
    columns = calibration.signals(Ranking([MODEST, FAR_BEHIND], 6))
    assert set(lexical.features) <= set(columns)
    fused = calibration.fitted(semantic=True)
    if fitted.SEMANTIC is not None:
        assert fused is not None
        assert set(fused.features) <= set(calibration.signals(Ranking([MODEST, FAR_BEHIND], 6), [0.9, 0.8]))
    else:
        assert fused is None
    assert 0 < DEFAULT_SUGGEST_THRESHOLD < DEFAULT_ANSWER_THRESHOLD < 100
    assert (DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD, DEFAULT_MIN_MARGIN) == (
        fitted.ANSWER_THRESHOLD,
        fitted.SUGGEST_THRESHOLD,
        fitted.MIN_MARGIN,
    )
    assert fitted.FIGURES["lexical"]["ours, notes as written"]["queries"] > 0


def test_a_calibration_needs_one_coefficient_per_feature() -> None:
    with pytest.raises(ValueError, match="one mean"):
        calibration.Calibration(("confidence",), (0.5,), (0.2,), (1.0, 2.0), 0.0)
    with pytest.raises(ValueError, match="positive scale"):
        calibration.Calibration(("confidence",), (0.5,), (0.0,), (1.0,), 0.0)


def test_probabilities_are_bounded() -> None:
    rng = np.random.default_rng(14)
    for _ in range(200):
        values = rng.uniform(-5.0, 5.0, size=(3, 8))  # far outside what scoring gives
        candidates = [
            Candidate(k, *row[:7].tolist(), clause=bool(row[7] > 0)) for k, row in enumerate(values)
        ]
        p = probabilities(*candidates, units=int(rng.integers(0, 40)))
        assert np.isfinite(p).all() and (p >= 0).all() and (p <= 100).all()
    assert len(probabilities()) == 0


def test_the_probability_grows_with_the_lead_and_with_what_the_note_explains() -> None:
    lead = [probabilities(MODEST, replace(CLOSE_BEHIND, confidence=c))[0] for c in (0.43, 0.35, 0.25, 0.1)]
    assert lead == sorted(lead) and lead[-1] > lead[0]
    own = [probabilities(replace(MODEST, confidence=c), CLOSE_BEHIND)[0] for c in (0.44, 0.5, 0.6, 0.8)]
    assert own == sorted(own) and own[-1] > own[0]
    explained = [
        probabilities(replace(MODEST, coverage=c, char_coverage=c), CLOSE_BEHIND)[0] for c in (0.5, 0.7, 0.9)
    ]
    assert explained == sorted(explained) and explained[-1] > explained[0]


def test_a_note_far_ahead_is_answered_even_with_a_modest_score() -> None:
    note = Note("a", "a", [], [], "staff", "body", [], __file__)  # type: ignore[arg-type]
    other = Note("b", "b", [], [], "staff", "body", [], __file__)  # type: ignore[arg-type]

    def outcome(*candidates: Candidate) -> str:
        p = probabilities(*candidates)
        return decide("q", [Match(n, float(s)) for n, s in zip((note, other), p, strict=False)]).outcome

    assert MODEST.confidence < 0.5  # below the confidence the bot answered at before calibration
    assert outcome(MODEST, FAR_BEHIND) == "answer"
    # Another note close behind: not sure enough to answer with either ("did you mean", or "I don't know"
    # where the two are only modest matches, as here with the thresholds fitted at present).
    assert outcome(MODEST, CLOSE_BEHIND) in ("suggest", "unknown")
    # Much less sure: by dozens of points of probability.
    assert probabilities(MODEST, CLOSE_BEHIND)[0] < probabilities(MODEST, FAR_BEHIND)[0] - 30


def test_lead_is_each_value_minus_the_best_other() -> None:
    assert calibration.lead(np.array([0.5, 0.2, 0.4])).tolist() == pytest.approx([0.1, -0.3, -0.1])
    assert calibration.lead(np.array([0.3])).tolist() == [0.3]
    assert calibration.lead(np.array([])).tolist() == []


def test_two_notes_that_answer_alike_are_never_both_likely() -> None:
    strong = replace(MODEST, confidence=0.8, coverage=0.9, char_coverage=0.9, pinyin_coverage=0.9)
    p = probabilities(strong, replace(strong, note=1))
    assert p[0] == pytest.approx(p[1]) and p[0] <= 50.0
    assert probabilities(strong, FAR_BEHIND)[0] > 50.0


def test_ratio_compares_each_value_with_the_best_other_whatever_the_scale() -> None:
    small, large = calibration.ratio(np.array([0.2, 0.1])), calibration.ratio(np.array([0.8, 0.4]))
    assert small[0] > 0 > small[1] and large[0] > 0 > large[1]
    assert large[0] > small[0]  # the floor keeps tiny scores from making large ratios
    assert np.isfinite(calibration.ratio(np.array([0.5, -1.0, 0.0]))).all()
    assert calibration.ratio(np.array([])).tolist() == []


def test_a_public_note_far_ahead_of_the_other_public_notes_leads_for_job_seekers() -> None:
    staff = replace(MODEST, note=0, confidence=0.7)
    public, other_public = replace(MODEST, note=1), replace(FAR_BEHIND, note=2)
    ranking = Ranking([staff, public, other_public], 6)
    for_staff = calibration.signals(ranking)
    assert np.array_equal(for_staff["visible_margin"], for_staff["confidence_margin"])
    assert for_staff["visible_margin"][1] < 0
    for_job_seekers = calibration.signals(ranking, visible=np.array([False, True, True]))
    assert for_job_seekers["confidence_margin"][1] < 0 < for_job_seekers["visible_margin"][1]
    assert for_job_seekers["visible_ratio"][1] > 0 > for_job_seekers["visible_ratio"][2]


def test_firsts_count_the_signals_that_rank_a_candidate_first() -> None:
    columns = calibration.signals(Ranking([MODEST, FAR_BEHIND], 6))
    assert columns["firsts"].tolist() == [1.0, 0.0]
    assert columns["channels_agree"].tolist() == [1.0, 0.0]
    # A homophone of another word: first in pinyin only.
    homophone = replace(FAR_BEHIND, pinyin_coverage=0.9)
    columns = calibration.signals(Ranking([MODEST, homophone], 6))
    assert columns["firsts"].tolist() == [0.8, 0.2]
    assert columns["channels_agree"].tolist() == [0.0, 0.0]


def test_a_salient_word_the_note_never_speaks_of_is_missing_from_it() -> None:
    notes = [
        Note("leave", "请假流程", ["请假要提前几天说"], [], "staff", "提前一天提交申请。", [], __file__),  # type: ignore[arg-type]
        Note("payday", "发工资时间", [], [], "staff", "每月十五日发放。", [], __file__),  # type: ignore[arg-type]
    ]
    index = KnowledgeIndex.build(notes)

    def missing(query: str) -> float:
        found, columns = index.signals(query)
        return float(columns["missing"][[n.id for n in found].index("leave")])

    assert missing("请假要提前几天说") < 0.02  # the note explains every unit
    # 辞 (resigning, not asking for leave) is the question's rarest character, and the note never has it.
    assert missing("辞职要提前几天说") > 0.1
    assert missing("辞职要提前几天说") > 3 * missing("请假要提前几天说")
