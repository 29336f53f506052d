"""Imports every capability's tables so that ``SQLModel.metadata`` is complete (Alembic, tests)."""

from bot.knowledge.models import Question
from bot.people.models import GroupChat, Invite, Person, Role

__all__ = ["GroupChat", "Invite", "Person", "Question", "Role"]
