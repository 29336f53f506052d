"""The knowledge base at run time: reloads, the question log, the admins' queue and statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.knowledge import saved, service
from bot.knowledge.models import Feedback, Outcome, Question, QueueState
from bot.knowledge.notes import load_notes
from bot.knowledge.search import SearchResult

REFUND = """---
title: 顾客要求退货退款
questions: [客户要退货怎么办]
tags: [售后, 退款]
---
1. 核对订单
2. 发退货地址

## 话术
> 亲，您可以申请退货退款。
"""

PAYDAY = """---
title: 每月发工资时间
tags: [工资]
audience: public
---
每月 15 日发上月工资。
"""


UNKNOWN = SearchResult(query="", answer=None, matches=[], outcome=Outcome.UNKNOWN)


def write_notes(folder: Path) -> None:
    (folder / "aftersales").mkdir(parents=True, exist_ok=True)
    (folder / "aftersales" / "refund.md").write_text(REFUND, "utf-8")
    (folder / "payday.md").write_text(PAYDAY, "utf-8")


def make_kb(folder: Path) -> service.KnowledgeBase:
    return service.KnowledgeBase(folder, answer_threshold=70, suggest_threshold=45)


def test_reload_keeps_every_good_note_and_leaves_out_the_broken_ones(tmp_path: Path) -> None:
    write_notes(tmp_path)
    kb = make_kb(tmp_path)
    assert kb.reload() == [] and kb.size == 2
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", "utf-8")
    (tmp_path / "leave.md").write_text("---\ntitle: 怎么请假\n---\n提前一天申请。\n", "utf-8")
    problems = kb.reload()
    assert [p.path for p in problems] == [str(tmp_path / "broken.md")]
    assert kb.size == 3 and kb.note("leave", audience="staff") is not None
    assert kb.search("退货", audience="staff").answer is not None


def test_a_knowledge_folder_gone_keeps_the_notes_loaded_before(tmp_path: Path) -> None:
    write_notes(tmp_path / "kb")
    kb = make_kb(tmp_path / "kb")
    kb.reload()
    (tmp_path / "kb").rename(tmp_path / "elsewhere")
    [problem] = kb.reload()
    assert problem.message == "knowledge folder not found" and kb.size == 2


async def test_answers_are_saved_in_the_database_and_loaded_from_it(
    tmp_path: Path, session: AsyncSession, session_factory: Callable[[], AsyncSession]
) -> None:
    write_notes(tmp_path / "kb")
    kb = service.KnowledgeBase(tmp_path / "kb", 70, 45, saved_folder=tmp_path / "data" / "notes")
    kb.database = session_factory
    question = await service.log_question(
        session, person_id=None, chat_id=1, text="公司有没有宿舍？", audience="staff", result=UNKNOWN
    )
    await service.answer_question(session, question, admin_id=None, text="本站不提供宿舍。")
    note_id = await service.save_answer_as_note(session, question, admin_id=None)
    assert note_id == f"answers/q{question.id}" and question.saved_note_id == note_id
    assert not (tmp_path / "data").exists() and not (tmp_path / "kb" / "answers").exists()
    assert await kb.load() == [] and kb.search("公司有宿舍吗", audience="staff").answer is not None
    note = kb.note(note_id, audience="staff")
    assert (
        note is not None and kb.is_saved(note) and kb.text_of(note).startswith("---\ntitle: 公司有没有宿舍")
    )


def test_public_audience_sees_public_notes_only(tmp_path: Path) -> None:
    write_notes(tmp_path)
    kb = make_kb(tmp_path)
    assert kb.note("aftersales/refund", audience="public") is None
    assert kb.note("payday", audience="public") is not None
    key = service.note_key("aftersales/refund")
    assert kb.by_key(key, audience="staff") is not None and kb.by_key(key, audience="public") is None
    assert all(m.note.audience == "public" for m in kb.search("退货退款", audience="public").matches)


def _result(kb: service.KnowledgeBase, text: str) -> SearchResult:
    return kb.search(text, audience="staff")


async def test_unknown_questions_are_queued_and_answered(session: AsyncSession, tmp_path: Path) -> None:
    write_notes(tmp_path)
    kb = make_kb(tmp_path)
    unknown = SearchResult(query="工资能不能预支", answer=None, matches=[], outcome=Outcome.UNKNOWN)
    question = await service.log_question(
        session, person_id=None, chat_id=5, text="工资能不能预支", audience="staff", result=unknown
    )
    answered = await service.log_question(
        session,
        person_id=None,
        chat_id=5,
        text="客户要退货怎么办",
        audience="staff",
        result=_result(kb, "客户要退货怎么办"),
    )
    assert answered.outcome == Outcome.ANSWER and answered.note_id == "aftersales/refund"
    queue, total = await service.open_queue(session)
    assert total == 1 and [q.text for q in queue] == ["工资能不能预支"]

    await service.answer_question(session, question, admin_id=None, text="工资不能预支，急用钱请找组长。")
    assert (await service.open_queue(session))[1] == 0
    note_id = await service.save_answer_as_note(session, question, admin_id=None)
    assert note_id == f"answers/q{question.id}"
    [row] = await saved.all_notes(session)
    loaded = load_notes(tmp_path, stored=[(row.note_id, row.text)])
    assert loaded.problems == []
    note = next(n for n in loaded.notes if n.id == note_id)
    assert note.title == "工资能不能预支" and note.questions == ["工资能不能预支"] and "组长" in note.body
    assert (row.version, row.saved_by_id) == (1, None)


async def test_thumbs_down_queues_and_stats_count_it(session: AsyncSession, tmp_path: Path) -> None:
    write_notes(tmp_path)
    kb = make_kb(tmp_path)
    for _ in range(3):
        question = await service.log_question(
            session,
            person_id=None,
            chat_id=1,
            text="客户要退货怎么办",
            audience="staff",
            result=_result(kb, "客户要退货"),
        )
    await service.record_feedback(session, question, Feedback.DOWN)
    assert question.queue_state == QueueState.OPEN
    await service.log_question(
        session,
        person_id=None,
        chat_id=1,
        text="天气",
        audience="staff",
        result=SearchResult(query="天气", answer=None, matches=[], outcome=Outcome.UNKNOWN),
    )
    now = utcnow()
    stats = await service.knowledge_stats(
        session, since=now - timedelta(days=1), until=now + timedelta(seconds=1)
    )
    assert (stats.total, stats.answered, stats.unknown, stats.open_in_queue) == (4, 3, 1, 2)
    assert stats.unanswered_rate == 0.25
    assert [(s.note_id, s.asked, s.unhelpful) for s in stats.most_asked] == [("aftersales/refund", 3, 1)]
    assert [s.note_id for s in stats.least_helpful] == ["aftersales/refund"]
    old = await service.knowledge_stats(session, since=now - timedelta(days=9), until=now - timedelta(days=8))
    assert old.total == 0
    assert len((await session.exec(select(Question))).all()) == 4


async def test_choosing_a_suggestion_or_none(session: AsyncSession) -> None:
    result = SearchResult(query="x", answer=None, matches=[], outcome=Outcome.SUGGEST)
    question = await service.log_question(
        session, person_id=None, chat_id=1, text="x", audience="staff", result=result
    )
    assert question.queue_state is None
    await service.settle_suggestion(session, question, "aftersales/refund")
    assert question.outcome == Outcome.ANSWER and question.note_id == "aftersales/refund"
    other = await service.log_question(
        session, person_id=None, chat_id=1, text="y", audience="staff", result=result
    )
    await service.settle_suggestion(session, other, None)
    assert other.queue_state == QueueState.OPEN
