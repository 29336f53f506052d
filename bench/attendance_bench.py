"""Benchmark: the whole floor checking in at once, through the fake Bot API and the real Application.

    .venv/bin/python bench/attendance_bench.py                       # SQLite, 500 staff within 1 s
    .venv/bin/python bench/attendance_bench.py --postgres postgresql+asyncpg://root@127.0.0.1:5432/test
    .venv/bin/python bench/attendance_bench.py --staff 200 --command  # typing /checkin instead

The clock is set to 08:00 on a workday, when the 早班 check-in window opens: the scheduler's job queues a
reminder with a 签到 button for each member of staff in the delivery outbox, which sends them (the time to
queue the wave and the time until the last reminder was sent are printed). Ten minutes later everyone
presses it, the presses spread evenly over ``--spread`` seconds. Printed: how many check-ins were
recorded in the database (and lost), and the time from an update being created at the fake server to the
bot's answer reaching it (p50, p99, max), both measured by the fake server's clock.

The fake server runs in a process of its own, as Telegram's servers are not on the bot's machine; the bot
runs as ``build_application()`` makes it. The answer to a pressed button is a toast
(answerCallbackQuery), which Telegram's flood limits do not count; the bot then also writes the result
into the reminder message, and those edits go out under the shared rate limiter at about 30 a second, so
they take longer: that time is printed too. With ``--command`` each person types /checkin and the answer is
a message, so every answer waits its turn under that limit (500 answers take about 17 s whatever the bot
does). ``--sequential`` processes one update at a time (PTB's default) instead of the bot's per-person
ordering, to compare.

For PostgreSQL, a scratch database is created on the given server and dropped afterwards. ``--strict``
exits 1 if a check-in is lost or p99 is 1 s or more.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
OPENING = dt.datetime(2025, 10, 9, 8, 0, tzinfo=TZ)  # a Thursday after the National Day holidays: 早班 opens
FIRST_ID = 6_000_000


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


# --- the fake Telegram, in its own process -----------------------------------------------------------


def fake_process(conn: Connection, staff: int) -> None:
    """Run the fake Bot API and act as the staff when told to."""
    asyncio.run(_fake_main(conn, staff))


async def _fake_main(conn: Connection, staff: int) -> None:
    from bot.playground.botapi import FakeBotAPI

    loop = asyncio.get_running_loop()
    async with FakeBotAPI() as api:
        users = [api.user(FIRST_ID + n, f"员工{n:04d}", username=f"bench{n}") for n in range(staff)]
        conn.send((api.token, api.base_url))
        while True:
            command, argument = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                conn.send(None)
                return
            conn.send(await _check_in_all(api, users, spread=argument, command=command == "type"))


async def _check_in_all(api: Any, users: list[Any], *, spread: float, command: bool) -> dict[str, Any]:
    """Everyone presses 签到 on their reminder (or types /checkin); latencies by this process's clock."""
    from bot.attendance.buttons import CheckInNow

    reminders = {}
    for user in users:
        sent = [m for m in api.sent_messages(user) if "reply_markup" in m]
        if not sent and not command:
            raise RuntimeError(f"no reminder for {user.id}")
        reminders[user.id] = sent[-1] if sent else None
    mark = api.mark()
    pushed: dict[Any, float] = {}
    start = time.monotonic()
    for n, user in enumerate(users):
        delay = start + n * spread / len(users) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        moment = time.monotonic()
        if command:
            await api.send_text(user, "/checkin")
            pushed[user.id] = moment
        else:
            update = await api.press_button(user, reminders[user.id], CheckInNow().pack())
            pushed[update["callback_query"]["id"]] = moment
    method, key = ("sendMessage", "chat_id") if command else ("answerCallbackQuery", "callback_query_id")

    found: dict[Any, float] = {}
    seen = [mark]

    def answers() -> dict[Any, float]:
        """The answers so far (looking only at calls not seen before)."""
        calls = api.calls
        for call in calls[seen[0] :]:
            if call.method == method and call.params.get(key) in pushed:
                found.setdefault(call.params[key], call.time)
        seen[0] = len(calls)
        return found

    with contextlib.suppress(AssertionError):  # a timeout: the counts below tell what is missing
        await api.wait_until(lambda: len(answers()) >= len(users), timeout=180, message="every answer")
    answered = answers()
    answered_s = max(answered.values(), default=start) - start
    edits = 0
    if not command:
        with contextlib.suppress(AssertionError):
            await api.wait_until(
                lambda: len(api.calls_to("editMessageText", since=mark)) >= len(users), timeout=180
            )
        edits = len(api.calls_to("editMessageText", since=mark))
    settled_s = time.monotonic() - start
    latencies = sorted((answered[k] - pushed[k]) * 1000 for k in answered)
    texts = [str(c.params.get("text")) for c in api.calls[mark:] if c.method == method]
    return {
        "answered": len(answered),
        "checked_in_answers": sum(1 for t in texts if "已签到" in t),
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": _percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "answered_s": answered_s,
        "edits": edits,
        "settled_s": settled_s,
    }


# --- the bot -----------------------------------------------------------------------------------------


async def _scratch_postgres(url: str) -> tuple[str, str]:
    """A new database on the server of ``url``: (its URL, its name)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine

    name = f"xz_bench_{uuid.uuid4().hex[:8]}"
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


async def _prepare(app: Any, staff: int) -> None:
    """The staff and their shift, straight into the database."""
    from bot.attendance import service
    from bot.attendance.schedule import parse_shift
    from bot.people.models import Person, Role

    async with app.bot_data.db() as session:
        people = [
            Person(
                telegram_id=FIRST_ID + n,
                first_name=f"员工{n:04d}",
                username=f"bench{n}",
                telegram_language="zh-hans",
                role=Role.STAFF,
            )
            for n in range(staff)
        ]
        session.add_all(people)
        await session.commit()
        draft = parse_shift(["早班", "08:30", "17:00", "1-7", "window=30", "grace=5", "close=60"])
        assert not isinstance(draft, tuple)
        shift, _ = await service.save_shift(session, draft)
        for person in people:
            await service.assign(session, shift, person, OPENING.date() - dt.timedelta(days=1))


async def _wave_sent(app: Any) -> None:
    """Wait until the outbox has no reminder left to send."""
    from sqlmodel import col, func, select

    from bot.delivery.models import Delivery, DeliveryState

    while True:
        async with app.bot_data.db() as session:
            statement = select(func.count()).where(
                col(Delivery.state).in_([DeliveryState.PENDING, DeliveryState.SENDING])
            )
            if not (await session.exec(statement)).one():  # type: ignore[call-overload]
                return
        await asyncio.sleep(0.05)


async def run(database_url: str, args: argparse.Namespace, clock: Any) -> dict[str, Any]:
    """One round on one database: reminders at 08:00, then everyone checks in around 08:10."""
    from sqlmodel import col, func, select
    from telegram.ext import SimpleUpdateProcessor

    from bot.app import build_application
    from bot.attendance import scheduled
    from bot.attendance.models import AttendanceRecord
    from bot.config import Settings

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    fake = context.Process(target=fake_process, args=(theirs, args.staff), daemon=True)
    fake.start()
    loop = asyncio.get_running_loop()
    try:
        token, base_url = await loop.run_in_executor(None, ours.recv)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=token,
            telegram_api_url=base_url,
            database_url=database_url,
            log_level="WARNING",
        )
        app = build_application(settings)
        if args.sequential:
            app._update_processor = SimpleUpdateProcessor(1)
        assert app.job_queue is not None
        for name in (scheduled.TICK_JOB, scheduled.CATCH_UP_JOB):  # the benchmark runs the scheduler itself
            for job in app.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await _prepare(app, args.staff)
        assert app.bot_data.people is not None
        await app.bot_data.people.warm()  # as at start-up, when the staff are already in the database
        if not args.first_contact:
            # A bot that has been running for a while has published everyone's command menu already.
            assert app.bot_data.menus is not None
            app.bot_data.menus.published.update(FIRST_ID + n for n in range(args.staff))
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=1))
        try:
            began = time.monotonic()
            await scheduled.run_tick(app)  # the window opens: one reminder each, queued in the outbox
            queued_s = time.monotonic() - began
            await _wave_sent(app)
            reminders_s = time.monotonic() - began
            clock.shift(dt.timedelta(minutes=10))
            ours.send(("type" if args.command else "press", args.spread))
            result: dict[str, Any] = await loop.run_in_executor(None, ours.recv)
            result["reminders_s"] = reminders_s
            result["queued_s"] = queued_s
        finally:
            await app.updater.stop()
            await app.stop()
            assert app.bot_data.db is not None
            async with app.bot_data.db() as session:
                statement = select(func.count()).where(col(AttendanceRecord.checkin_at).is_not(None))
                result_count = (await session.exec(statement)).one()  # type: ignore[call-overload]
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            await app.shutdown()
        result["recorded"] = result_count
        result["lost"] = args.staff - result_count
        return result
    finally:
        ours.send(("stop", None))
        await loop.run_in_executor(None, ours.recv)
        fake.join(timeout=10)


async def main(args: argparse.Namespace) -> int:
    import time_machine

    targets: list[tuple[str, str]] = []
    cleanup: list[tuple[str, str]] = []
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_sqlite:
            targets.append(("sqlite", f"sqlite+aiosqlite:///{folder}/bench.db"))
        if args.postgres:
            url, name = await _scratch_postgres(args.postgres)
            targets.append(("postgresql", url))
            cleanup.append((args.postgres, name))
        try:
            for label, url in targets:
                with time_machine.travel(OPENING, tick=True) as clock:
                    result = await run(url, args, clock)
                failed |= result["lost"] > 0 or result["p99_ms"] >= 1000
                how = "typed /checkin" if args.command else "pressed 签到"
                reply = "reply message" if args.command else "answer to the button"
                lines = [
                    f"{label}: {args.staff} staff {how} within {args.spread:g} s"
                    + (", one update at a time" if args.sequential else ""),
                    f"  recorded {result['recorded']}, lost {result['lost']}; answered {result['answered']} "
                    f"({result['checked_in_answers']} 'checked in')",
                    f"  update -> {reply}: p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, "
                    f"max {result['max_ms']:.0f} ms; the last answered {result['answered_s']:.2f} s after the first "
                    "update",
                ]
                if not args.command:
                    lines.append(
                        f"  reminders edited to show the check-in: {result['edits']}, all after "
                        f"{result['settled_s']:.1f} s (flood limit: ~30 messages/s)"
                    )
                lines.append(
                    f"  (the 08:00 reminders to all {args.staff}: queued in {result['queued_s']:.2f} s, "
                    f"all sent after {result['reminders_s']:.1f} s)"
                )
                print("\n".join(lines), flush=True)
        finally:
            for server, name in cleanup:
                await _drop_postgres(server, name)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=500)
    parser.add_argument("--spread", type=float, default=1.0, help="seconds over which the check-ins arrive")
    parser.add_argument("--postgres", metavar="URL", help="also run on a scratch database of this server")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--command", action="store_true", help="type /checkin instead of pressing the button")
    parser.add_argument("--sequential", action="store_true", help="process one update at a time")
    parser.add_argument(
        "--first-contact", action="store_true", help="the bot has just started: it publishes each menu too"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if any check-in is lost or p99 >= 1 s")
    sys.exit(asyncio.run(main(parser.parse_args())))
