"""A chatty message's clauses vote for a note: the clause that asks (else the last one) is always read."""

from __future__ import annotations

import pytest

from bot.knowledge.notes import Note
from bot.knowledge.search import KnowledgeIndex, scoring
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


def test_a_generic_asking_clause_does_not_carry_a_note_the_rest_never_speaks_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 是不是要自己去申请啊 alone matches the title that ends with 申请; the message is about night pay.
    notes = [
        Note("pay/night", "夜班补贴", [], ["夜班", "补贴"], "staff", NIGHT_PAY, [], __file__),  # type: ignore[arg-type]
        Note("life/dorm", "员工宿舍申请", ["能不能住宿舍"], ["宿舍"], "staff", DORM, [], __file__),  # type: ignore[arg-type]
        Note("pay/slip", "工资条怎么看", [], ["工资条"], "staff", PAYSLIP, [], __file__),  # type: ignore[arg-type]
    ]
    index = KnowledgeIndex.build(notes)
    message = "我这个月上了八个夜班，但工资条里没看到夜班的补贴，是不是要自己去申请啊"

    def lead_of_night_pay_over_dorm() -> float:
        return signal(index, message, "pay/night", "confidence") - signal(
            index, message, "life/dorm", "confidence"
        )

    assert index.search(message).matches[0].note.id == "pay/night"
    assert lead_of_night_pay_over_dorm() > 0.1
    # Counted by the clause alone, the dormitory note would be almost level with it.
    monkeypatch.setattr(scoring, "CLAUSE_SHARE", 1.0)
    assert lead_of_night_pay_over_dorm() < 0.06


NIGHT_PAY = "22:00 到次日 6:00 之间上班满 4 小时的班次，每个班次补贴 30 元。按考勤自动计算，随当月工资发放，不用申请。"
DORM = "家离站点 10 公里以上的员工可以申请宿舍，四人一间，每月收 100 元水电费。"
PAYSLIP = "每月 10 号发工资条，写着应发工资、各项扣款和实发工资。"
