"""Takeover time of a standby: two ``python -m bot run`` on one PostgreSQL database, the leader killed ten times.

    .venv/bin/python bench/failover.py --database-url postgresql+asyncpg://postgres@127.0.0.1/xz_bench
    TEST_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python bench/failover.py --kills 3 --skip-delivery

The bots talk to the fake Bot API (in this process). Each round kills the leader with SIGKILL and measures the
time until the standby is elected and ready (its start-up hook has run: polling and scheduled work begin), then
starts the killed instance again, as the restart policy would, and waits until it stands by. Printed: the takeover
time per kill, the median and the maximum (target: max ≤ 10 s).

Then the delivery ratio of ``bench/delivery_bench.py`` with two instances against one, in the same run: two
senders draining one outbox at once (``bench_outbox(..., instances=2)``) — more than a standby ever does, since
only the leader sends — must not slow it down, lose or double a message. That part resets the database's
schema, as ``delivery_bench.py`` does; ``--skip-delivery`` leaves it out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0


async def measure_takeovers(database_url: str, kills: int) -> list[float]:
    """Kill the leader ``kills`` times; the seconds each takeover took (kill → the standby ready)."""
    from bot.playground.botapi import FakeBotAPI
    from tests.e2e.processes import ELECTED, READY, STANDBY, BotProcesses

    takeovers: list[float] = []
    with tempfile.TemporaryDirectory(prefix="xingzhan-failover-") as folder:
        async with FakeBotAPI() as api, BotProcesses(api, database_url, Path(folder)) as bots:
            leader = await bots.start("a")
            await leader.wait_for_output(ELECTED, timeout=60)
            await leader.wait_for_output(READY, timeout=60)
            standby = await bots.start("b")
            await standby.wait_for_output(STANDBY, timeout=60)
            for kill in range(1, kills + 1):
                await leader.kill()
                killed = time.monotonic()
                elected = await standby.wait_for_output(ELECTED, timeout=60)
                ready = await standby.wait_for_output(READY, timeout=60)
                takeovers.append(ready - killed)
                print(
                    f"  kill {kill:2d}: {leader.name} killed; {standby.name} elected after {elected - killed:5.2f} s, "
                    f"ready after {ready - killed:5.2f} s"
                )
                restarted = await bots.start(leader.name)  # what the restart policy does
                await restarted.wait_for_output(STANDBY, timeout=60)
                leader, standby = standby, restarted
    return takeovers


async def delivery_ratio(database_url: str) -> dict[str, Any]:
    """The outbox benchmark with one and with two instances."""
    import delivery_bench  # type: ignore[import-not-found]  # bench/ beside this file

    one = await delivery_bench.bench_outbox(100, 300, database_url, instances=1)
    two = await delivery_bench.bench_outbox(100, 300, database_url, instances=2)
    return {"one": one, "two": two}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--skip-delivery", action="store_true", help="only the takeover times")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        print("error: give a PostgreSQL database: --database-url or TEST_DATABASE_URL", file=sys.stderr)
        return 2

    print(f"Failover: two instances on PostgreSQL, the leader killed (SIGKILL) {args.kills} times")
    takeovers = asyncio.run(measure_takeovers(args.database_url, args.kills))
    median, longest = statistics.median(takeovers), max(takeovers)
    print(f"  takeover median / max (target max ≤ {TARGET_SECONDS:.0f} s)   {median:6.2f} / {longest:.2f} s")
    ok = longest <= TARGET_SECONDS

    if not args.skip_delivery:
        sys.path.insert(0, str(ROOT / "bench"))
        ratio = asyncio.run(delivery_ratio(args.database_url))
        one, two = ratio["one"]["ratio"], ratio["two"]["ratio"]
        print("Delivery (bench/delivery_bench.py, 100 groups + 300 private chats): limits-ratio")
        print(f"  one instance / two instances                      {one:6.3f} / {two:.3f}")
        lost = ratio["two"]["lost"] + ratio["two"]["duplicates"]
        print(f"  two instances: lost + duplicates (target 0)        {lost:6d}")
        ok = ok and two >= 0.9 * one and not lost
    print(f"  {'all targets met' if ok else 'TARGETS MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
