"""The made-up questions of ``bench/kb_probes.py``: seeded, taken out of their notes, and the shift they fit."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from bench import kb_probes
from bot.knowledge.notes import Note
from bot.knowledge.search import KnowledgeIndex

TOPICS = [
    (
        "退货退款",
        ["客户要退货怎么办", "怎么给顾客退款"],
        "先核对订单，再按退货流程处理。顾客寄回后三天内退款。",
    ),
    ("物流不更新", ["快递一直不动", "物流信息没有变化"], "联系快递公司查件，超过三天不更新就登记工单。"),
    ("发票怎么开", ["顾客要开发票"], "在后台填写抬头和税号，电子发票两天内发到顾客邮箱。"),
    ("夜班补贴", [], "晚上十点到早上六点上班满四小时，每班补贴三十元。"),
    ("工资卡更换", [], "每月二十日前把新卡交给人事专员，当月工资发到新卡。"),
    ("差评处理", ["顾客给了差评"], "先解决顾客的问题，不拿删差评当条件。"),
]


def make_notes() -> list[Note]:
    return [
        Note(f"topic/{k}", title, list(questions), [], "staff", body, [], Path(f"topic/{k}.md"))
        for k, (title, questions, body) in enumerate(TOPICS)
    ]


def test_the_same_seed_makes_the_same_probes_and_another_seed_others() -> None:
    notes = make_notes()
    first = kb_probes.rounds(notes, seed=7)
    assert first == kb_probes.rounds(notes, seed=7)
    assert [r.probes for r in first] != [r.probes for r in kb_probes.rounds(notes, seed=8)]


@pytest.mark.parametrize("sentences", [False, True])
def test_every_probe_text_is_taken_out_of_its_note(sentences: bool) -> None:
    notes = make_notes()
    by_id = {n.id: n for n in notes}
    for probe_round in kb_probes.rounds(notes, seed=3, sentences=sentences):
        assert sorted(n.id for n in probe_round.notes) == sorted(by_id)  # a small set: every note stays
        changed = {n.id: n for n in probe_round.notes}
        about_notes = [p for p in probe_round.probes if p.expected is not None]
        assert about_notes, "each round makes questions about the notes"
        for note_id in {p.expected for p in about_notes}:
            original, probe_note = by_id[note_id], changed[note_id]
            texts = lambda n: [n.title, *n.questions, n.body]  # noqa: E731
            assert texts(original) != texts(probe_note)  # one text is gone from the note searched
        general = [p for p in probe_round.probes if p.expected is None]
        assert general and all(p.text for p in general)


def test_a_title_taken_out_leaves_a_question_as_the_heading() -> None:
    note = make_notes()[0]
    taken = kb_probes._take_out(note, random.Random(0), "title", False)
    assert taken is not None
    probe_note, text = taken
    assert text == "退货退款"
    assert probe_note.title == "客户要退货怎么办"
    assert probe_note.questions == ["怎么给顾客退款"]


def test_a_wrong_character_of_the_same_reading_comes_from_the_notes() -> None:
    notes = make_notes()
    groups = kb_probes.homophones(notes)
    heads = "".join(text for n in notes for text in (n.title, *n.questions))
    assert groups["ban"] == ["办", "班"]  # 怎么办, 夜班补贴
    assert "gu" not in groups  # 顾 is the only character read gu: nothing to mistake it for
    assert all(len(chars) > 1 and set(chars) <= set(heads) for chars in groups.values())
    rng = random.Random(0)
    seen = {kb_probes.typo("客户要退货怎么办", rng, {"tui": ["推", "退"]}) for _ in range(200)}
    assert "客户要推货怎么办" in seen  # a same-reading character
    assert "客户要退货怎么办" in seen  # as typed
    assert any(" " in text and text.isascii() for text in seen)  # pinyin


def test_the_fitted_shift_recovers_a_known_move_of_the_log_odds() -> None:
    rng = np.random.default_rng(5)
    z = rng.normal(0.0, 2.0, 20000)
    y = (rng.random(len(z)) < 1.0 / (1.0 + np.exp(-(z + 1.0)))).astype(np.float64)
    assert kb_probes.fit_shift(z, y) == pytest.approx(1.0, abs=0.1)
    assert kb_probes.fit_shift(z, np.ones(len(z))) == 0.0  # one label only: no move


def test_the_shift_of_a_model_on_the_probes_is_a_bounded_number() -> None:
    notes = make_notes()
    model = KnowledgeIndex.build(notes).calibration

    def searcher(probe_notes: list[Note]) -> kb_probes.Search:
        index = KnowledgeIndex.build(probe_notes)

        def search(text: str) -> tuple[list[str], dict[str, np.ndarray]]:
            found, columns = index.signals(text)
            return [n.id for n in found], columns

        return search

    rounds = kb_probes.rounds(notes, seed=1)
    shift = kb_probes.log_odds_shift(rounds, model, searcher)
    assert shift == kb_probes.log_odds_shift(rounds, model, searcher)
    assert -kb_probes.MAX_SHIFT <= shift <= kb_probes.MAX_SHIFT
