"""A limiter that keeps every request under Telegram's flood limits, with no burst at the start.

Telegram asks bots to stay under about 30 messages a second overall, 20 a minute in one group and about one
a second in one private chat. PTB's ``AIORateLimiter`` uses leaky buckets that start full, so in its first
second it lets about twice the overall rate through, and it does not limit private chats at all.

This limiter holds three sliding windows — every window of the given length contains at most the given
number of requests — and, for the overall limit, also spaces requests evenly (one per ``1/rate`` seconds,
a generic cell rate algorithm that lets ``burst`` requests catch up after a delay), so it stays under the
limit whether the server counts in sliding windows, fixed buckets or a token bucket with a small burst.
A ``margin`` stretches each window a little so that jitter between this process and the server's clock
cannot push two requests into one window.

Waiting is fair: requests for the same chat are served in order, and requests that are ready go through the
overall window in order of arrival (an ``asyncio.Lock`` is first come, first served).

Where several instances answer at once (a webhook on PostgreSQL), the limiter is given a ``shared`` budget
(``bot.delivery.shared_budget``): where it takes a slot in its own windows, it also takes one in the
instances' common windows, in the database, and waits for it; a 429 it is told of is written there for the
others. If the database does not answer, it keeps half of the overall and group limits on its own.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.delivery.shared_budget import SharedBudget


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's flood limits, and the safety margin (in seconds, added to every window)."""

    overall_per_second: float = 30
    group_per_minute: int = 20
    private_per_second: float = 1
    margin: float = 0.05
    burst: int = 3
    group_window: float = 60.0
    """The length of the group window in seconds (Telegram's is a minute; shorter only in tests)."""

    @property
    def overall_interval(self) -> float:
        """Even spacing of requests under the overall limit (``burst`` of them may catch up on a delay)."""
        return (1.0 + self.margin) / self.overall_per_second if self.overall_per_second else 0.0

    def halved(self) -> Limits:
        """Half of the overall and group limits: one instance's conservative share when it cannot agree
        with the others (private chats are this instance's alone and keep their limit)."""
        return replace(
            self,
            overall_per_second=self.overall_per_second / 2,
            group_per_minute=max(1, self.group_per_minute // 2) if self.group_per_minute else 0,
        )


@dataclass(slots=True)
class LimiterStats:
    """What the limiter saw: requests let through, 429 answers reported, time spent waiting."""

    requests: int = 0
    retry_after: int = 0
    waited: float = 0.0


@dataclass(slots=True)
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    times: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0


def is_group(chat_id: int | str) -> bool:
    """Telegram's convention: groups, supergroups and channels have negative ids (or an @username)."""
    return isinstance(chat_id, str) or chat_id < 0


def most_in_window(times: list[float], window: float) -> int:
    """The most of ``times`` (seconds) that fall into any one window of ``window`` seconds, open at its end:
    how a server counting in sliding windows sees a series of requests."""
    times = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _sleep_while(delay: Callable[[], float]) -> None:
    """Sleep until ``delay()`` (seconds still to wait) reaches zero."""
    while True:
        seconds = delay()
        if seconds <= 0:
            return
        await asyncio.sleep(seconds)


class Limiter:
    """Overall, per-group and per-private-chat limits for every request that names a chat."""

    def __init__(self, limits: Limits | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self.stats = LimiterStats()
        self._overall_lock = asyncio.Lock()
        self._overall: deque[float] = deque()
        self._paused_until = 0.0
        self._tat = 0.0
        self._chats: dict[int | str, _Chat] = {}
        self.shared: SharedBudget | None = None
        """Set where several instances answer at once (see ``bot.delivery.shared_budget``)."""
        self._pausing: set[asyncio.Task[None]] = set()

    @property
    def active_limits(self) -> Limits:
        """The limits this process keeps on its own: ``limits``, or half of them while a shared budget
        cannot be reached."""
        if self.shared is not None and self.shared.degraded:
            return self.limits.halved()
        return self.limits

    # --- window arithmetic --------------------------------------------------------------------

    def _overall_wait(self, now: float) -> float:
        limits = self.active_limits
        if not limits.overall_per_second:
            return max(0.0, self._paused_until - now)
        window = 1.0 + limits.margin
        while self._overall and self._overall[0] <= now - window:
            self._overall.popleft()
        tolerance = max(0, limits.burst - 1) * limits.overall_interval
        waits = [self._paused_until - now, self._tat - tolerance - now]
        if self._overall and len(self._overall) >= limits.overall_per_second:
            waits.append(self._overall[-int(limits.overall_per_second)] + window - now)
        return max(0.0, *waits)

    def _chat_rule(self, chat_id: int | str) -> tuple[int, float]:
        limits = self.active_limits
        if is_group(chat_id):
            return limits.group_per_minute, limits.group_window + limits.margin
        if not limits.private_per_second:
            return 0, 0.0
        return max(1, int(limits.private_per_second)), (1.0 + limits.margin) * max(
            1.0, 1.0 / limits.private_per_second
        )

    def _chat_wait(self, chat_id: int | str, chat: _Chat, now: float, *, interactive: bool = False) -> float:
        count, window = self._chat_rule(chat_id)
        waits = [chat.paused_until - now]
        if count and not (interactive and not is_group(chat_id)):
            while chat.times and chat.times[0] <= now - window:
                chat.times.popleft()
            if len(chat.times) >= count:
                waits.append(chat.times[-count] + window - now)
        return max(0.0, *waits)

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) > 4096:
                self._forget_idle()
            chat = self._chats[chat_id] = _Chat()
        return chat

    def _forget_idle(self) -> None:
        now = self.clock()
        for key, chat in list(self._chats.items()):
            if chat.lock.locked() or chat.paused_until > now:
                continue
            _, window = self._chat_rule(key)
            if not chat.times or chat.times[-1] <= now - window:
                del self._chats[key]

    # --- the public side ----------------------------------------------------------------------

    def chat_delay(self, chat_id: int | str) -> float:
        """Seconds before ``chat_id`` may get another request (0 if now)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return 0.0
        if chat.lock.locked():
            return 0.01
        return self._chat_wait(chat_id, chat, self.clock())

    async def acquire(
        self, chat_id: int | str | None, *, wait_for_chat: bool = True, interactive: bool = False
    ) -> bool:
        """Wait for a slot and take it; with ``wait_for_chat`` false, give up (False) if the chat is busy.

        ``interactive`` requests (a handler answering someone) are not held back by the private chat's own
        window — a reply of two messages should not take two seconds, and PTB's limiter does not limit
        private chats either — but they count in it, so the outbox keeps its distance from that chat, and
        they respect a pause Telegram asked for. Group and overall limits hold for every request.
        """
        started = self.clock()
        if chat_id is None:
            async with self._overall_lock:
                await self._wait_overall()
                await self._take_shared(None)  # no group: the slot is always taken
                self._record(None, self.clock())
            self.stats.waited += self.clock() - started
            return True
        chat = self._chat(chat_id)
        if not wait_for_chat and (chat.lock.locked() or self._chat_wait(chat_id, chat, self.clock()) > 0):
            return False
        async with chat.lock:
            while True:
                await _sleep_while(
                    lambda: self._chat_wait(chat_id, chat, self.clock(), interactive=interactive)
                )
                async with self._overall_lock:
                    await self._wait_overall()
                    group_busy = await self._take_shared(chat_id)
                    if group_busy <= 0:
                        self._record(chat, self.clock())
                        break
                # Another instance filled the group's window: wait for it outside the overall queue.
                await asyncio.sleep(group_busy)
        self.stats.waited += self.clock() - started
        return True

    async def _wait_overall(self) -> None:
        await _sleep_while(lambda: self._overall_wait(self.clock()))

    async def _take_shared(self, chat_id: int | str | None) -> float:
        """Take the slot in the shared budget too, if there is one, and wait for it: 0 once it is taken, or
        the seconds until the group's shared window has room (nothing taken). Without the database: 0."""
        shared = self.shared
        if shared is None or not shared.available:
            return 0.0
        try:
            reservation = await shared.reserve(chat_id, self.limits)
        except Exception as exc:  # any failure of the database: keep sending on our own
            shared.failed(exc)
            return 0.0
        shared.succeeded()
        if not reservation.reserved:
            return max(reservation.wait, 0.001)
        # The shared slot is on the database's clock, turned into this process's by the budget.
        await _sleep_while(lambda: reservation.send_at - time.monotonic())
        return 0.0

    def _record(self, chat: _Chat | None, now: float) -> None:
        self.stats.requests += 1
        limits = self.active_limits
        if limits.overall_per_second:
            self._overall.append(now)
            self._tat = max(self._tat, now) + limits.overall_interval
        if chat is not None:
            chat.times.append(now)

    def on_retry_after(self, chat_id: int | str | None, seconds: float) -> None:
        """Telegram answered 429: wait as told, for this chat, or for everything if this chat was idle.

        If the chat had not reached its own limit by our count, the overall limit is the likely cause, so
        every request is held back; otherwise only requests to this chat are. With a shared budget, the
        pause is written there for every instance, and for a group the shared count decides.
        """
        self.stats.retry_after += 1
        now = self.clock()
        until = now + max(0.0, seconds)
        if chat_id is None:
            self._paused_until = max(self._paused_until, until)
            self._share_pause(None, seconds)
            return
        chat = self._chat(chat_id)
        chat.paused_until = max(chat.paused_until, until)
        if is_group(chat_id) and self.shared is not None and self.shared.available:
            # Our own count of the group misses the other instances' messages: the shared budget decides
            # between the group and everything, and every instance (this one too) keeps its pause.
            self._share_pause(chat_id, seconds)
            return
        count, window = self._chat_rule(chat_id)
        recent = sum(1 for t in chat.times if t > now - window)
        if not count or recent < count:
            self._paused_until = max(self._paused_until, until)
            self._share_pause(None, seconds)

    def pause_all(self, seconds: float) -> None:
        """Hold every request for ``seconds``."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self._share_pause(None, seconds)

    def _share_pause(self, chat_id: int | str | None, seconds: float) -> None:
        """Tell the other instances about a pause (in the background: the caller is not async)."""
        shared = self.shared
        if shared is None or not shared.available or seconds <= 0:
            return
        try:
            task = asyncio.get_running_loop().create_task(self._write_pause(shared, chat_id, seconds))
        except RuntimeError:  # no running loop: nobody else to tell from here
            return
        self._pausing.add(task)
        task.add_done_callback(self._pausing.discard)

    async def _write_pause(self, shared: SharedBudget, chat_id: int | str | None, seconds: float) -> None:
        try:
            await shared.pause(chat_id, seconds, self.limits)
        except Exception as exc:  # the local pause holds; the database is for the others
            shared.failed(exc)
