"""The in-memory directory of people: read once, served from memory, forgotten when a session changes them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool
from sqlmodel import select

from bot.clock import utcnow
from bot.db import SessionFactory, create_engine, create_session_factory
from bot.people.directory import PeopleDirectory
from bot.people.models import Person, Role
from bot.people.service import LAST_SEEN_PRECISION, Profile, get_person

T0 = utcnow().replace(microsecond=0) - timedelta(days=1)
LI = Profile(1001, "小李", None, "li", "zh-hans")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
def factory(engine: AsyncEngine) -> SessionFactory:
    return create_session_factory(engine)


@pytest.fixture
def directory(factory: SessionFactory) -> PeopleDirectory:
    return PeopleDirectory(factory, admin_ids={1})


@pytest.fixture
async def file_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose sessions each have their own connection, as in production."""
    engine = create_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


async def stored(factory: SessionFactory, telegram_id: int = LI.telegram_id) -> Person:
    async with factory() as session:
        person = await get_person(session, telegram_id)
    assert person is not None
    return person


async def set_role(factory: SessionFactory, role: Role, telegram_id: int = LI.telegram_id) -> None:
    async with factory() as session:
        person = await get_person(session, telegram_id)
        assert person is not None
        person.role = role
        session.add(person)
        await session.commit()


async def test_first_identify_records_the_person(directory: PeopleDirectory, factory: SessionFactory) -> None:
    person = await directory.identify(LI, now=T0)
    assert person.id is not None and person.role == Role.SEEKER
    row = await stored(factory)
    assert (row.id, row.first_name, row.username, row.telegram_language) == (
        person.id,
        "小李",
        "li",
        "zh-hans",
    )
    assert row.last_seen_at == T0


async def test_configured_admins_are_made_admins(directory: PeopleDirectory, factory: SessionFactory) -> None:
    assert (await directory.identify(Profile(1, "Boss"), now=T0)).role == Role.ADMIN
    assert (await stored(factory, 1)).role == Role.ADMIN


async def test_second_identify_is_served_from_memory(directory: PeopleDirectory, engine: AsyncEngine) -> None:
    first = await directory.identify(LI, now=T0)
    with statements(engine) as seen:
        second = await directory.identify(LI, now=T0 + timedelta(minutes=1))
    assert seen == []
    assert second is not first
    assert second.model_dump() == first.model_dump()


async def test_changing_a_returned_copy_does_not_change_the_directory(directory: PeopleDirectory) -> None:
    copy = await directory.identify(LI, now=T0)
    copy.role = Role.ADMIN
    copy.first_name = "someone else"
    again = await directory.identify(LI, now=T0)
    assert (again.role, again.first_name) == (Role.SEEKER, "小李")


async def test_copy_is_a_detached_row_that_can_be_saved(
    directory: PeopleDirectory, factory: SessionFactory, engine: AsyncEngine
) -> None:
    """A returned person is saved with an UPDATE, like a row loaded by a session."""
    await directory.identify(LI, now=T0)
    copy = await directory.identify(LI, now=T0)
    state = sa_inspect(copy)
    assert state.detached and state.key is not None
    copy.role = Role.STAFF
    with statements(engine) as seen:
        async with factory() as session:
            session.add(copy)
            await session.commit()
    assert "UPDATE" in seen and "INSERT" not in seen
    async with factory() as session:
        assert (await session.exec(select(func.count()).select_from(Person))).one() == 1
    assert (await stored(factory)).role == Role.STAFF
    assert (await directory.identify(LI, now=T0)).role == Role.STAFF


async def test_committed_role_change_is_seen_at_once(
    directory: PeopleDirectory, factory: SessionFactory
) -> None:
    await directory.identify(LI, now=T0)
    await set_role(factory, Role.STAFF)
    assert (await directory.identify(LI, now=T0)).role == Role.STAFF
    await set_role(factory, Role.SEEKER)
    assert (await directory.identify(LI, now=T0)).role == Role.SEEKER


async def test_change_read_before_its_commit_is_not_kept(file_engine: AsyncEngine) -> None:
    """Someone identified between another session's flush and commit is read again after the commit."""
    factory = create_session_factory(file_engine)
    directory = PeopleDirectory(factory)
    await directory.identify(LI, now=T0)
    async with factory() as session:
        person = await get_person(session, LI.telegram_id)
        assert person is not None
        person.role = Role.STAFF
        session.add(person)
        await session.flush()
        assert (await directory.identify(LI, now=T0)).role == Role.SEEKER  # not committed yet
        await session.commit()
    assert (await directory.identify(LI, now=T0)).role == Role.STAFF


async def test_rolled_back_change_leaves_the_stored_role(file_engine: AsyncEngine) -> None:
    factory = create_session_factory(file_engine)
    directory = PeopleDirectory(factory)
    await directory.identify(LI, now=T0)
    async with factory() as session:
        person = await get_person(session, LI.telegram_id)
        assert person is not None
        person.role = Role.STAFF
        session.add(person)
        await session.flush()
        assert (await directory.identify(LI, now=T0)).role == Role.SEEKER
        await session.rollback()
    with statements(file_engine) as seen:
        assert (await directory.identify(LI, now=T0)).role == Role.SEEKER
    assert seen == ["SELECT"]  # forgotten by the rollback, read again
    assert (await stored(factory)).role == Role.SEEKER


async def test_read_overtaken_by_a_change_is_not_kept(
    directory: PeopleDirectory, factory: SessionFactory, engine: AsyncEngine
) -> None:
    """A change to anyone while identify reads means what it read may be stale: it is not kept."""
    await directory.identify(LI, now=T0)
    directory.forget([LI.telegram_id])

    def change_meanwhile(*_args: Any) -> None:
        directory.forget([999])

    event.listen(engine.sync_engine, "before_cursor_execute", change_meanwhile, once=True)
    await directory.identify(LI, now=T0)
    with statements(engine) as seen:
        await directory.identify(LI, now=T0)
    assert seen == ["SELECT"]
    with statements(engine) as seen:
        await directory.identify(LI, now=T0)
    assert seen == []


async def test_changed_profile_is_written(
    directory: PeopleDirectory, factory: SessionFactory, engine: AsyncEngine
) -> None:
    await directory.identify(LI, now=T0)
    renamed = Profile(LI.telegram_id, "李华", "Li", "lihua", "en")
    with statements(engine) as seen:
        person = await directory.identify(renamed, now=T0 + timedelta(minutes=1))
    assert "UPDATE" in seen
    assert (person.first_name, person.last_name, person.username, person.telegram_language) == (
        "李华",
        "Li",
        "lihua",
        "en",
    )
    row = await stored(factory)
    assert (row.first_name, row.last_name, row.username, row.telegram_language) == (
        "李华",
        "Li",
        "lihua",
        "en",
    )
    with statements(engine) as seen:
        assert (await directory.identify(renamed, now=T0 + timedelta(minutes=2))).first_name == "李华"
    assert seen == []


async def test_last_seen_is_gathered_and_flushed_in_one_statement(
    directory: PeopleDirectory, factory: SessionFactory, engine: AsyncEngine
) -> None:
    wang = Profile(1002, "小王")
    await directory.identify(LI, now=T0)
    await directory.identify(wang, now=T0)
    later = T0 + LAST_SEEN_PRECISION
    with statements(engine) as seen:
        await directory.identify(LI, now=T0 + LAST_SEEN_PRECISION - timedelta(seconds=1))
        assert await directory.flush_seen() == 0
        await directory.identify(LI, now=later)
        await directory.identify(wang, now=later + timedelta(seconds=5))
    assert seen == []
    assert (await stored(factory)).last_seen_at == T0

    with statements(engine) as seen:
        assert await directory.flush_seen() == 2
    assert seen == ["UPDATE"]
    assert (await stored(factory)).last_seen_at == later
    assert (await stored(factory, wang.telegram_id)).last_seen_at == later + timedelta(seconds=5)

    with statements(engine) as seen:
        assert await directory.flush_seen() == 0
        await directory.identify(LI, now=later + timedelta(minutes=1))
    assert seen == []


async def test_failed_flush_keeps_the_times_for_the_next(
    directory: PeopleDirectory, factory: SessionFactory, engine: AsyncEngine
) -> None:
    await directory.identify(LI, now=T0)
    await directory.identify(LI, now=T0 + LAST_SEEN_PRECISION)

    def fail(*_args: Any) -> None:
        raise OperationalError("UPDATE person", {}, Exception("database is locked"))

    event.listen(engine.sync_engine, "before_cursor_execute", fail, once=True)
    assert await directory.flush_seen() == 0
    assert (await stored(factory)).last_seen_at == T0
    assert await directory.flush_seen() == 1
    assert (await stored(factory)).last_seen_at == T0 + LAST_SEEN_PRECISION


async def test_identify_reading_the_row_drops_an_older_pending_time(
    directory: PeopleDirectory, factory: SessionFactory
) -> None:
    """A renamed person's row is written with the newest time, so no older one is written after it."""
    await directory.identify(LI, now=T0)
    await directory.identify(LI, now=T0 + LAST_SEEN_PRECISION)
    newest = T0 + LAST_SEEN_PRECISION + timedelta(minutes=1)
    await directory.identify(Profile(LI.telegram_id, "李华"), now=newest)
    assert await directory.flush_seen() == 0
    assert (await stored(factory)).last_seen_at == newest


async def test_warm_loads_staff_and_admins(factory: SessionFactory, engine: AsyncEngine) -> None:
    boss, worker, seeker = Profile(1, "Boss"), Profile(2, "Worker"), Profile(3, "Seeker")
    setup = PeopleDirectory(factory, admin_ids={1})
    for profile in (boss, worker, seeker):
        await setup.identify(profile)
    await set_role(factory, Role.STAFF, worker.telegram_id)

    directory = PeopleDirectory(factory, admin_ids={1})
    assert await directory.warm() == 2
    with statements(engine) as seen:
        assert (await directory.identify(boss)).role == Role.ADMIN
        assert (await directory.identify(worker)).role == Role.STAFF
    assert seen == []
    with statements(engine) as seen:
        assert (await directory.identify(seeker)).role == Role.SEEKER
    assert seen == ["SELECT"]


async def test_oldest_entry_is_evicted(factory: SessionFactory, engine: AsyncEngine) -> None:
    directory = PeopleDirectory(factory, max_entries=2)
    people = [Profile(telegram_id, f"P{telegram_id}") for telegram_id in (11, 12, 13)]
    for profile in people:
        await directory.identify(profile, now=T0)
    with statements(engine) as seen:
        await directory.identify(people[2], now=T0)
        await directory.identify(people[1], now=T0)
    assert seen == []
    with statements(engine) as seen:
        assert (await directory.identify(people[0], now=T0)).first_name == "P11"
    assert seen == ["SELECT"]
