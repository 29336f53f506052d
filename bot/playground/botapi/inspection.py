"""Inspecting what the bot did: recorded calls (:meth:`~InspectionMixin.calls_to`,
:meth:`~InspectionMixin.wait_for`, :meth:`~InspectionMixin.mark`), waiting for the bot to become
idle, and the chats' current state as users see it (:meth:`~InspectionMixin.sent_messages`,
:meth:`~InspectionMixin.last_sent`, reply keyboards, pins, commands, files, pending updates)."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.playground.botapi.constants import _MEDIA_KEYS, JSONDict
from bot.playground.botapi.helpers import _as_mapping, _chat_id_of, _is_service, _same, _scope_key
from bot.playground.botapi.models import Call, ChatRef, _short
from bot.playground.botapi.state import _FakeState


class InspectionMixin(_FakeState):
    """Recorded calls, waiting helpers and the chats' current state."""

    def mark(self) -> int:
        """Index to pass as ``since=`` to only consider calls made after this point."""
        return len(self.calls)

    def calls_to(self, method: str, *, ok: bool | None = True, since: int = 0, **params: Any) -> list[Call]:
        """Recorded calls of ``method`` whose params equal the given filters.

        By default only successful calls; ``ok=None`` for all, ``ok=False`` for failures.
        Filter values may be callables (predicates on the param value).
        """
        return [c for c in self.calls[since:] if self._call_matches(c, method, None, ok, params)]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        count: int = 1,
        since: int = 0,
        ok: bool | None = True,
        **params: Any,
    ) -> Call:
        """Wait until ``count`` matching calls exist and return the ``count``-th one.

        Raises ``AssertionError`` listing the recent calls on timeout.
        """
        calls = await self.wait_for_calls(
            method, predicate, timeout=timeout, count=count, since=since, ok=ok, **params
        )
        return calls[count - 1]

    async def wait_for_calls(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        count: int = 1,
        since: int = 0,
        ok: bool | None = True,
        **params: Any,
    ) -> list[Call]:
        """Like :meth:`wait_for` but returns all matching calls (at least ``count``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [c for c in self.calls[since:] if self._call_matches(c, method, predicate, ok, params)]
            if len(matches) >= count:
                return matches
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} {method} call(s)"
                    f"{' matching ' + _short(params) if params else ''}"
                    f"{' and predicate' if predicate else ''} (found {len(matches)}).\n"
                    + self.describe_calls()
                )
            await self._wait_signal(remaining)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        message: str = "condition",
    ) -> None:
        """Wait until ``condition()`` is true; it is re-checked whenever the fake's state changes
        (calls, updates, webhook deliveries)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {message}.\n" + self.describe_calls()
                )
            await self._wait_signal(min(remaining, 0.05))

    @staticmethod
    def _call_matches(
        call: Call,
        method: str,
        predicate: Callable[[Call], bool] | None,
        ok: bool | None,
        params: Mapping[str, Any],
    ) -> bool:
        if method != "*" and call.method.lower() != method.lower():
            return False
        if ok is not None and call.ok != ok:
            return False
        if any(not _same(call.params.get(key), value) for key, value in params.items()):
            return False
        return predicate is None or bool(predicate(call))

    def describe_calls(self, last: int = 25) -> str:
        """Human-readable list of the most recent calls (for assertion messages)."""
        lines = [f"Recent calls ({len(self.calls)} total, empty getUpdates polls not shown):"]
        start = self.calls[0].time if self.calls else 0.0
        shown = [c for c in self.calls if not (c.method == "getUpdates" and c.ok and not c.result)]
        for call in shown[-last:]:
            lines.append(f"  +{call.time - start:7.3f}s {call!r}")
        return "\n".join(lines)

    async def wait_idle(self, *, quiet: float = 0.2, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update was handed to the bot, no request is in flight and no
        request (other than getUpdates) arrived for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = self._inflight > 0 or any(
                u["update_id"] not in self._delivered_ids for u in self._pending if self._is_allowed(u)
            )
            idle_for = time.monotonic() - self._last_activity
            if not busy and idle_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"bot did not become idle within {timeout}s (in flight: {self._inflight}, "
                    f"pending updates: {len(self._pending)}).\n" + self.describe_calls()
                )
            step = 0.02 if busy else max(0.01, quiet - idle_for)
            await self._wait_signal(min(step, remaining))

    def chat_history(self, chat: ChatRef) -> list[JSONDict]:
        """All existing messages of a chat (users' and bot's), current state, by message_id."""
        state = self._state(chat)
        return [copy.deepcopy(state.messages[mid]) for mid in sorted(state.messages)]

    def sent_messages(self, chat: ChatRef, *, include_service: bool = False) -> list[JSONDict]:
        """The bot's messages in a chat as the user now sees them (edits applied, deletions
        removed), oldest first."""
        return [
            m
            for m in self.chat_history(chat)
            if m.get("from", {}).get("id") == self.bot_id and (include_service or not _is_service(m))
        ]

    def last_sent(self, chat: ChatRef) -> JSONDict:
        """The bot's most recent still-existing message in a chat (``AssertionError`` if none)."""
        messages = self.sent_messages(chat)
        if not messages:
            raise AssertionError(
                f"the bot has no messages in chat {_chat_id_of(chat)}.\n" + self.describe_calls()
            )
        return messages[-1]

    def message(self, chat: ChatRef, message_id: int) -> JSONDict | None:
        """Current state of one message (``None`` if deleted or never existed)."""
        msg = self._state(chat).messages.get(message_id)
        return copy.deepcopy(msg) if msg is not None else None

    def deleted_messages(self, chat: ChatRef) -> list[JSONDict]:
        """Messages deleted in a chat (last state before deletion)."""
        state = self._state(chat)
        return [copy.deepcopy(state.deleted[mid]) for mid in sorted(state.deleted)]

    def member_status(self, chat: ChatRef, user: ChatRef) -> str:
        """A user's status in a group (``creator``, ``member``, ``left`` ...); ``member`` in their private chat."""
        state = self._state(chat)
        user_id = _chat_id_of(user)
        if state.chat.type == "private":
            return "member" if state.chat.id == user_id else "left"
        return state.members.get(user_id, "left")

    def poll_choice(self, poll_id: str, user: ChatRef) -> list[int]:
        """The options a user chose in a poll the bot sent (empty if they have not answered)."""
        known = self._polls.get(str(poll_id))
        return list(known.votes.get(_chat_id_of(user), [])) if known is not None else []

    async def wait_for_change(self, seconds: float) -> None:
        """Return when the fake's state changes (a call, an update, a webhook delivery), or after ``seconds``."""
        await self._wait_signal(seconds)

    def reply_keyboard(self, chat: ChatRef) -> JSONDict | None:
        """The reply keyboard (``ReplyKeyboardMarkup``) currently shown in a chat, if any."""
        keyboard = self._state(chat).reply_keyboard
        return copy.deepcopy(keyboard) if keyboard else None

    def pinned_messages(self, chat: ChatRef) -> list[int]:
        """Ids of pinned messages, most recently pinned last."""
        return list(self._state(chat).pinned)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set via setMyCommands for exactly this scope and language."""
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def file_content(self, ref: str | Mapping[str, Any]) -> bytes:
        """Bytes of a file, given a file_id or a message dict (document/photo/voice/...)."""
        ref = _as_mapping(ref)
        if isinstance(ref, Mapping):
            for key in (*_MEDIA_KEYS, "sticker", "video_note"):
                if key in ref:
                    media = ref[key]
                    ref = media[-1]["file_id"] if isinstance(media, list) else media["file_id"]
                    break
            else:
                raise KeyError("message has no file")
        return self.files[str(ref)].data

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (getUpdates offset) or delivered by webhook."""
        return copy.deepcopy(self._pending)

    @property
    def webhook(self) -> JSONDict | None:
        """Current webhook settings (``None`` when polling)."""
        return copy.deepcopy(self._webhook)
