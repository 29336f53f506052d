"""The custom callback context every handler receives, and the application-wide data it reaches."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.db import SessionFactory
from bot.i18n import Translate, gettext_for, language_of

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.attendance.checkins import CheckInQueue
    from bot.delivery.sender import Sender
    from bot.errors import AdminReportThrottle
    from bot.knowledge.service import KnowledgeBase
    from bot.menus import MenuRegistry
    from bot.notices.audiences import AudienceRegistry
    from bot.people.directory import PeopleDirectory
    from bot.people.models import Person
    from bot.people.service import BecameStaff


@dataclass
class BotData:
    """Shared state of one running bot. ``build_application`` fills every field before anything runs;
    PTB creates the object empty (``ContextTypes(bot_data=BotData)``), hence ``init=False``."""

    settings: Settings = field(init=False)
    engine: AsyncEngine = field(init=False)
    db: SessionFactory = field(init=False)
    menus: MenuRegistry = field(init=False)
    people: PeopleDirectory = field(init=False)
    #: The delivery outbox's sender (``bot.delivery``): every message that matters goes through it.
    sender: Sender = field(init=False)
    knowledge: KnowledgeBase = field(init=False)
    #: Check-ins waiting at the same moment are written together (``bot.attendance.checkins``).
    checkins: CheckInQueue = field(init=False)
    #: Who a notice can go to; capabilities add their own kinds (attendance: the staff of a shift).
    notice_audiences: AudienceRegistry = field(init=False)
    error_throttle: AdminReportThrottle = field(init=False)
    #: Told in the transaction that makes someone staff (an invite redeemed); training enrols them.
    became_staff: list[BecameStaff] = field(default_factory=list)
    alert_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    #: Held while the attendance tick runs, so two ticks never overlap.
    attendance_tick_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def alert_lock(self, series: str) -> asyncio.Lock:
        """One lock per series of coalesced alerts (new applications, open questions): held while one is
        queued, so that two people at the same moment do not each start a digest of their own."""
        return self.alert_locks.setdefault(series, asyncio.Lock())


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
        return self.bot_data.settings

    def session(self) -> AsyncSession:
        """A new database session; use it as ``async with context.session() as session``."""
        return self.bot_data.db()

    @property
    def language(self) -> str:
        """The language to answer the current person in."""
        return language_of(self.person, self.settings.default_language)

    @property
    def gettext(self) -> Translate:
        """Translate into the current person's language: ``_ = context.gettext``."""
        return gettext_for(self.language)


#: The type of the running bot, as ``build_application`` makes it.
BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
