"""Buttons of the people capability: the /lang choice, the pages of /staff and a person's card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.buttons import CHAT_ID, PAGE, Button
from bot.people.models import Role


@dataclass(frozen=True)
class ChooseLanguage(Button, prefix="ppl.lang"):
    """One of the interface languages /lang offers (the handler checks it is supported)."""

    language: str


@dataclass(frozen=True)
class StaffPage(Button, prefix="ppl.page"):
    """A page of the /staff list (also the card's "back to the list")."""

    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class PersonCard(Button, prefix="ppl.card"):
    """Open the card of someone on the /staff list."""

    telegram_id: Annotated[int, CHAT_ID]


@dataclass(frozen=True)
class SetRole(Button, prefix="ppl.role"):
    """Give someone a new role, from their card."""

    telegram_id: Annotated[int, CHAT_ID]
    role: Role
