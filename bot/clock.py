"""The one source of the current time, so tests can control it (time-machine patches it too)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Aware current time in UTC."""
    return datetime.now(UTC)
