"""Shared helpers of the people flows' tests (the bot itself is the ``bot`` fixture of tests/e2e)."""

from __future__ import annotations

from bot.app import BotApplication
from bot.people import service
from bot.people.models import Person


async def person_row(application: BotApplication, telegram_id: int) -> Person:
    """The person's row as the database has it now (they must have written to the bot)."""
    async with application.bot_data.db() as session:
        person = await service.get_person(session, telegram_id)
    assert person is not None, f"{telegram_id} never wrote to the bot"
    return person
