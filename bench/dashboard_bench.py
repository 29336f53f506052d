"""Benchmark: the dashboard's Today screen for a floor of 500 staff, through the real web application.

    .venv/bin/python bench/dashboard_bench.py                        # SQLite, 500 staff, ≤ 200 ms
    .venv/bin/python bench/dashboard_bench.py --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/dashboard_bench.py --staff 1000 --requests 100 --strict

The clock is set to 09:00 on a Thursday. Five shifts share the staff; most of the morning shift checked in
(on time or late), the rest are waiting, the later shifts are not yet due. An admin signed in with a session
asks ``GET /api/today`` ``--requests`` times over HTTP on localhost, one after another (the first answer,
which warms the caches, is counted apart); printed: p50, p95 and the slowest answer, and the answer's size.
The web application is the bot's own (``bot.web.web_application``) serving the dashboard; the database is a
migrated scratch SQLite file, or a scratch database on the PostgreSQL server given (dropped afterwards).
``--strict`` exits 1 if p95 is over 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 10, 9, 9, 0, tzinfo=TZ)
LIMIT_MS = 200.0
SHIFTS = [
    "早班 08:30 17:00 1-7",
    "白班 09:30 18:00 1-7",
    "中班 13:00 21:00 1-7",
    "晚班 18:00 23:00 1-7",
    "夜班 22:00-06:00 1-7",
]


async def _scratch_postgres(url: str) -> tuple[str, str]:
    """A new database on the server of ``url``: (its URL, its name)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine

    name = f"xz_dashbench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres(url: str, name: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine

    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def _prepare(db: Any, staff: int) -> int:
    """The admin, the staff on five shifts and the morning's check-ins, through the services; the admin's id."""
    from bot.attendance import service as attendance
    from bot.attendance.schedule import parse_shift
    from bot.people.models import Person, Role

    async with db() as session:
        admin = Person(telegram_id=1, first_name="王经理", role=Role.ADMIN)
        people = [
            Person(telegram_id=1000 + n, first_name=f"员工{n:04d}", role=Role.STAFF) for n in range(staff)
        ]
        session.add_all([admin, *people])
        await session.commit()
        for index, definition in enumerate(SHIFTS):
            draft = parse_shift(definition.split())
            assert not isinstance(draft, tuple), draft
            shift, _ = await attendance.save_shift(session, draft)
            share = [p for n, p in enumerate(people) if n % len(SHIFTS) == index]
            for person in share:
                await attendance.assign(
                    session, shift, person, dt.date(2025, 9, 1), now=NOW - dt.timedelta(days=40)
                )
        morning = [p for n, p in enumerate(people) if n % len(SHIFTS) == 0]
        requests = [
            attendance.CheckInRequest(p.id, NOW - dt.timedelta(minutes=40 - (n % 45)))  # on time, then late
            for n, p in enumerate(morning[: len(morning) * 4 // 5])
            if p.id is not None
        ]
        await attendance.check_in_many(session, requests, TZ)
        assert admin.id is not None
        return admin.id


async def _measure(url: str, staff: int, requests: int) -> list[float]:
    import time_machine
    from aiohttp.test_utils import TestClient, TestServer

    from bot.config import Settings
    from bot.dashboard import routes
    from bot.db import create_engine, create_session_factory, upgrade_database
    from bot.web import web_application

    engine = create_engine(url)
    await upgrade_database(engine)
    db = create_session_factory(engine)
    settings = Settings(_env_file=None, bot_token="1:bench", database_url=url, timezone="Asia/Shanghai")  # type: ignore[call-arg]
    with time_machine.travel(NOW, tick=True):
        admin_id = await _prepare(db, staff)
        application: Any = SimpleNamespace(bot_data=SimpleNamespace(db=db, settings=settings))
        app = web_application(application, dashboard=True)
        timings = []
        async with TestClient(TestServer(app)) as client:
            token, _ = app[routes.SESSIONS].open(admin_id, 1, dt.datetime.now(dt.UTC))
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(requests + 1):
                started = time.perf_counter()
                response = await client.get("/api/today", headers=headers)
                body = await response.read()
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status == 200, body
        people = body.count(b'"person_id"')
        print(f"  answer: {len(body) / 1024:.0f} KB, {people} people on today's shifts")
    await engine.dispose()
    return timings


def _report(name: str, timings: list[float]) -> float:
    first, rest = timings[0], sorted(timings[1:])
    p95 = rest[min(len(rest) - 1, int(len(rest) * 0.95))]
    print(
        f"  {name}: first {first:.0f} ms; then p50 {statistics.median(rest):.0f} ms, "
        f"p95 {p95:.0f} ms, max {rest[-1]:.0f} ms over {len(rest)} requests"
    )
    return p95


async def main(args: argparse.Namespace) -> int:
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="xz-dashbench-") as folder:
        print(f"SQLite, {args.staff} staff:")
        timings = await _measure(f"sqlite+aiosqlite:///{folder}/bench.db", args.staff, args.requests)
        worst = max(worst, _report("GET /api/today", timings))
    if args.postgres:
        url, name = await _scratch_postgres(args.postgres)
        try:
            print(f"PostgreSQL, {args.staff} staff:")
            worst = max(worst, _report("GET /api/today", await _measure(url, args.staff, args.requests)))
        finally:
            await _drop_postgres(args.postgres, name)
    verdict = "within" if worst <= LIMIT_MS else "OVER"
    print(f"p95 {worst:.0f} ms: {verdict} the {LIMIT_MS:.0f} ms budget")
    return 1 if args.strict and worst > LIMIT_MS else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", metavar="URL", help="also run on a scratch database of this server")
    parser.add_argument("--strict", action="store_true", help="exit 1 if p95 is over 200 ms")
    sys.exit(asyncio.run(main(parser.parse_args())))
