"""Telegram's flood limits kept by every instance together, on PostgreSQL.

With a webhook every instance answers the updates it is given, so each one's own ``Limiter`` is not enough:
two instances replying in one busy group could send 40 messages a minute. When the database is PostgreSQL
and a webhook is set, the limiter also takes every request's slot here, in the ``rate_budget`` table: one
row for the overall limit (``overall``) and one per group (``chat:<id>``), each holding the most recent slot
times (as many as the limit allows in one window), the even spacing of the overall limit and a pause
Telegram asked for. A reservation locks the rows it needs (the group's, then ``overall``), reads the
database's clock — so the machines' clocks do not matter — picks the first time at which both windows have
room, writes it, and returns how long to wait; one short transaction. Overall slots are handed out in order,
so the windows are sliding windows exactly like the local limiter's: at most N slots in any window of the
length plus the margin. A group whose window is full is not reserved at all: the caller is told how long
the group needs and waits outside the overall queue, so one busy group never holds up the others.

A 429 seen by one instance is written as a pause that every instance respects: in the group's row if the
group's shared window is full, otherwise in ``overall`` (the overall limit is then the likely cause). Private
chats stay with the local limiter (the outbox runs only on the leader, and a handler's reply is not held by
a private chat's window). If the database cannot be reached, the limiter keeps going on its own at half the
limits (one log line), and tries the database again after ``retry_after_failure`` seconds. Rows of groups
quiet for an hour are deleted now and then, so the table holds one row per active group.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine
from bot.delivery.limiter import Limits, is_group
from bot.delivery.models import RateBudget

log = logging.getLogger(__name__)

OVERALL = "overall"
"""The key of the overall limit's row."""

_table = RateBudget.__table__  # type: ignore[attr-defined]

_LOCK_ROWS = {
    count: text(
        "INSERT INTO rate_budget (key, slots, last_slot, spacing_until, paused_until) VALUES "
        + ", ".join(f"(:key{n}, '[]', 0, 0, 0)" for n in range(count))
        + " ON CONFLICT (key) DO UPDATE SET key = excluded.key"
        " RETURNING key, slots, last_slot, spacing_until, paused_until,"
        " extract(epoch FROM clock_timestamp()) AS now"
    )
    for count in (1, 2)
}
"""Create the rows if need be and lock them, in the order given; their values, and the time once locked."""

_PAUSE_ROW = text(
    "INSERT INTO rate_budget (key, slots, last_slot, spacing_until, paused_until)"
    " VALUES (:key, '[]', 0, 0, extract(epoch FROM clock_timestamp()) + :seconds)"
    " ON CONFLICT (key) DO UPDATE"
    " SET paused_until = greatest(rate_budget.paused_until, excluded.paused_until)"
)
"""Record a pause Telegram asked for (the later one wins)."""

_WRITE_ROW = text(
    "UPDATE rate_budget SET slots = CAST(:slots AS json), last_slot = :last_slot,"
    " spacing_until = :spacing_until WHERE key = :key"
)


def chat_key(chat_id: int | str) -> str:
    """The key of a group's row."""
    return f"chat:{chat_id}"


@dataclass(frozen=True, slots=True)
class Reservation:
    """The answer to a request for a slot: ``reserved`` (send at ``slot`` on the database's clock, which is
    ``send_at`` on this process's ``time.monotonic()``), or not yet because the group's window is full (try
    again in ``wait`` seconds).

    ``send_at`` counts from the moment the rows were locked and the database's clock read, not from the end
    of the transaction: the commit's duration varies, and a request sent later than its slot by a varying
    amount would bring two requests of one window closer than the window.
    """

    reserved: bool
    wait: float
    slot: float | None = None
    send_at: float = 0.0


@dataclass(slots=True)
class _Row:
    key: str
    slots: list[float]
    last_slot: float
    spacing_until: float
    paused_until: float

    def window_free_at(self, count: int, window: float) -> float:
        """When one more slot fits into the sliding window (``count`` per ``window`` seconds)."""
        if count <= 0 or len(self.slots) < count:
            return 0.0
        return self.slots[-count] + window

    def take(self, slot: float, keep: int) -> None:
        """Record ``slot``, keeping the last ``keep`` slot times."""
        self.slots = [*self.slots, slot][-max(1, keep) :]
        self.last_slot = max(self.last_slot, slot)


class SharedBudget:
    """The overall and per-group limits shared through one PostgreSQL database.

    ``reserve`` raises whatever the database raises; the limiter calls it and falls back on its own
    (see ``available`` and ``failed``).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        timeout: float = 5.0,
        retry_after_failure: float = 10.0,
        prune_every: float = 600.0,
        keep_idle: float = 3600.0,
        owns_engine: bool = False,
    ) -> None:
        self.engine = engine
        self.timeout = timeout
        self.retry_after_failure = retry_after_failure
        self.prune_every = prune_every
        self.keep_idle = keep_idle
        self.owns_engine = owns_engine
        self._down_until: float | None = None
        self._next_prune = time.monotonic() + prune_every

    @classmethod
    def for_database(cls, database_url: str) -> SharedBudget:
        """A budget on its own small pool: a reservation never waits behind the handlers' sessions, skips
        the pool's liveness ping (a dead connection fails one reservation, which falls back), and does not
        wait for its commit to reach the disk (a slot only matters for a minute; a crash loses nothing)."""
        engine = create_engine(
            database_url,
            pool_size=2,
            max_overflow=2,
            pool_pre_ping=False,
            connect_args={"server_settings": {"synchronous_commit": "off"}},
        )
        return cls(engine, owns_engine=True)

    # --- health ------------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether to use the database now (not while waiting to try it again after a failure)."""
        return self._down_until is None or time.monotonic() >= self._down_until

    @property
    def degraded(self) -> bool:
        """Whether the last attempt failed (the limiter then keeps half the limits on its own)."""
        return self._down_until is not None

    def failed(self, exc: BaseException) -> None:
        """The database did not answer: log it once, and leave it alone for ``retry_after_failure``."""
        if self._down_until is None:
            log.warning(
                "the shared flood-limit budget is unreachable (%s): this instance keeps half of Telegram's "
                "limits on its own until the database answers again",
                exc.__class__.__name__ if not str(exc) else f"{exc.__class__.__name__}: {exc}",
            )
        self._down_until = time.monotonic() + self.retry_after_failure

    def succeeded(self) -> None:
        """The database answered again."""
        if self._down_until is not None:
            log.warning("the shared flood-limit budget is reachable again")
            self._down_until = None

    # --- reservations ------------------------------------------------------------------------------

    async def reserve(self, chat_id: int | str | None, limits: Limits) -> Reservation:
        """Take the next slot for a request to ``chat_id`` (its group window, if a group, and the overall
        one), or say how long the group's window is still full."""
        keys = [OVERALL]
        if chat_id is not None and is_group(chat_id) and limits.group_per_minute:
            keys.insert(0, chat_key(chat_id))  # always the group's row first, then ``overall``: no deadlock
        async with asyncio.timeout(self.timeout):
            reservation = await self._reserve(keys, limits)
        await self._prune_now_and_then()
        return reservation

    async def _reserve(self, keys: list[str], limits: Limits) -> Reservation:
        async with self.engine.begin() as connection:
            locked = await connection.execute(
                _LOCK_ROWS[len(keys)], {f"key{n}": key for n, key in enumerate(keys)}
            )
            locked_at = time.monotonic()  # after the database read its clock: never early
            rows: dict[str, _Row] = {}
            now = 0.0
            for found in locked.mappings():
                now = max(now, float(found["now"]))  # read once each row is locked: the later one
                slots = found["slots"]
                rows[found["key"]] = _Row(
                    found["key"],
                    [float(t) for t in (json.loads(slots) if isinstance(slots, str) else slots)],
                    found["last_slot"],
                    found["spacing_until"],
                    found["paused_until"],
                )
            overall = rows[OVERALL]
            group = next((row for key, row in rows.items() if key != OVERALL), None)
            slot = _overall_ready(overall, limits, now)
            if group is not None:
                group_ready = max(
                    group.paused_until,
                    group.window_free_at(limits.group_per_minute, limits.group_window + limits.margin),
                )
                if group_ready > slot:
                    return Reservation(reserved=False, wait=group_ready - now)
                group.take(slot, limits.group_per_minute)
            overall.take(slot, int(limits.overall_per_second))
            if limits.overall_per_second:
                overall.spacing_until = max(overall.spacing_until, slot) + limits.overall_interval
            await connection.execute(
                _WRITE_ROW,
                [
                    {
                        "key": row.key,
                        "slots": json.dumps(row.slots),
                        "last_slot": row.last_slot,
                        "spacing_until": row.spacing_until,
                    }
                    for row in rows.values()
                ],
            )
            wait = max(0.0, slot - now)
            return Reservation(reserved=True, wait=wait, slot=slot, send_at=locked_at + wait)

    async def pause(self, chat_id: int | str | None, seconds: float, limits: Limits) -> None:
        """Telegram answered 429 to a request for ``chat_id``: hold every instance's requests to that group
        if its shared window is full, or else all requests (the overall limit is the likely cause)."""
        key = OVERALL
        async with asyncio.timeout(self.timeout), self.engine.begin() as connection:
            if chat_id is not None and is_group(chat_id) and limits.group_per_minute:
                locked = await connection.execute(_LOCK_ROWS[1], {"key0": chat_key(chat_id)})
                found = locked.mappings().one()
                slots = found["slots"]
                since = float(found["now"]) - (limits.group_window + limits.margin)
                recent = [t for t in (json.loads(slots) if isinstance(slots, str) else slots) if t > since]
                if len(recent) >= limits.group_per_minute:
                    key = chat_key(chat_id)
            await connection.execute(_PAUSE_ROW, {"key": key, "seconds": max(0.0, seconds)})

    async def snapshot(self, key: str) -> dict[str, Any] | None:
        """A row as stored (for tests and the benchmark)."""
        async with self.engine.connect() as connection:
            found = await connection.execute(select(_table).where(_table.c.key == key))
            row = found.mappings().first()
            return dict(row) if row is not None else None

    async def _prune_now_and_then(self) -> None:
        """Drop the rows of groups that have been quiet for ``keep_idle`` seconds (one row per group ever
        used would otherwise stay forever); every ``prune_every`` seconds."""
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + self.prune_every
        cutoff = func.extract("epoch", func.clock_timestamp()) - self.keep_idle
        try:
            async with asyncio.timeout(self.timeout), self.engine.begin() as connection:
                await connection.execute(
                    _table.delete().where(
                        _table.c.key != OVERALL,
                        func.greatest(_table.c.last_slot, _table.c.paused_until) < cutoff,
                    )
                )
        except Exception as exc:  # the slot is taken; the rows can wait for the next time
            log.debug("could not drop idle rows of the shared flood-limit budget: %s", exc)

    async def close(self) -> None:
        """Release the engine if this budget made it."""
        if self.owns_engine:
            await self.engine.dispose()


def _overall_ready(overall: _Row, limits: Limits, now: float) -> float:
    """The first time the overall limit allows: after a pause, evenly spaced (``burst`` may catch up), with
    room in the sliding window, and never before a slot already handed out (slots go out in order)."""
    ready = max(now, overall.paused_until, overall.last_slot)
    if limits.overall_per_second:
        tolerance = max(0, limits.burst - 1) * limits.overall_interval
        ready = max(
            ready,
            overall.spacing_until - tolerance,
            overall.window_free_at(int(limits.overall_per_second), 1.0 + limits.margin),
        )
    return ready
