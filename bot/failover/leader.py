"""One leader among the instances on one PostgreSQL database: a session advisory lock on a dedicated
connection.

Every instance opens its own asyncpg connection (not one of the engine's pool) and asks
``pg_try_advisory_lock(LEADER_KEY)`` once a second until it is granted; the instance holding it is the
leader. PostgreSQL releases a session lock when the session ends, so a leader that dies gives the lock
back when its connection goes:

- a killed process: its socket is closed by the kernel and the server ends the session at once;
- a machine cut off the network: the connection's per-session TCP keepalives (idle 3 s, then 3 probes 1 s
  apart) and ``tcp_user_timeout`` make the server drop it within about 6 s.

The leader proves it still holds the lock with a heartbeat (``SELECT 1`` every second, answered within 2 s).
When the heartbeat fails the leader must stop sending at once: another instance may already lead. It
leaves with :data:`EXIT_LOST_LEADERSHIP` and the restart policy brings it back as a standby. Cut off the
network, the leader notices within 3 s, before the server drops its session (about 6 s); when its session is
ended on the server (``pg_terminate_backend``, a restart of PostgreSQL), it notices at its next heartbeat,
within a second, while a standby needs a second to see the lock free and more to start.

Each connection is named ``xingzhan:<INSTANCE_NAME>`` (``application_name``), which is how a standby tells
who leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

LEADER_KEY = 0x585A_4C44
"""The advisory lock of leadership ("XZLD"; below 2**31, so ``pg_locks.objid`` is the key itself)."""
MIGRATION_KEY = 0x585A_4D47
"""The advisory lock that keeps two instances from migrating the schema at the same time ("XZMG")."""

RETRY_SECONDS = 1.0
HEARTBEAT_SECONDS = 1.0
HEARTBEAT_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 5.0
APPLICATION_PREFIX = "xingzhan:"
KEEPALIVES = {
    "tcp_keepalives_idle": "3",
    "tcp_keepalives_interval": "1",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "6000",
}
"""Per-session settings (context ``user`` in ``pg_settings``) on the lock's connection, seen from the server."""

EXIT_LOST_LEADERSHIP = 75
"""Exit status of a leader whose lock may be gone (EX_TEMPFAIL: start again, as a standby)."""

CONNECTION_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

Connect = Callable[..., Awaitable[Any]]


def asyncpg_dsn(database_url: str) -> str:
    """The DSN asyncpg takes, from the SQLAlchemy URL of the bot's database."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def is_postgresql(database_url: str) -> bool:
    """Whether the database URL names a PostgreSQL database."""
    return make_url(database_url).get_backend_name() == "postgresql"


class LeaderElection:
    """Standby until the lock is granted, then leader while the heartbeat answers."""

    def __init__(
        self,
        database_url: str,
        instance_name: str,
        *,
        retry_seconds: float = RETRY_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        heartbeat_timeout: float = HEARTBEAT_TIMEOUT_SECONDS,
        connect: Connect = asyncpg.connect,
    ) -> None:
        self.database_url = database_url
        self.instance_name = instance_name
        self.retry_seconds = retry_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.heartbeat_timeout = heartbeat_timeout
        self.leading = False
        self._dsn = asyncpg_dsn(database_url)
        self._connect = connect
        self._connection: Any = None

    async def connect(self) -> None:
        """Open the dedicated connection (again, after a failure); errors are the driver's."""
        await self.close()
        self._connection = await self._connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT_SECONDS,
            server_settings={**KEEPALIVES, "application_name": self.application_name},
        )

    @property
    def application_name(self) -> str:
        """The name this instance's lock connection shows in ``pg_stat_activity`` (at most 63 bytes)."""
        return (APPLICATION_PREFIX + self.instance_name).encode()[:63].decode(errors="ignore")

    async def close(self) -> None:
        """Close the connection: a leader gives the lock back with it."""
        connection, self._connection = self._connection, None
        self.leading = False
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(*CONNECTION_ERRORS):
                await asyncio.wait_for(connection.close(), timeout=CONNECT_TIMEOUT_SECONDS)
            if not connection.is_closed():
                connection.terminate()

    async def try_to_lead(self) -> bool:
        """Ask for the lock once; True when this instance leads (now or already)."""
        if self._connection is None or self._connection.is_closed():
            await self.connect()
        granted = await self._connection.fetchval("SELECT pg_try_advisory_lock($1::bigint)", LEADER_KEY)
        self.leading = self.leading or bool(granted)
        return self.leading

    async def current_leader(self) -> str | None:
        """The instance that holds the lock, as far as this database user may see it; None if unknown."""
        if self._connection is None:
            return None
        name = await self._connection.fetchval(
            """
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::bigint
              AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            LEADER_KEY,
        )
        if not name:
            return None
        return str(name).removeprefix(APPLICATION_PREFIX)

    async def wait_for_leadership(self) -> float:
        """Wait as a standby until this instance leads; the seconds waited.

        The first connection must succeed (its errors are the caller's to report); later failures of the
        connection are logged and retried.
        """
        started = time.monotonic()
        if self._connection is None or self._connection.is_closed():
            await self.connect()
        shown: str | None = None
        while True:
            try:
                if await self.try_to_lead():
                    break
                leader = await self.current_leader() or "another instance"
                if leader != shown:
                    log.info("standby: instance %s leads; waiting", leader)
                    shown = leader
            except CONNECTION_ERRORS as exc:
                log.warning("standby: the database connection failed (%s); trying again", _describe(exc))
                await self.close()
            await asyncio.sleep(self.retry_seconds)
        waited = time.monotonic() - started
        log.info("instance %s elected leader after %.1f s; catching up", self.instance_name, waited)
        return waited

    async def heartbeat(self) -> None:
        """Prove once that the connection, and so the lock, is alive; raises when it is not."""
        if self._connection is None or self._connection.is_closed():
            raise ConnectionError("the lock's connection is closed")
        await asyncio.wait_for(self._connection.fetchval("SELECT 1"), timeout=self.heartbeat_timeout)

    async def keep_leading(self, on_lost: Callable[[], object]) -> None:
        """The leader's heartbeat, until it fails: then ``on_lost()`` (which should stop the process).

        Any failure counts, not only a connection error: a leader that cannot prove it holds the lock stops."""
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            try:
                await self.heartbeat()
            except Exception as exc:
                self.leading = False
                log.critical("lost the leadership lock; stopping (%s)", _describe(exc))
                on_lost()
                return

    @contextlib.asynccontextmanager
    async def migration_lock(self) -> AsyncIterator[None]:
        """Hold the schema's migration lock (waiting for another instance that migrates), on a connection of
        its own: the lock's connection stays free for the heartbeat."""
        connection = await self._connect(self._dsn, timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            await connection.execute("SELECT pg_advisory_lock($1::bigint)", MIGRATION_KEY)
            yield
        finally:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await connection.close(timeout=CONNECT_TIMEOUT_SECONDS)  # the lock goes with the session
            if not connection.is_closed():
                connection.terminate()


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
