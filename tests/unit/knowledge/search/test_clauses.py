"""A chatty message's clauses vote for a note: the clause that asks (else the last one) is always read."""

from __future__ import annotations

from bot.knowledge.search import KnowledgeIndex
from bot.knowledge.search.weights import MAX_CLAUSES


def signal(index: KnowledgeIndex, query: str, note_id: str, name: str) -> float:
    notes, columns = index.signals(query)
    return float(columns[name][[n.id for n in notes].index(note_id)])


def test_the_last_clause_of_a_long_message_is_read_whatever_its_length(index: KnowledgeIndex) -> None:
    message = (
        "今天上午接了好多顾客，中午饭都没有吃上，下午又来了一大堆订单，晚上回家还要带孩子写作业，明天能请假吗"
    )
    assert len(message.split("，")) > MAX_CLAUSES
    assert index.search(message).matches[0].note.id == "workplace/leave"
    assert signal(index, message, "workplace/leave", "support") > 0


def test_a_single_question_gives_no_clause_votes(index: KnowledgeIndex) -> None:
    notes, columns = index.signals("怎么请假")
    assert notes[0].id == "workplace/leave"
    assert columns["support"].max() == 0


def test_the_clause_that_asks_is_read_wherever_it_stands(index: KnowledgeIndex) -> None:
    # The asking clause has less content than the others and is not the last one.
    message = (
        "今天上午接了好多顾客，明天能请假吗，中午饭都没有吃上，下午又来了一大堆订单，晚上回家还要带孩子写作业"
    )
    assert len(message.split("，")) > MAX_CLAUSES
    assert signal(index, message, "workplace/leave", "support") > 0
    assert index.search(message).matches[0].note.id == "workplace/leave"


def test_the_clause_that_asks_in_traditional_characters_is_read_too(index: KnowledgeIndex) -> None:
    message = (
        "今天上午接了好多顧客，明天能請假嗎，中午飯都沒有吃上，下午又來了一大堆訂單，晚上回家還要帶孩子寫作業"
    )
    assert signal(index, message, "workplace/leave", "support") > 0
    assert index.search(message).matches[0].note.id == "workplace/leave"
