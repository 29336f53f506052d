"""Spaced review with FSRS (the ``fsrs`` package): when a question answered wrong is asked again.

A wrong answer rates the card *Again*, a right one *Good*. The scheduler has no same-day learning steps (the
bot asks at most once a day, at lesson time or on ``/quiz``), so every interval is whole days: a question
answered wrong comes back the next day, and each right answer sends it further out (about 2, 6, 17 days for
a question missed once). Once a right answer puts it :data:`LEARNED_AFTER` away or more, it is learned and
leaves the review. A question missed again and again comes back sooner, as FSRS's difficulty rises.

Pure functions over plain values: the card is kept as the JSON ``fsrs.Card.to_dict()`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler

LEARNED_AFTER = timedelta(days=7)
"""A right answer that FSRS schedules this far ahead or further ends the review of a question."""

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A card after an answer: its new state, and the local day it is due (None: learned)."""

    card: dict[str, Any]
    due_on: date | None


def rate(card: dict[str, Any], correct: bool, at: datetime, tz: ZoneInfo) -> Reviewed:
    """The card (``{}`` for a question never reviewed) after an answer given at ``at``."""
    current = Card.from_dict(card) if card else Card(card_id=1)  # type: ignore[arg-type]
    updated, _log = _SCHEDULER.review_card(current, Rating.Good if correct else Rating.Again, at)
    learned = correct and updated.due - at >= LEARNED_AFTER
    return Reviewed(dict(updated.to_dict()), None if learned else updated.due.astimezone(tz).date())
