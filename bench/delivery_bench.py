"""Send one campaign to 1,000 groups and 500 private chats through the fake Bot API with Telegram's limits.

    .venv/bin/python bench/delivery_bench.py                    # the outbox, then PTB's AIORateLimiter
    .venv/bin/python bench/delivery_bench.py --groups 100 --private 50 --skip-ptb   # a quick run
    .venv/bin/python bench/delivery_bench.py --database-url postgresql+asyncpg://root@127.0.0.1/test
    .venv/bin/python bench/delivery_bench.py --database-url postgresql+asyncpg://... --instances 2 --skip-ptb

The fake server runs in its own process (as Telegram would), with flood limits on: 30 messages a second
overall, 20 a minute per group, 1 a second per private chat (sliding windows; excess requests get 429).
Printed: wall time from the first request to the last accepted message, the minimum time the limits
allow, their ratio, 429 answers, and lost and duplicate messages. Targets: ratio ≥ 0.9, nothing lost or
duplicated, 429 answers under 1 % of requests.

With ``--instances 2`` (PostgreSQL only) the campaign is sent twice in one run: by one sender, then by two
senders on the same database, each with its own connection to the Bot API, sharing one limiter (the
instances together must stay under Telegram's limits, as they do when only the leader sends). It prints both
figures, their ratio (target ≥ 0.9: claiming under leases with ``SKIP LOCKED`` costs no speed), how the
rows were split between the instances, and the rows flagged ``maybe_duplicate`` (target 0).

The second part measures PTB's ``AIORateLimiter`` (and this project's limiter for comparison) on a burst
of messages to distinct private chats: how many requests reach the server in the first second, and how many
of them are refused with 429.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from telegram.error import RetryAfter  # noqa: E402
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.delivery.limiter import most_in_window  # noqa: E402

OVERALL, GROUP_PER_MINUTE, PRIVATE = 30, 20, 1
GROUP_BASE, PRIVATE_BASE = -1_000_000, 5_000_000


# --- the fake server, in its own process -----------------------------------------------------------


async def serve(groups: int, private: int) -> None:
    """Run the fake Bot API with the bench's chats until stdin closes; print its port first."""
    from bot.playground.botapi import FakeBotAPI

    async with FakeBotAPI() as fake:
        for i in range(groups):
            fake.group(GROUP_BASE - i, f"村群{i}")
        for i in range(private):
            fake.user(PRIVATE_BASE + i, f"员工{i}")
        fake.enforce_limits(OVERALL, GROUP_PER_MINUTE, PRIVATE)

        def stats(_params: dict[str, Any], _files: Any) -> dict[str, Any]:
            sends = [c for c in fake.calls if c.method == "sendMessage"]
            accepted = sorted(c.time for c in sends if c.ok)
            arrived = sorted(c.time for c in sends)
            return {
                "accepted": {str(k): v for k, v in fake.accepted_sends.items()},
                "requests": len(sends),
                "rejected_429": sum(1 for c in sends if c.status == 429),
                "first": arrived[0] if arrived else None,
                "last_accepted": accepted[-1] if accepted else None,
                "first_second": sum(1 for t in arrived if arrived and t - arrived[0] < 1.0),
                "max_per_second": most_in_window(accepted, 1.0),
            }

        fake.set_handler("benchStats", stats)
        print(f"PORT {fake.port}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


@contextlib.asynccontextmanager
async def fake_server(groups: int, private: int) -> AsyncIterator[str]:
    """Start the fake in a child process; yields its base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve",
        "--groups",
        str(groups),
        "--private",
        str(private),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the fake server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.send_signal(signal.SIGKILL)
                await process.wait()


async def server_stats(base_url: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{base_url}/bot{token}/benchStats")
        return dict(response.json()["result"])


def _bot(base_url: str, token: str, limiter: BaseRateLimiter[Any]) -> ExtBot[Any]:
    """A bot like ``ApplicationBuilder`` makes one: a pool of 256 connections."""
    return ExtBot(
        token,
        base_url=f"{base_url}/bot",
        base_file_url=f"{base_url}/file/bot",
        rate_limiter=limiter,
        request=HTTPXRequest(connection_pool_size=256),
    )


# --- the outbox --------------------------------------------------------------------------------------


async def bench_outbox(
    groups: int, private: int, database_url: str | None, instances: int = 1
) -> dict[str, Any]:
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine, create_session_factory, upgrade_database
    from bot.delivery import service
    from bot.delivery.limiter import Limiter
    from bot.delivery.models import Campaign
    from bot.delivery.payload import Payload
    from bot.delivery.sender import Sender, TelegramRateLimiter
    from bot.playground.botapi import DEFAULT_TOKEN

    class TallySender(Sender):
        """A sender that counts the messages it sent."""

        sent = 0

        async def _send(self, item: service.Work) -> None:
            await super()._send(item)
            self.sent += 1

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        if database_url and database_url.startswith("postgresql"):
            await _reset_postgres(database_url)
        engine = create_engine(url, **({"poolclass": NullPool} if url.startswith("postgresql") else {}))
        await upgrade_database(engine)
        sessions = create_session_factory(engine)
        targets = [service.Target(GROUP_BASE - i, f"村群{i}") for i in range(groups)]
        targets += [service.Target(PRIVATE_BASE + i, f"员工{i}") for i in range(private)]
        async with sessions() as session:
            campaign = await service.create_campaign(
                session, "bench", Payload(text="明天上午10点全员培训，请准时到"), targets
            )
            campaign_id = campaign.id

        async with fake_server(groups, private) as base_url, contextlib.AsyncExitStack() as stack:
            limiter = Limiter()
            senders = []
            for number in range(instances):
                bot = await stack.enter_async_context(
                    _bot(base_url, DEFAULT_TOKEN, TelegramRateLimiter(limiter))
                )
                senders.append(TallySender(bot, sessions, instance=f"bench-{number + 1}:{os.getpid()}:0"))
            started = time.monotonic()
            tasks = [sender.start() for sender in senders]
            while True:
                await asyncio.sleep(0.25)
                async with sessions() as session:
                    stored = await session.get(Campaign, campaign_id, populate_existing=True)
                    if stored is not None and stored.finished_at is not None:
                        break
                for task in tasks:
                    if task.done():
                        task.result()
            total = time.monotonic() - started
            await asyncio.gather(*(sender.stop() for sender in senders))
            stats = await server_stats(base_url, DEFAULT_TOKEN)
        async with sessions() as session:
            counts = await service.campaign_counts(session, campaign_id or 0)
        await engine.dispose()

    chats = [str(t.chat_id) for t in targets]
    accepted = stats["accepted"]
    n = len(targets)
    minimum = (n - 1) // OVERALL  # the first 30 may go at once, then 30 more every second
    wall = stats["last_accepted"] - stats["first"]
    return {
        "messages": n,
        "instances": instances,
        "wall": wall,
        "total": total,
        "minimum": float(minimum),
        "ratio": minimum / wall if wall else 0.0,
        "requests": stats["requests"],
        "rejected_429": stats["rejected_429"],
        "lost": sum(1 for c in chats if accepted.get(c, 0) == 0),
        "duplicates": sum(max(0, accepted.get(c, 0) - 1) for c in chats),
        "max_per_second": stats["max_per_second"],
        "db_sent": counts.sent,
        "db_failed": counts.failed + counts.blocked,
        "maybe_duplicate": counts.maybe_duplicate,
        "per_instance": [sender.sent for sender in senders],
        "limiter_waited": limiter.stats.waited,
    }


async def _reset_postgres(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine

    engine = create_engine(url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


# --- a burst through a rate limiter ------------------------------------------------------------------


async def bench_burst(kind: str, count: int) -> dict[str, Any]:
    """``count`` messages to distinct private chats, all at once, through one limiter."""
    from bot.delivery.sender import TelegramRateLimiter
    from bot.playground.botapi import DEFAULT_TOKEN

    limiter: BaseRateLimiter[Any] = AIORateLimiter() if kind == "ptb" else TelegramRateLimiter(max_retries=0)
    async with fake_server(0, count) as base_url:
        async with _bot(base_url, DEFAULT_TOKEN, limiter) as bot:
            started = time.monotonic()

            async def send(i: int) -> bool:
                try:
                    await bot.send_message(PRIVATE_BASE + i, "突发测试")
                except RetryAfter:
                    return False
                return True

            results = await asyncio.gather(*(send(i) for i in range(count)))
            elapsed = time.monotonic() - started
        stats = await server_stats(base_url, DEFAULT_TOKEN)
    return {
        "count": count,
        "elapsed": elapsed,
        "first_second": stats["first_second"],
        "rejected_429": stats["rejected_429"],
        "failed": results.count(False),
        "max_per_second": stats["max_per_second"],
    }


# --- main ----------------------------------------------------------------------------------------------


def _report(outbox: dict[str, Any], label: str) -> bool:
    """Print one run's figures; True if its targets are met."""
    print(f" {label}:")
    print(f"  wall time (first request → last message accepted)  {outbox['wall']:8.2f} s")
    print(f"  minimum time the limits allow                       {outbox['minimum']:8.2f} s")
    print(f"  ratio (target ≥ 0.9)                                {outbox['ratio']:8.3f}")
    share = 100 * outbox["rejected_429"] / max(1, outbox["requests"])
    print(f"  requests / 429 answers (target < 1 %)               {outbox['requests']:8d} / {outbox['rejected_429']} "
          f"({share:.2f} %)")  # fmt: skip
    print(
        f"  lost / duplicates (target 0 / 0)                    {outbox['lost']:8d} / {outbox['duplicates']}"
    )
    print(f"  most messages accepted in any 1 s                   {outbox['max_per_second']:8d}")
    print(
        f"  rows marked sent / failed                           {outbox['db_sent']:8d} / {outbox['db_failed']}"
    )
    ok = outbox["ratio"] >= 0.9 and not outbox["lost"] and not outbox["duplicates"] and share < 1
    print(f"  {'all targets met' if ok else 'TARGETS MISSED'}")
    return bool(ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--private", type=int, default=500)
    parser.add_argument("--burst", type=int, default=300, help="messages in the rate limiter burst test")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--skip-ptb", action="store_true", help="only the outbox")
    parser.add_argument(
        "--instances", type=int, default=1, choices=(1, 2), help="also send with two senders (PostgreSQL)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.groups, args.private))
        return 0

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    database = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    if args.instances > 1 and database != "PostgreSQL":
        parser.error(
            "--instances 2 needs --database-url postgresql+asyncpg://... (one instance runs on SQLite)"
        )
    figures: dict[str, Any] = {}
    outbox = asyncio.run(bench_outbox(args.groups, args.private, args.database_url))
    figures["outbox"] = outbox
    print(
        f"Outbox: one campaign to {args.groups} groups + {args.private} private chats ({database}), limits "
        f"{OVERALL}/s overall, {GROUP_PER_MINUTE}/min per group, {PRIVATE}/s per private chat"
    )
    ok = _report(outbox, "one instance")
    if args.instances > 1:
        several = asyncio.run(bench_outbox(args.groups, args.private, args.database_url, args.instances))
        figures["instances"] = several
        ok = _report(several, f"{args.instances} instances on one database, one shared limit") and ok
        split = " + ".join(str(n) for n in several["per_instance"])
        print(f"  messages sent by each instance                      {split}")
        print(f"  rows flagged maybe_duplicate (target 0)             {several['maybe_duplicate']:8d}")
        speed = several["ratio"] / outbox["ratio"] if outbox["ratio"] else 0.0
        figures["instances_vs_one"] = speed
        print(f"{args.instances} instances against one (ratio of ratios, target ≥ 0.9)   {speed:8.3f}")
        ok = ok and speed >= 0.9 and not several["maybe_duplicate"] and all(several["per_instance"])

    if not args.skip_ptb:
        for kind, name in (("ptb", "PTB AIORateLimiter()"), ("own", "this project's Limiter")):
            burst = asyncio.run(bench_burst(kind, args.burst))
            figures[kind] = burst
            print(f"{name}: {burst['count']} messages at once to distinct private chats")
            print(
                f"  requests reaching the server in its first second    {burst['first_second']:8d}  (limit {OVERALL})"
            )
            print(f"  most messages accepted in any 1 s                   {burst['max_per_second']:8d}")
            print(f"  429 answers                                         {burst['rejected_429']:8d}")
            print(f"  time for all                                        {burst['elapsed']:8.2f} s")
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
