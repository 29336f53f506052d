"""``python -m bot db copy``: a station filled through its services, copied to PostgreSQL and to another
SQLite file, every table compared row by row; a target with rows is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.pool import NullPool

from bot import dbcopy
from bot.__main__ import main
from bot.attendance import service as attendance
from bot.attendance.schedule import parse_shift
from bot.db import create_engine, create_session_factory, upgrade_database
from bot.delivery import service as delivery
from bot.delivery.payload import Payload
from bot.jobs import service as jobs
from bot.knowledge import saved
from bot.notices import service as notices
from bot.notices.audiences import default_registry
from bot.people import service as people
from bot.people.models import Role
from tests.conftest import POSTGRES_URL, scratch_postgres_database

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
NOTE = "---\ntitle: 公司有没有宿舍\nquestions:\n- 公司有没有宿舍\naudience: staff\n---\n本站不提供宿舍。\n"


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


async def fill_station(url: str) -> None:
    """A small station, written through the services: people, a posting and an application, a notice with
    its deliveries, a shift with a check-in, a note saved from chat."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        await upgrade_database(engine)
        async with create_session_factory(engine)() as session:
            boss = await people.record_person(session, people.Profile(1, "王经理"))
            boss.role = Role.ADMIN
            seeker = await people.record_person(session, people.Profile(100, "小梅"))
            staff = []
            for number in range(3):
                person = await people.record_person(session, people.Profile(10 + number, f"员工{number}"))
                person.role = Role.STAFF
                staff.append(person)
            session.add_all([boss, *staff])
            await session.commit()

            posting = await jobs.create_posting(
                session,
                boss,
                jobs.PostingDraft(
                    title="电商客服",
                    description="在星站用电脑回复海外买家的售后消息。",
                    headcount=2,
                    pay="3000-4500元/月",
                    hours="早班 8:00-16:00",
                    location="平安区星站",
                    requirements=None,
                    closes_at=datetime.now(UTC) + timedelta(days=10),
                ),
            )
            assert await jobs.publish(session, posting)
            form = jobs.ApplicationForm(
                name="小梅",
                phone="13812345678",
                village="三合村",
                availability="下周一",
                note=None,
                contact_shared=True,
            )
            submitted = await jobs.submit_application(session, posting.id, seeker, form)
            assert submitted.application is not None

            notice = await notices.create_draft(session, boss, Payload(text="明天上午10点全员培训"))
            campaign = await notices.confirm(
                session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
            )
            assert not isinstance(campaign, notices.ConfirmError)
            assert len(await delivery.list_deliveries(session, campaign.id)) == 3  # the staff

            draft = parse_shift(["早班", "08:30", "17:00", "1-5"])
            assert not isinstance(draft, tuple)
            shift, _ = await attendance.save_shift(session, draft)
            await attendance.assign(
                session, shift, staff[0], date(2025, 9, 1), now=at(date(2025, 8, 31), "12:00")
            )
            await attendance.check_in(session, staff[0].id, at(THURSDAY, "08:20"), TZ)

            await saved.save_note(session, "answers/q1", NOTE, person_id=boss.id)
    finally:
        await engine.dispose()


async def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in primary-key order."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in await connection.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in dbcopy.tables()
            }
    finally:
        await engine.dispose()


@pytest.fixture
async def station(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'station.db'}"
    await fill_station(url)
    return url


@pytest.fixture
async def scratch_postgres() -> AsyncIterator[str]:
    """A PostgreSQL database of this test's own, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to copy into")
    async with scratch_postgres_database("xz_copy_") as url:
        yield url


async def test_a_station_copied_to_sqlite_has_every_row(station: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'copy.db'}"  # the sync spelling is accepted
    lines: list[str] = []
    copied = await dbcopy.copy_database(station, target, batch_rows=2, report=lines.append)
    source_rows = await table_rows(station)
    assert await table_rows(dbcopy.database_url(target)) == source_rows
    filled = {"person", "job_posting", "job_application", "notice", "campaign", "delivery", "shift"}
    filled |= {"shift_assignment", "attendance_record", "saved_note"}
    assert all(source_rows[name] for name in filled), "the station has a row in every table the test fills"
    assert {t.name: t.rows for t in copied} == {name: len(rows) for name, rows in source_rows.items()}
    assert "person: 5 rows" in "\n".join(lines) and lines[-1].endswith("row counts verified")


async def test_a_station_copied_to_postgresql_has_every_row_and_fresh_ids(
    station: str, scratch_postgres: str
) -> None:
    await dbcopy.copy_database(station, scratch_postgres, report=lambda line: None)
    assert await table_rows(scratch_postgres) == await table_rows(station)

    engine = create_engine(scratch_postgres, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as session:
            newcomer = await people.record_person(session, people.Profile(200, "卓玛"))
            assert newcomer.id == 6, "the id sequence starts past the copied people"
            note = await saved.save_note(session, "answers/q1", NOTE + "\n", person_id=newcomer.id)
            assert note.version == 2
    finally:
        await engine.dispose()


async def test_a_target_with_rows_is_refused_unless_replaced(
    station: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}"
    await dbcopy.copy_database(station, target, report=lambda line: None)
    before = await table_rows(target)

    assert await asyncio.to_thread(main, ["db", "copy", "--from", station, "--to", target]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: the target database") and "person 5" in error and "--replace" in error
    assert "\n" not in error and await table_rows(target) == before

    assert await asyncio.to_thread(main, ["db", "copy", "--from", station, "--to", target, "--replace"]) == 0
    out = capsys.readouterr().out
    assert "emptied the target database" in out and "row counts verified" in out
    assert await table_rows(target) == before


async def test_nonsense_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    station = str(tmp_path / "station.db")
    assert (
        await asyncio.to_thread(main, ["db", "copy", "--from", station, "--to", str(tmp_path / "x.db")]) == 1
    )
    assert capsys.readouterr().err.strip() == f"error: no SQLite database at {tmp_path / 'station.db'}"
    assert (
        await asyncio.to_thread(main, ["db", "copy", "--from", station, "--to", f"sqlite:///{station}"]) == 1
    )
    assert capsys.readouterr().err.strip() == "error: --from and --to name the same database"
    assert await asyncio.to_thread(main, ["db", "copy", "--from", "mysql://x/y", "--to", station]) == 1
    assert "mysql is not supported" in capsys.readouterr().err


async def test_a_source_with_tables_this_version_does_not_know_is_refused(
    station: str, tmp_path: Path
) -> None:
    engine = create_engine(station, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE from_a_newer_version (id INTEGER PRIMARY KEY)"))
    await engine.dispose()
    with pytest.raises(dbcopy.CopyError, match="tables this version does not know: from_a_newer_version"):
        await dbcopy.copy_database(station, str(tmp_path / "copy.db"), report=lambda line: None)
