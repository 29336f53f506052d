"""The custom callback context every handler receives, and the application-wide data it reaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.db import SessionFactory
from bot.i18n import Translate, gettext_for, resolve_language

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.menus import MenuRegistry
    from bot.people.directory import PeopleDirectory
    from bot.people.models import Person


@dataclass
class BotData:
    """Shared state of one running bot, filled in by ``build_application``."""

    settings: Settings | None = None
    db: SessionFactory | None = None
    engine: AsyncEngine | None = None
    menus: MenuRegistry | None = None
    people: PeopleDirectory | None = None
    services: dict[str, Any] = field(default_factory=dict)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Context with the current person, their language and a database session at hand."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: Person | None = None

    @property
    def settings(self) -> Settings:
        settings = self.bot_data.settings
        assert settings is not None, "build_application() sets the settings"
        return settings

    def session(self) -> AsyncSession:
        """A new database session; use it as ``async with context.session() as session``."""
        factory = self.bot_data.db
        assert factory is not None, "build_application() sets the session factory"
        return factory()

    @property
    def language(self) -> str:
        """The language to answer the current person in."""
        person = self.person
        if person is None:
            return resolve_language(None, None, self.settings.default_language)
        return resolve_language(person.language, person.telegram_language, self.settings.default_language)

    @property
    def gettext(self) -> Translate:
        """Translate into the current person's language: ``_ = context.gettext``."""
        return gettext_for(self.language)
