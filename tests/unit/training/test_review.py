"""Spaced review with FSRS: wrong answers come back the next day, right ones further and further out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.training.review import LEARNED_AFTER, rate

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 10, 9, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai


def test_a_wrong_answer_comes_back_the_next_day() -> None:
    wrong = rate({}, False, START, TZ)
    assert wrong.due_on == date(2025, 10, 10)
    again = rate(wrong.card, False, START + timedelta(days=1), TZ)
    assert again.due_on == date(2025, 10, 11)


def test_right_answers_send_it_further_out_until_learned() -> None:
    card = rate({}, False, START, TZ)
    moment, gaps = START, []
    while card.due_on is not None:
        due = datetime.combine(card.due_on, moment.astimezone(TZ).timetz())
        gaps.append((due.date() - moment.astimezone(TZ).date()).days)
        moment = due.astimezone(UTC)
        card = rate(card.card, True, moment, TZ)
        assert len(gaps) < 10, "never learned"
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]
    assert len(gaps) >= 3  # one right answer is not enough after a wrong one


def test_learned_once_a_right_answer_is_scheduled_a_week_or_more_ahead() -> None:
    card = rate({}, False, START, TZ)
    for days in (1, 3):
        card = rate(card.card, True, START + timedelta(days=days), TZ)
        assert card.due_on is not None and card.due_on - (START + timedelta(days=days)).date() < LEARNED_AFTER
    assert rate(card.card, True, START + timedelta(days=9), TZ).due_on is None
    assert rate(card.card, False, START + timedelta(days=9), TZ).due_on == date(2025, 10, 19)
