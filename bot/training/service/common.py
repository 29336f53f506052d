"""What the training service modules share: the outbox kind, the workplace's settings as plain values, and
the messages' targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.delivery import service as delivery
from bot.delivery.models import ChatKind
from bot.people.models import Person

KIND = "training"
"""The delivery outbox kind of everything training sends (lessons, the readiness notices)."""
LESSON_REF = f"{KIND}:lesson:"
READY_REF = f"{KIND}:ready:"
HTML = "HTML"
OPEN_POLL_STATES = ("pending", "sending")


@dataclass(frozen=True, slots=True)
class Office:
    """What messages to people depend on: the local zone, the default language and the configured admins
    (who may never have written to the bot)."""

    tz: ZoneInfo
    default_language: str
    admin_ids: frozenset[int] = frozenset()

    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()


def target(person: Person) -> delivery.Target:
    """A person's private chat as an outbox target."""
    return delivery.Target(person.telegram_id, label=person.display_name, kind=ChatKind.PRIVATE)
