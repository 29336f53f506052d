"""Which chats changed: a watcher compares each chat's messages and keyboard after every change of the local
Bot API server and tells every subscriber ``(chat_id, seq)`` for the chats that differ."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable

from bot.playground.botapi import FakeBotAPI

log = logging.getLogger(__name__)

SETTLE_SECONDS = 0.05
"""A burst of changes (a message and its keyboard) is looked at once, this long after the first."""
IDLE_SECONDS = 5.0


class ChatWatcher:
    """Watches the chats of whichever server ``current_api()`` returns (it changes on a reset)."""

    def __init__(self, current_api: Callable[[], FakeBotAPI | None], chat_ids: Iterable[int]) -> None:
        self._current_api = current_api
        self._chat_ids = tuple(chat_ids)
        self._prints: dict[int, str] = {}
        self._subscribers: set[asyncio.Queue[tuple[int, int] | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self.seq = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="playground:chat-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for queue in self._subscribers:
            queue.put_nowait(None)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[tuple[int, int] | None]]:
        """A queue of ``(chat_id, seq)`` changes; ``None`` when the playground stops."""
        queue: asyncio.Queue[tuple[int, int] | None] = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    def check(self) -> None:
        """Compare every chat with how it was, and announce the ones that changed."""
        api = self._current_api()
        if api is None:
            return
        for chat_id in self._chat_ids:
            try:
                history = api.chat_history(chat_id)
                keyboard = api.reply_keyboard(chat_id)
            except KeyError:
                continue
            text = json.dumps([history, keyboard], sort_keys=True, ensure_ascii=False, default=str)
            print_ = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
            if self._prints.get(chat_id) == print_:
                continue
            self._prints[chat_id] = print_
            self.seq += 1
            for queue in self._subscribers:
                queue.put_nowait((chat_id, self.seq))

    async def _watch(self) -> None:
        while True:
            api = self._current_api()
            if api is None:
                await asyncio.sleep(SETTLE_SECONDS)
                continue
            await api.wait_for_change(IDLE_SECONDS)
            await asyncio.sleep(SETTLE_SECONDS)
            try:
                self.check()
            except Exception:  # a bug here must not stop the page from hearing about later changes
                log.exception("could not compare the chats")
