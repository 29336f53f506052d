"""SQLite stays single: the file lock beside the database refuses a second holder and dies with its process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.failover.single import DatabaseInUse, lock_database, sqlite_file


def test_the_database_file_of_each_kind_of_url(tmp_path: Path) -> None:
    assert sqlite_file(f"sqlite+aiosqlite:///{tmp_path}/x.db") == tmp_path / "x.db"
    assert sqlite_file("sqlite+aiosqlite:///./data/xingzhan.db") == Path("data/xingzhan.db")
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("sqlite+aiosqlite://") is None
    assert sqlite_file("postgresql+asyncpg://postgres@127.0.0.1/x") is None


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    database = tmp_path / "station" / "xingzhan.db"
    first = lock_database(database)
    assert first.lock_file == tmp_path / "station" / "xingzhan.db.lock"
    assert first.lock_file.read_text().strip() == str(os.getpid())
    with pytest.raises(DatabaseInUse) as refused:
        lock_database(database)
    assert refused.value.holder_pid == os.getpid()
    assert f"pid {os.getpid()}" in str(refused.value)
    assert str(database) in str(refused.value)
    assert "PostgreSQL" in str(refused.value)
    first.release()
    assert not first.held
    again = lock_database(database)
    again.release()


def test_a_killed_holder_leaves_nothing_to_clean_up(tmp_path: Path) -> None:
    database = tmp_path / "xingzhan.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from bot.failover.single import lock_database
                lock = lock_database(Path({str(database)!r}))
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DatabaseInUse) as refused:
            lock_database(database)
        assert refused.value.holder_pid == holder.pid
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / "xingzhan.db.lock").exists(), "the file stays; the lock does not"
    lock_database(database).release()
