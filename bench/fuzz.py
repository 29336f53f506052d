"""Thousands of generated updates against the real bot (the same player as tests/e2e/test_fuzz.py).

    .venv/bin/python bench/fuzz.py                         # 3,000 updates on a fresh SQLite database
    .venv/bin/python bench/fuzz.py --updates 500 --seed 7
    .venv/bin/python bench/fuzz.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/xz_fuzz

Printed: updates sent, exceptions that reached the error handler, private messages (and button presses) left
without an answer, whether an ordinary question is still answered afterwards, and the time taken. The database
must be empty or migrated by this project; it is migrated first. Exit status 1 if anything went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bot.db import create_engine, upgrade_database  # noqa: E402
from tests.e2e.fuzzing import Action, BotHarness, actions  # noqa: E402


async def _migrate(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        await upgrade_database(engine)
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'fuzz.db'}"
        asyncio.run(_migrate(url))
        started = time.perf_counter()
        with BotHarness(url) as harness:

            @seed(args.seed)
            @settings(
                max_examples=args.updates,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(actions())
            def play(action: Action) -> None:
                harness.call(harness.play(action))

            play()
            still_answers = harness.call(harness.normal_question_is_answered())
        elapsed = time.perf_counter() - started

    findings = harness.findings
    backend = url.split(":", 1)[0]
    print(f"backend                        {backend}")
    print(f"updates sent                   {findings.updates}")
    print(f"private messages (need answer) {findings.private_messages}")
    print(f"exceptions in handlers         {len(findings.errors)}")
    print(f"left without an answer         {len(findings.unanswered)}")
    print(f"ordinary question answered     {'yes' if still_answers else 'NO'}")
    print(f"time                           {elapsed:.1f} s ({findings.updates / elapsed:.1f} updates/s)")
    for line in [*findings.errors[:10], *findings.unanswered[:10]]:
        print("  ", line[:300])
    return 0 if not findings.errors and not findings.unanswered and still_answers else 1


if __name__ == "__main__":
    sys.exit(main())
