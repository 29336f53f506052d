"""What several attendance flows share: the current person, today, the location wait's states and keyboard."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from telegram import KeyboardButton, ReplyKeyboardMarkup
from telegram.ext import filters

from bot.attendance.schedule import local_date
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import Translate
from bot.people.models import Person

PRIVATE = filters.ChatType.PRIVATE


class Awaiting(StrEnum):
    """What the location conversation waits for (``handlers/location.py``); a string, so that the state is
    stored as JSON and read back equal."""

    CHECKIN_LOCATION = "checkin_location"
    WORKPLACE_LOCATION = "workplace_location"


#: What the location conversation does next: wait (for what), stop waiting (``END``), or (None) stay as it was.
Next = Awaiting | int | None


def me(context: BotContext) -> Person:
    """The person who sent the update (known: the role checks let nobody else through)."""
    assert context.person is not None and context.person.id is not None
    return context.person


def today(context: BotContext) -> date:
    """Today's date at the workplace."""
    return local_date(utcnow(), context.settings.tz)


def location_keyboard(_: Translate) -> ReplyKeyboardMarkup:
    """The one-tap "share my location" keyboard."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📍 Share my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
