"""What several training flows share: the plans and notes now, the workplace's settings, dates and names."""

from __future__ import annotations

import html
from datetime import date, datetime

from bot.context import BotContext
from bot.i18n import Translate
from bot.people.models import Person
from bot.training import scheduled, service
from bot.training.catalog import Catalog, load_catalog


def catalog(context: BotContext) -> Catalog:
    """The plans (read from their files now) over the notes the bot has loaded."""
    return load_catalog(context.bot_data.knowledge)


def office(context: BotContext) -> service.Office:
    return scheduled.office(context.settings)


def day_text(_: Translate, day: date, today: date) -> str:
    """``today``, ``tomorrow`` or ``12-05``."""
    if day == today:
        return _("today")
    if (day - today).days == 1:
        return _("tomorrow")
    return day.strftime("%m-%d")


def moment_text(_: Translate, moment: datetime, context: BotContext, today: date) -> str:
    """``today 08:30``, ``tomorrow 07:00`` or ``12-05 08:30``."""
    local = moment.astimezone(context.settings.tz)
    return f"{day_text(_, local.date(), today)} {local:%H:%M}"


def name_of(person: Person) -> str:
    """A person's name for an HTML text, with their username."""
    name = f"<b>{html.escape(person.display_name)}</b>"
    return f"{name} (@{html.escape(person.username)})" if person.username else name
