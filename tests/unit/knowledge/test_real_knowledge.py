"""The real notes in ``knowledge/``: they validate, and the questions from the brief land where they should."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import cli
from bot.knowledge.matcher import KnowledgeIndex
from bot.knowledge.notes import load_notes

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
