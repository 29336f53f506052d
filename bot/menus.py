"""Command menus per role and chat type, published with ``setMyCommands`` scopes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.i18n import SUPPORTED_LANGUAGES, gettext_for
from bot.people.models import Role

if TYPE_CHECKING:
    from bot.context import BotApplication

log = logging.getLogger(__name__)

ROLE_ORDER = (Role.SEEKER, Role.STAFF, Role.ADMIN)
FIRST_SIGHT_PACE_SECONDS = 0.2  # between two people's menus published on first sight


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """One entry of a command menu; ``description`` is an untranslated message id."""

    name: str
    description: str
    roles: frozenset[Role]
    private: bool = True
    group: bool = False
    order: int = 50


@dataclass
class MenuRegistry:
    """Commands each capability adds, published per role and chat type.

    It also remembers whose private menu this process has published: staff and admins get theirs the first
    time they are seen after a start (so menus follow new releases). Those go out one after another in the
    background, a few a second, so that when the whole floor presses 签到 right after a restart the menus do
    not compete with the answers.
    """

    commands: list[MenuCommand] = field(default_factory=list)
    published: set[int] = field(default_factory=set)
    _pending: dict[int, str] = field(default_factory=dict)
    _worker: asyncio.Task[None] | None = None

    def first_sight(self, application: BotApplication, telegram_id: int, role: str) -> None:
        """Publish the menu of someone this process has not published for yet, in the background."""
        if telegram_id in self.published:
            return
        self.published.add(telegram_id)
        self._pending[telegram_id] = role
        if self._worker is None or self._worker.done():
            self._worker = application.create_task(self._publish_pending(application))

    async def _publish_pending(self, application: BotApplication) -> None:
        while self._pending and application.running:
            telegram_id, role = next(iter(self._pending.items()))
            await publish_person_menu(application.bot, self, telegram_id, role)
            await asyncio.sleep(FIRST_SIGHT_PACE_SECONDS)

    def add(
        self,
        name: str,
        description: str,
        *,
        roles: Iterable[Role] = ROLE_ORDER,
        private: bool = True,
        group: bool = False,
        order: int = 50,
    ) -> None:
        """Add a command to the menus of ``roles`` (admins see everything staff see)."""
        self.commands.append(MenuCommand(name, description, frozenset(roles), private, group, order))

    def for_private(self, role: Role) -> list[MenuCommand]:
        """The private-chat menu of a role."""
        wanted = set(ROLE_ORDER[: ROLE_ORDER.index(role) + 1])
        return self._sorted(c for c in self.commands if c.private and c.roles & wanted)

    def for_groups(self) -> list[MenuCommand]:
        """The menu shown in group chats."""
        return self._sorted(c for c in self.commands if c.group)

    @staticmethod
    def _sorted(commands: Iterable[MenuCommand]) -> list[MenuCommand]:
        unique: dict[str, MenuCommand] = {}
        for command in sorted(commands, key=lambda c: (c.order, c.name)):
            unique.setdefault(command.name, command)
        return list(unique.values())


def _bot_commands(commands: list[MenuCommand], language: str) -> list[BotCommand]:
    _ = gettext_for(language)
    return [BotCommand(c.name, _(c.description)[:256]) for c in commands]


async def _set(bot: Bot, commands: list[MenuCommand], scope: BotCommandScope) -> None:
    for language in SUPPORTED_LANGUAGES:
        code = None if language == "zh_CN" else language
        await bot.set_my_commands(_bot_commands(commands, language), scope=scope, language_code=code)


async def publish_default_menus(bot: Bot, registry: MenuRegistry) -> None:
    """Menus for everyone: job seekers in private chats, and the group menu."""
    seeker = registry.for_private(Role.SEEKER)
    await _set(bot, seeker, BotCommandScopeDefault())
    await _set(bot, seeker, BotCommandScopeAllPrivateChats())
    await _set(bot, registry.for_groups(), BotCommandScopeAllGroupChats())


async def publish_person_menu(bot: Bot, registry: MenuRegistry, telegram_id: int, role: str) -> None:
    """The private-chat menu of one person, matching their role; failures are only logged."""
    registry._pending.pop(telegram_id, None)  # this one is newer than any waiting its turn
    scope = BotCommandScopeChat(telegram_id)
    try:
        if role == Role.SEEKER:
            for language in SUPPORTED_LANGUAGES:
                code = None if language == "zh_CN" else language
                await bot.delete_my_commands(scope=scope, language_code=code)
        else:
            await _set(bot, registry.for_private(Role(role)), scope)
    except TelegramError as exc:
        log.warning("could not set the menu of %s: %s", telegram_id, exc)
        return
    registry.published.add(telegram_id)
