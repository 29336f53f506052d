"""Menus published on first sight: in the background, one person after another, each once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot import menus
from bot.menus import MenuRegistry, publish_person_menu
from bot.people.models import Role


@dataclass
class RecordingBot:
    """Records whose menu was set (one entry per person, however many languages)."""

    chats: list[int] = field(default_factory=list)

    async def set_my_commands(self, commands: Any, *, scope: Any, language_code: str | None = None) -> bool:
        if language_code is None:
            self.chats.append(scope.chat_id)
        await asyncio.sleep(0)
        return True


@dataclass
class App:
    bot: RecordingBot
    running: bool = True
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    def create_task(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self.tasks.append(task)
        return task


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(menus, "FIRST_SIGHT_PACE_SECONDS", 0)


def registry() -> MenuRegistry:
    menu = MenuRegistry()
    menu.add("checkin", "Check in", roles=[Role.STAFF])
    return menu


async def test_first_sight_publishes_each_person_once_in_the_background() -> None:
    app, menu = App(RecordingBot()), registry()
    for telegram_id in (1, 2, 3, 2, 1):
        menu.first_sight(app, telegram_id, Role.STAFF)
    assert app.bot.chats == []  # nothing was awaited by the caller
    await asyncio.gather(*app.tasks)
    assert app.bot.chats == [1, 2, 3]
    assert menu.published == {1, 2, 3}
    menu.first_sight(app, 2, Role.STAFF)
    await asyncio.gather(*app.tasks)
    assert app.bot.chats == [1, 2, 3]


async def test_a_menu_published_directly_is_not_published_again_from_the_queue() -> None:
    app, menu = App(RecordingBot()), registry()
    menu.first_sight(app, 1, Role.STAFF)
    menu.first_sight(app, 2, Role.STAFF)
    await publish_person_menu(app.bot, menu, 2, Role.ADMIN)  # a role change publishes at once
    await asyncio.gather(*app.tasks)
    assert sorted(app.bot.chats) == [1, 2] and len(app.bot.chats) == 2


async def test_the_queue_stops_when_the_bot_stops() -> None:
    app, menu = App(RecordingBot(), running=False), registry()
    menu.first_sight(app, 1, Role.STAFF)
    await asyncio.gather(*app.tasks)
    assert app.bot.chats == []
