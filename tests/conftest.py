"""Database fixtures: every database test runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.

The schema is built by the migrations once per test session (a template file for SQLite, the test
database for PostgreSQL); each test then gets a copy of the template, or the PostgreSQL tables emptied.
Unit tests of services use in-memory SQLite (tables from the models, which the drift test in
``tests/unit/test_db.py`` proves equal to the migrations).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import bot.models  # noqa: F401  (every table on SQLModel.metadata)
from bot.db import create_engine, create_session_factory, upgrade_database

SHARED_POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str) -> str:
    """With several test processes (pytest-xdist), each gets its own database next to ``TEST_DATABASE_URL``'s:
    the tests empty the tables between them, which two processes must not do to each other."""
    if not url or not WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(SHARED_POSTGRES_URL)
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def _create_worker_database(drop_only: bool = False) -> None:
    """Create (or drop) this process's own PostgreSQL test database, when there is one."""
    if POSTGRES_URL == SHARED_POSTGRES_URL:
        return
    name = make_url(POSTGRES_URL).database

    async def run() -> None:
        admin = create_engine(SHARED_POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                if not drop_only:
                    await connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            await admin.dispose()

    _run_apart(run())


def pytest_configure(config: pytest.Config) -> None:
    _create_worker_database()


def pytest_unconfigure(config: pytest.Config) -> None:
    _create_worker_database(drop_only=True)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on."""
    return str(request.param)


async def _migrate(url: str, *, reset_schema: bool = False) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        if reset_schema:
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade_database(engine)
    finally:
        await engine.dispose()


def _run_apart(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion on its own loop and thread (a test's loop may be running)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head, copied for every test that needs a database file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _run_apart(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    """The PostgreSQL test database, wiped and migrated to head once per session."""
    _run_apart(_migrate(POSTGRES_URL, reset_schema=True))
    return POSTGRES_URL


async def _empty_postgres_tables(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
async def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated database with no rows: a fresh SQLite file, or the emptied PostgreSQL test database."""
    if backend == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    url = request.getfixturevalue("postgres_migrated")
    await _empty_postgres_tables(url)
    yield url


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database without any table: a new SQLite file, or a scratch PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/empty.db"
        return
    async with scratch_postgres_database() as url:
        yield url


@contextlib.asynccontextmanager
async def scratch_postgres_database(prefix: str = "xz_") -> AsyncIterator[str]:
    """A new PostgreSQL database next to ``TEST_DATABASE_URL``'s, dropped afterwards; its URL."""
    admin = create_engine(POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
async def engine(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    """An engine over an empty schema: in-memory SQLite, or the emptied PostgreSQL test database."""
    if backend == "sqlite":
        engine = create_engine("sqlite+aiosqlite:///:memory:", poolclass=StaticPool)
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
    else:
        url = request.getfixturevalue("postgres_migrated")
        await _empty_postgres_tables(url)
        engine = create_engine(url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> Callable[[], AsyncSession]:
    """Makes sessions over the test database."""
    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory: Callable[[], AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session over the test database."""
    async with session_factory() as session:
        yield session
