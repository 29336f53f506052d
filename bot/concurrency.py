"""Updates from different people are processed at the same time; one person's updates stay in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates being handled at once. Most of a handler's time is spent waiting for the database or Telegram,
# so when the whole floor presses 签到 together the waits overlap instead of adding up.
MAX_RUNNING = 128
# Updates admitted (running or waiting behind an earlier update of the same person). PTB's semaphore hands
# slots out first come, first served, so admission keeps the order in which updates arrived.
MAX_ADMITTED = 1024


def ordering_key(update: object) -> int | None:
    """Whose updates must not overtake each other: the sender's, else the chat's (None: no constraint)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class _Turn:
    """The queue of one person's updates: a lock, and how many updates hold or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Run up to ``max_running`` updates concurrently, each person's (or chat's) strictly one after another.

    A conversation waiting for someone's next message, a form filled in step by step and a double-tapped
    button all see that person's updates in the order Telegram sent them; meanwhile everyone else is served.
    """

    __slots__ = ("_running", "_turns")

    def __init__(self, max_running: int = MAX_RUNNING, max_admitted: int = MAX_ADMITTED) -> None:
        super().__init__(max(max_admitted, max_running))
        self._running = asyncio.Semaphore(max_running)
        self._turns: dict[int, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Taking a place in the person's queue happens before the first await, so it follows arrival order.
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock, self._running:
                await coroutine
        finally:
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
