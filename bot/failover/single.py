"""SQLite stays single: one process per database file, held by an ``flock`` on a lock file beside it.

The lock belongs to an open file, so the kernel releases it when the process ends however it ends (a
``kill -9`` included): there is nothing to clean up after a crash. The file keeps the holder's pid, read
back to name the process that is in the way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url

LOCK_SUFFIX = ".lock"


class DatabaseInUse(Exception):
    """Another process holds the SQLite database; ``str()`` is the one line to show."""

    def __init__(self, database: Path, lock_file: Path, holder_pid: int | None) -> None:
        self.database, self.lock_file, self.holder_pid = database, lock_file, holder_pid
        holder = f"pid {holder_pid}" if holder_pid else "another process"
        super().__init__(
            f"another instance of the bot ({holder}) is already running on the SQLite database {database} "
            f"(lock file {lock_file}): stop it first; two instances need PostgreSQL"
        )


class DatabaseLock:
    """The held lock of one SQLite database file; released by :meth:`release` or by the process's end."""

    def __init__(self, lock_file: Path, descriptor: int) -> None:
        self.lock_file = lock_file
        self._descriptor: int | None = descriptor

    @property
    def held(self) -> bool:
        """Whether this lock is still held."""
        return self._descriptor is not None

    def release(self) -> None:
        """Let another process take the database."""
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file drops the flock
            self._descriptor = None


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; ``None`` for PostgreSQL and for in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def lock_database(database: Path) -> DatabaseLock:
    """Take the lock of ``database`` for this process, or raise :class:`DatabaseInUse` at once."""
    lock_file = database.with_name(database.name + LOCK_SUFFIX)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(descriptor)
        os.close(descriptor)
        raise DatabaseInUse(database, lock_file, holder) from None
    except BaseException:
        os.close(descriptor)
        raise
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
    return DatabaseLock(lock_file, descriptor)


def _read_pid(descriptor: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text else None
    return None
