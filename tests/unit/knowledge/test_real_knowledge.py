"""The real notes in ``knowledge/``: they validate, and the questions from the brief land where they should."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import cli
from bot.knowledge.notes import load_notes
from bot.knowledge.search import KnowledgeIndex

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"

pytestmark = pytest.mark.skipif(not KNOWLEDGE.is_dir(), reason="no knowledge/ folder")


@pytest.fixture(scope="module")
def real_index() -> KnowledgeIndex:
    loaded = load_notes(KNOWLEDGE)
    return KnowledgeIndex.build(loaded.notes, loaded.synonyms)


def test_kb_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--dir", str(KNOWLEDGE)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.match(r"^\d+ notes OK", out), out


@pytest.mark.parametrize(
    "query",
    ["客户要推货怎么办", "tuihuo zenme ban", "退貨流程", "顾客说东西坏了想退钱可以吗😭", "QA扣分", "退款"],
)
def test_brief_queries_reach_the_right_note(real_index: KnowledgeIndex, query: str) -> None:
    expected = {
        "顾客说东西坏了想退钱可以吗😭": "aftersales/damaged_item",
        "QA扣分": "quality/qa_scoring",
    }.get(query, "aftersales/return_refund")
    result = real_index.search(query)
    if result.outcome == "answer":
        assert result.answer is not None and result.answer.id == expected
    else:  # an ambiguous short query may be offered as "did you mean", with the right note first
        assert result.outcome == "suggest" and len(query) <= 2
        assert result.suggestions[0].note.id == expected


def test_salary_advance_is_unknown(real_index: KnowledgeIndex) -> None:
    assert real_index.search("工资能不能预支").answer is None


def labelled_queries() -> list[list[str]]:
    """Rows of bench/kb_queries.tsv: query, expected, kind[, audience]."""
    path = KNOWLEDGE.parent / "bench" / "kb_queries.tsv"
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows[1:] if r[0] and not r[0].startswith("#")]


def test_labelled_queries_name_real_notes() -> None:
    notes = {n.id: n for n in load_notes(KNOWLEDGE).notes}
    rows = labelled_queries()
    assert len(rows) >= 250
    public = [r for r in rows if len(r) > 3 and r[3] == "public"]
    assert len(public) >= 25
    for row in rows:
        assert 3 <= len(row) <= 4 and row[1] in (*notes, "-"), row
        if row in public and row[1] != "-":
            assert notes[row[1]].audience == "public", row


@pytest.mark.parametrize("query", ["退货流程", "QA扣分", "客户骂人怎么办", "几号发工资", "系统崩了怎么办"])
def test_job_seekers_never_see_staff_notes(real_index: KnowledgeIndex, query: str) -> None:
    result = real_index.search(query, audience="public", limit=10)
    shown = [m.note for m in (*result.matches, *result.suggestions)] + (
        [result.answer] if result.answer else []
    )
    assert all(note.audience == "public" for note in shown)
    if query != "几号发工资":  # the pay note says when wages are paid
        assert result.answer is None


def test_where_questions_are_not_the_workplace_location(real_index: KnowledgeIndex) -> None:
    assert real_index.search("工作服在哪里领").answer is None
    assert real_index.search("在哪里上班", audience="public").matches[0].note.id == "public/location"


def test_english_words_of_reply_scripts_do_not_decide(real_index: KnowledgeIndex) -> None:
    assert real_index.search("how to return an item").matches[0].note.id == "aftersales/return_refund"
