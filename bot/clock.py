"""The one source of the current time, so tests can control it (time-machine patches it too).

The playground can move the bot's time forward (:func:`advance`) to show what happens later — reminders,
deadlines, the daily summary — without waiting. The offset is zero unless moved, never negative, and only the
playground moves it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_ZERO = timedelta(0)
_offset = _ZERO


def utcnow() -> datetime:
    """Aware current time in UTC (moved forward by the playground's offset, if any)."""
    now = datetime.now(UTC)
    return now + _offset if _offset else now


def offset() -> timedelta:
    """How far the clock has been moved ahead of real time."""
    return _offset


def advance(by: timedelta) -> datetime:
    """Move the clock forward by ``by`` (never backward); the new current time."""
    global _offset
    if by < _ZERO:
        raise ValueError("the clock only moves forward")
    _offset += by
    return utcnow()


def advance_to(moment: datetime) -> datetime:
    """Move the clock forward to ``moment`` (a moment already passed leaves it as it is); the new time."""
    return advance(max(_ZERO, moment - utcnow()))


def reset() -> None:
    """Back to real time."""
    global _offset
    _offset = _ZERO
