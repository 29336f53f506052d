"""The catalog: plans over the loaded notes, the default plan, each day's quiz."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.notes import Plan, PlanDay
from bot.knowledge.service import KnowledgeBase
from bot.training.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[3]


def test_the_default_plan_and_the_quiz_of_a_day(catalog: Catalog) -> None:
    plan = catalog.default
    assert (
        plan is not None
        and plan.id == "新员工"
        and catalog.plan("新员工") is plan
        and catalog.by_key(plan.key) is plan
    )
    assert [(note.id, q.question) for note, q in catalog.questions(plan, 0)] == [
        ("refund", "退到储蓄卡一般多久到账？"),
        ("refund", "能承诺几点到账吗？"),
        ("greeting", "顾客已经说清问题时第一句怎么回？"),
    ]
    assert catalog.questions(plan, 1) == [] and [n.id for n in catalog.day_notes(plan, 1)] == ["breaks"]
    key = catalog.notes["refund"].quiz[1].key
    assert catalog.question("refund", key) == catalog.notes["refund"].quiz[1]
    assert catalog.question("refund", "nope") is None and catalog.question("gone", key) is None


def test_without_a_marked_default_only_a_single_plan_is_the_default() -> None:
    one = Plan("a", "A", (PlanDay("", ("x",)),))
    two = Plan("b", "B", (PlanDay("", ("x",)),))
    assert Catalog((one,)).default is one
    assert Catalog((one, two)).default is None
    assert Catalog().default is None


def test_the_shipped_plan_over_the_shipped_notes() -> None:
    knowledge = KnowledgeBase(ROOT / "knowledge", 50, 40)
    catalog = load_catalog(knowledge)
    assert catalog.problems == ()
    plan = catalog.default
    assert plan is not None and len(plan.days) == 10
    questions = [q for day in range(10) for _note, q in catalog.questions(plan, day)]
    assert len(questions) >= 30 and all(catalog.questions(plan, day) for day in range(10))
