"""Failure injection and flood limits: answering calls with Telegram-shaped errors
(:meth:`~FailuresMixin.fail_next`), delaying them, custom method handlers, and Telegram-like
429 ``retry_after`` limits on sends and edits (:meth:`~FailuresMixin.enforce_limits`)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.helpers import _chat_id_of
from bot.playground.botapi.models import ApiError, StoredFile, _ChatState, _DelayRule, _FailRule, _Limits
from bot.playground.botapi.state import _FakeState


def _window_wait(times: list[float], limit: int, count: int, window: float, now: float) -> float:
    """Seconds until ``count`` more events fit into a sliding window (0 if they fit now)."""
    excess = len(times) + count - limit
    if excess <= 0:
        return 0.0
    if excess > len(times):
        return window
    return times[excess - 1] + window - now


class FailuresMixin(_FakeState):
    """Error / delay injection, custom handlers and flood limits."""

    def fail_next(
        self,
        method: str,
        *,
        status: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: Any = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"`` = any; optionally only for
        ``chat_id``) with a Telegram-shaped error instead of executing them."""
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = {
                400: "Bad Request: migrated" if migrate_to_chat_id else "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict",
                429: f"Too Many Requests: retry after {retry_after or 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(status, "Error")
            if migrate_to_chat_id:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
        if status == 429 and "retry_after" not in parameters:
            parameters["retry_after"] = 1
        self._fail_rules.append(
            _FailRule(method.lower(), status, description, parameters or None, _chat_id_of(chat_id), times)
        )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"`` = any) wait ``seconds`` first."""
        self._delay_rules.append(_DelayRule(method.lower(), seconds, times))

    def set_handler(self, method: str, handler: Callable[[JSONDict, dict[str, StoredFile]], Any]) -> None:
        """Override/add a method: ``handler(params, files)`` returns the result or raises ApiError."""
        self._custom_handlers[method.lower()] = (method, handler)

    def enforce_limits(
        self,
        overall_per_second: int = 30,
        group_per_minute: int = 20,
        private_per_second: int = 1,
        *,
        group_window: float = 60.0,
    ) -> None:
        """Turn on Telegram-like flood limits for message sends and edits (sliding windows).

        ``group_window`` is the length of the group window in seconds (Telegram's: a minute), shorter
        where a test wants several windows in a few seconds.

        Counted: sendMessage, send<Media> (sendMediaGroup counts each item), sendLocation,
        sendContact, copyMessage, forwardMessage and the editMessage* methods.

        Excess calls get 429 with ``retry_after`` (seconds until the window frees, at least 1)
        and are not delivered. Off by default; sends made while off still fill the windows.
        """
        self._limits = _Limits(
            int(overall_per_second), int(group_per_minute), int(private_per_second), float(group_window)
        )

    def disable_limits(self) -> None:
        """Turn flood limits off again."""
        self._limits = None

    def _check_limits(self, state: _ChatState, count: int = 1) -> None:
        limits = self._limits
        if limits is None:
            return
        now = time.monotonic()
        while self._sent_all and self._sent_all[0] <= now - 1.0:
            self._sent_all.popleft()
        chat_times = self._sent_by_chat.setdefault(state.chat.id, deque())
        while chat_times and chat_times[0] <= now - limits.group_window:
            chat_times.popleft()
        waits = [_window_wait(list(self._sent_all), limits.overall_per_second, count, 1.0, now)]
        if state.chat.type == "private":
            recent = [t for t in chat_times if t > now - 1.0]
            waits.append(_window_wait(recent, limits.private_per_second, count, 1.0, now))
        else:
            waits.append(
                _window_wait(list(chat_times), limits.group_per_minute, count, limits.group_window, now)
            )
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rejected_by_chat[state.chat.id] += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _note_sent(self, state: _ChatState, count: int = 1) -> None:
        self.accepted_sends[state.chat.id] += count
        now = time.monotonic()
        chat_times = self._sent_by_chat.setdefault(state.chat.id, deque())
        for _ in range(count):
            self._sent_all.append(now)
            chat_times.append(now)
        while self._sent_all and self._sent_all[0] <= now - 1.0:
            self._sent_all.popleft()
        kept = max(60.0, self._limits.group_window) if self._limits is not None else 60.0
        while chat_times and chat_times[0] <= now - kept:
            chat_times.popleft()
