"""``python -m bot db copy --from URL --to URL``: a station's data moved from one database to another,
typically from its SQLite file to PostgreSQL before running two instances.

Both databases are first brought to the latest schema. The target must hold no rows (``replace=True``
empties it first). Every table of ``SQLModel.metadata`` is then copied in foreign-key order, in batches,
inside one transaction on the target: either everything is copied or nothing is. PostgreSQL's sequences are
set past the copied ids (so the next row gets a fresh id), the rows of every table are counted on both sides,
and the copy is committed only when the counts agree. The source is read in one transaction that sees one
moment of it; stop the bot before copying, or what it writes meanwhile stays behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, event, func, inspect, select, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (every table on SQLModel.metadata)
from bot.config import ASYNC_DRIVERS
from bot.db import create_engine, upgrade_database

log = logging.getLogger(__name__)

#: Rows read and written at a time.
BATCH_ROWS = 1000
#: Tables the migrations keep for themselves: never copied (each database has its own).
MIGRATION_TABLES = frozenset({"alembic_version"})


class CopyError(Exception):
    """The copy cannot be made; ``str()`` is the one line to show."""


@dataclass(frozen=True)
class CopiedTable:
    """One table copied: its name and its row count (the same on both sides)."""

    name: str
    rows: int


def database_url(raw: str) -> str:
    """The async SQLAlchemy URL for ``raw``: a URL of either backend with or without its async driver
    (``sqlite:///x.db``, ``postgresql://…``), or the path of a SQLite file."""
    if "://" not in raw:
        return f"{ASYNC_DRIVERS['sqlite']}:///{raw}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise CopyError(f"not a database URL: {raw}") from None
    backend = url.drivername.split("+", 1)[0]
    backend = "postgresql" if backend == "postgres" else backend
    if backend not in ASYNC_DRIVERS:
        raise CopyError(f"{backend} is not supported; copy between SQLite and PostgreSQL databases")
    return url.set(drivername=ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def _sqlite_file(url: URL) -> Path | None:
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser().resolve()


def _same_database(one: str, other: str) -> bool:
    first, second = make_url(one), make_url(other)
    files = _sqlite_file(first), _sqlite_file(second)
    if files[0] is not None or files[1] is not None:
        return files[0] == files[1]
    return (first.host, first.port or 5432, first.database) == (
        second.host,
        second.port or 5432,
        second.database,
    )


def tables() -> list[Table]:
    """The tables to copy, each after the tables it refers to."""
    return [table for table in SQLModel.metadata.sorted_tables if table.name not in MIGRATION_TABLES]


async def copy_database(
    source: str,
    target: str,
    *,
    replace: bool = False,
    batch_rows: int = BATCH_ROWS,
    report: Callable[[str], None] = print,
) -> list[CopiedTable]:
    """Copy every row of ``source`` into ``target`` (both URLs as :func:`database_url` takes them); report a
    line per table. Raises :class:`CopyError` when the copy cannot be made (nothing is written then)."""
    source, target = database_url(source), database_url(target)
    if _same_database(source, target):
        raise CopyError("--from and --to name the same database")
    source_file = _sqlite_file(make_url(source))
    if source_file is not None and not source_file.is_file():
        raise CopyError(f"no SQLite database at {source_file}")
    reading = create_engine(source, poolclass=NullPool)
    writing = create_engine(target, poolclass=NullPool)
    _read_one_moment(reading)
    try:
        for engine, url in ((reading, source), (writing, target)):
            await _migrate(engine, url)
        async with reading.connect() as src, writing.begin() as dst:
            await _check_tables(src)
            held = await _counts(dst)
            if any(held.values()):
                if not replace:
                    filled = ", ".join(f"{name} {rows}" for name, rows in held.items() if rows)
                    raise CopyError(
                        f"the target database {shown_url(target)} is not empty ({filled} rows): "
                        "copy into an empty database, or add --replace to delete its rows first"
                    )
                await _empty(dst)
                report(f"emptied the target database ({sum(held.values())} rows deleted)")
            copied = []
            for table in tables():
                started = time.monotonic()
                rows = await _copy_table(src, dst, table, batch_rows)
                copied.append(CopiedTable(table.name, rows))
                report(f"{table.name}: {rows} rows ({time.monotonic() - started:.1f} s)")
            if dst.dialect.name == "postgresql":
                await _reset_sequences(dst)
            await _verify(src, dst, copied)
        report(
            f"copied {sum(t.rows for t in copied)} rows in {len(copied)} tables from {shown_url(source)} "
            f"to {shown_url(target)}; row counts verified"
        )
        return copied
    finally:
        await reading.dispose()
        await writing.dispose()


def _read_one_moment(engine: AsyncEngine) -> None:
    """Make every transaction of ``engine`` see one moment of the database: PostgreSQL's repeatable read,
    and on SQLite a real ``BEGIN`` (Python's sqlite3 starts none before a ``SELECT``)."""
    if engine.dialect.name == "postgresql":
        engine.sync_engine.update_execution_options(isolation_level="REPEATABLE READ")
        return

    @event.listens_for(engine.sync_engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def shown_url(url: str) -> str:
    """A database URL fit for output: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


async def _migrate(engine: AsyncEngine, url: str) -> None:
    """Bring a database to the latest schema; one that cannot be used is a :class:`CopyError`."""
    try:
        await upgrade_database(engine)
    except (OSError, SQLAlchemyError) as exc:
        lines = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
        raise CopyError(f"cannot use the database {shown_url(url)} ({detail})") from None


async def _check_tables(src: AsyncConnection) -> None:
    """Refuse a source with tables this version does not know (a newer version's data would be lost)."""
    names = set(await src.run_sync(lambda sync: inspect(sync).get_table_names()))
    unknown = sorted(names - {t.name for t in tables()} - MIGRATION_TABLES)
    if unknown:
        raise CopyError(f"the source has tables this version does not know: {', '.join(unknown)}")


async def _counts(connection: AsyncConnection) -> dict[str, int]:
    return {
        table.name: int((await connection.execute(select(func.count()).select_from(table))).scalar_one())
        for table in tables()
    }


async def _empty(dst: AsyncConnection) -> None:
    """Delete every row of the target (its tables, not its schema)."""
    if dst.dialect.name == "postgresql":
        names = ", ".join(dst.dialect.identifier_preparer.quote(t.name) for t in tables())
        await dst.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(tables()):
        await dst.execute(table.delete())


async def _copy_table(src: AsyncConnection, dst: AsyncConnection, table: Table, batch_rows: int) -> int:
    """Copy one table's rows in primary-key order, ``batch_rows`` at a time; how many."""
    rows = 0
    result = await src.stream(select(table).order_by(*table.primary_key.columns))
    async for batch in result.mappings().partitions(batch_rows):
        await dst.execute(table.insert(), [dict(row) for row in batch])
        rows += len(batch)
    return rows


def _serial_columns(table: Table) -> Sequence[str]:
    return [
        column.name
        for column in table.primary_key.columns
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto")
    ]


async def _reset_sequences(dst: AsyncConnection) -> None:
    """Set each table's id sequence past the largest id copied."""
    for table in tables():
        for column in _serial_columns(table):
            sequence = (
                await dst.execute(
                    text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": column},
                )
            ).scalar_one_or_none()
            if sequence is None:
                continue
            largest = (await dst.execute(select(func.max(table.c[column])))).scalar_one_or_none()
            await dst.execute(
                text("SELECT setval(:sequence, :next, false)"),
                {"sequence": sequence, "next": (largest or 0) + 1},
            )


async def _verify(src: AsyncConnection, dst: AsyncConnection, copied: Sequence[CopiedTable]) -> None:
    """Count every table on both sides; any difference undoes the copy."""
    there, here = await _counts(src), await _counts(dst)
    wrong = [t.name for t in copied if not there[t.name] == here[t.name] == t.rows]
    if wrong:
        details = ", ".join(f"{name} {there[name]} → {here[name]}" for name in wrong)
        raise CopyError(f"row counts differ after copying ({details}); nothing was copied")
