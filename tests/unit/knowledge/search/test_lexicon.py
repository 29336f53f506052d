"""The trade's lexicon: English and other words for the same thing land on notes that never use them,
merged with a workplace's own synonyms without pulling a word apart."""

from __future__ import annotations

from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.search.lexicon import GROUPS, with_lexicon
from bot.knowledge.search.synonyms import SynonymMap
from tests.unit.knowledge.search.conftest import note

NOTES = [
    note("pay/payslip", "工资条怎么看", "应发工资、扣款和实发工资的意思。"),
    note("pay/overtime", "加班费的计算方法", "工作日加班按 1.5 倍计算。"),
    note("life/dorm", "员工宿舍申请", "四人一间，每月交水电费。"),
    note("ship/cod", "货到付款订单", "买家签收时付钱给快递员。"),
]


def test_a_workplace_group_keeps_its_canonical_term_and_takes_the_lexicon_words() -> None:
    groups = with_lexicon([["退钱", "钱退回来"], ["客人", "顾客"]])
    assert groups[0][0] == "退钱" and {"退款", "refund"} <= set(groups[0])
    assert groups[1][0] == "客人" and {"customer", "买家"} <= set(groups[1])
    synonyms = SynonymMap(groups)
    assert synonyms.apply("退款") == "退钱"
    assert synonyms.apply("customer").strip() == "客人"
    assert len(groups) == len(GROUPS)  # both merged into lexicon groups: none added, none split


def test_no_term_belongs_to_two_lexicon_groups() -> None:
    seen: dict[str, int] = {}
    for k, group in enumerate(GROUPS):
        for term in group:
            assert seen.setdefault(term.lower(), k) == k, term


def test_english_questions_land_on_chinese_notes_without_synonyms() -> None:
    index = KnowledgeIndex.build(NOTES)
    for query, expected in [
        ("payslip", "pay/payslip"),
        ("how is overtime paid", "pay/overtime"),
        ("can I live in the dormitory", "life/dorm"),
        ("cash on delivery", "ship/cod"),
        ("overtime怎么算", "pay/overtime"),
    ]:
        assert index.search(query).matches[0].note.id == expected, query


def test_other_words_for_the_same_thing_land_too() -> None:
    index = KnowledgeIndex.build(NOTES)
    assert index.search("工资单看不明白").matches[0].note.id == "pay/payslip"
    assert index.search("住宿怎么申请").matches[0].note.id == "life/dorm"
