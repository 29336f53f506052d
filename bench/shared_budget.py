"""The flood limits shared by instances through PostgreSQL: what a reservation costs, and what it does to speed.

    .venv/bin/python bench/shared_budget.py --database-url postgresql+asyncpg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/shared_budget.py --database-url ... --reservations 500 --messages 90   # quicker

It works in a scratch database it creates beside the one named (and drops afterwards). Printed:

1. the cost of one reservation (``SharedBudget.reserve``, the group's row and ``overall`` in one short
   transaction) in milliseconds, median and p99: one instance alone, then two reserving at once (both
   contending for the ``overall`` row); limits so high that nobody waits;
2. ``--messages`` requests to as many groups through the limiter with Telegram's limits (30 a second
   overall): one instance alone (no database), one instance with the shared budget, two instances sharing it
   (half the requests each), and two instances without it (what webhook mode did before) — side by side,
   the rate achieved, the most requests in any 1 s window (Telegram allows 30) and the time taken.
   Targets: sharing costs one instance nothing measurable (rate ≥ 0.95 of alone); two instances sharing
   never exceed 30 in a second; without sharing they do.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bot.db import create_engine  # noqa: E402
from bot.delivery.limiter import Limiter, Limits  # noqa: E402
from bot.delivery.models import RateBudget  # noqa: E402
from bot.delivery.shared_budget import SharedBudget  # noqa: E402

UNLIMITED = Limits(overall_per_second=1_000_000, group_per_minute=1_000_000, private_per_second=0, margin=0)
GROUP_BASE = -1_000_000


@contextlib.asynccontextmanager
async def scratch_database(url: str) -> AsyncIterator[str]:
    """A new database beside ``url``'s, with the ``rate_budget`` table, dropped afterwards; its URL."""
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    name = f"xz_bench_budget_{uuid.uuid4().hex[:8]}"
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    scratch = make_url(url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(scratch, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(RateBudget.__table__.create)  # type: ignore[attr-defined]
        yield scratch
    finally:
        await engine.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _clear(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM rate_budget"))
    await engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def reservation_cost(url: str, count: int, instances: int) -> list[float]:
    """Milliseconds per reservation, ``instances`` budgets reserving ``count`` slots each at once."""
    await _clear(url)
    budgets = [SharedBudget.for_database(url) for _ in range(instances)]
    timings: list[float] = []

    async def run(budget: SharedBudget, offset: int) -> None:
        await budget.reserve(GROUP_BASE - offset, UNLIMITED)  # the connection is open from here on
        for i in range(count):
            started = time.perf_counter()
            await budget.reserve(GROUP_BASE - offset - 1 - i % 100, UNLIMITED)
            timings.append((time.perf_counter() - started) * 1000)

    try:
        await asyncio.gather(*(run(budget, n * 1000) for n, budget in enumerate(budgets)))
    finally:
        for budget in budgets:
            await budget.close()
    return timings


async def throughput(url: str, messages: int, instances: int, *, shared: bool) -> tuple[float, int, float]:
    """Requests to ``messages`` groups through ``instances`` limiters with Telegram's limits: the rate, the
    most in any 1 s window, and the seconds taken."""
    await _clear(url)
    limiters = [Limiter(Limits()) for _ in range(instances)]
    if shared:
        for limiter in limiters:
            limiter.shared = SharedBudget.for_database(url)
            await limiter.shared.reserve(None, UNLIMITED)  # open the connection before the clock starts
        await _clear(url)
    stamps: list[float] = []

    async def send(limiter: Limiter, chat_id: int) -> None:
        await limiter.acquire(chat_id)
        stamps.append(time.monotonic())

    started = time.monotonic()
    try:
        await asyncio.gather(*(send(limiters[i % instances], GROUP_BASE - i) for i in range(messages)))
    finally:
        for limiter in limiters:
            if limiter.shared is not None:
                assert not limiter.shared.degraded, "the database answered every reservation"
                await limiter.shared.close()
    took = max(stamps) - started
    stamps.sort()
    busiest, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return (messages - 1) / took if took else float("inf"), busiest, took


async def bench(url: str, reservations: int, messages: int) -> None:
    async with scratch_database(url) as scratch:
        print(f"1. One reservation ({reservations} each), milliseconds")
        print(f"   {'':<28}{'median':>8}{'p99':>8}")
        for instances, label in ((1, "one instance"), (2, "two instances at once")):
            timings = await reservation_cost(scratch, reservations, instances)
            median, p99 = statistics.median(timings), _percentile(timings, 0.99)
            print(f"   {label:<28}{median:>8.2f}{p99:>8.2f}")
        print()
        print(f"2. {messages} requests to {messages} groups, Telegram's limits (30/s overall)")
        print(f"   {'':<36}{'per second':>12}{'most in 1 s':>13}{'seconds':>9}")
        setups = (
            (1, False, "one instance alone"),
            (1, True, "one instance, shared budget"),
            (2, True, "two instances, shared budget"),
            (2, False, "two instances, each on its own"),
        )
        for instances, shared, label in setups:
            rate, busiest, took = await throughput(scratch, messages, instances, shared=shared)
            print(f"   {label:<36}{rate:>12.1f}{busiest:>13}{took:>9.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", required=True, help="a PostgreSQL server (postgresql+asyncpg://...)"
    )
    parser.add_argument("--reservations", type=int, default=1000, help="reservations per instance")
    parser.add_argument("--messages", type=int, default=150, help="requests in the throughput part")
    args = parser.parse_args(argv)
    asyncio.run(bench(args.database_url, args.reservations, args.messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
