"""The bot's clock: real time unless the playground moves it forward, never backward."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot import clock


@pytest.fixture(autouse=True)
def real_time_after() -> Iterator[None]:
    yield
    clock.reset()


def test_unmoved_clock_is_real_time() -> None:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        assert clock.utcnow() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        assert clock.offset() == timedelta(0)


def test_advance_moves_forward_and_stays_ahead() -> None:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False) as traveller:
        assert clock.advance(timedelta(hours=2)) == datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
        traveller.shift(timedelta(minutes=5))
        assert clock.utcnow() == datetime(2026, 3, 2, 3, 5, tzinfo=UTC)


def test_never_backward() -> None:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        with pytest.raises(ValueError, match="forward"):
            clock.advance(timedelta(seconds=-1))
        clock.advance_to(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))
        assert clock.advance_to(datetime(2026, 3, 2, 5, 0, tzinfo=UTC)) == datetime(
            2026, 3, 2, 6, 0, tzinfo=UTC
        )
        assert clock.offset() == timedelta(hours=5)


def test_reset_is_real_time_again() -> None:
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        clock.advance(timedelta(days=1))
        clock.reset()
        assert clock.utcnow() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
