"""Database fixtures: every database test runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import create_engine, create_session_factory, upgrade_database

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on."""
    return str(request.param)


async def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: os.PathLike[str]) -> AsyncIterator[str]:
    """The URL of an empty database (a file for SQLite, a wiped schema for PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    await _reset_postgres_schema(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
async def engine(backend: str, empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine over a database migrated to head: in-memory SQLite, or PostgreSQL."""
    if backend == "sqlite":
        engine = create_engine("sqlite+aiosqlite:///:memory:", poolclass=StaticPool)
    else:
        engine = create_engine(empty_database_url, poolclass=NullPool)
    await upgrade_database(engine)
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


def scratch_postgres_url() -> str:
    """A URL for a new, uniquely named database on the PostgreSQL test server."""
    url = make_url(POSTGRES_URL)
    return url.set(database=f"xz_{uuid.uuid4().hex[:10]}").render_as_string(hide_password=False)
