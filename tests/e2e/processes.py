"""``python -m bot run`` as real processes against the fake Bot API and a test database: started with a
clean environment, watched through their log, killed with SIGKILL (no shutdown, no cleanup) or stopped.

    async with BotProcesses(api, database_url, tmp_path) as bots:
        first = await bots.start("a")
        await first.wait_ready()
        await first.kill()
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from bot.playground.botapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
ADMIN_ID = 900_001
READY = re.compile(r"bot @\S+ ready")
ELECTED = re.compile(r"elected leader after")
STANDBY = re.compile(r"standby: instance \S+ leads")
OWN_SETTINGS = (
    "BOT_",
    "DATABASE_",
    "ADMIN_",
    "WEBHOOK_",
    "WEBAPP_",
    "TIMEZONE",
    "INSTANCE_",
    "KNOWLEDGE_",
    "SAVED_NOTES_",
    "LOG_LEVEL",
)


def bot_environment(api: FakeBotAPI, database_url: str, scratch: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot process: this one's without the bot's settings, then the test's.
    ``settings`` are extra settings by name (``timezone="Asia/Shanghai"``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    env.update(
        BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=database_url,
        ADMIN_IDS=str(ADMIN_ID),
        KNOWLEDGE_DIR=str(ROOT / "knowledge"),
        SAVED_NOTES_DIR=str(scratch / "notes"),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="INFO",
    )
    env.update({name.upper(): value for name, value in settings.items()})
    return env


class BotProcess:
    """One ``python -m bot run``; its stdout and stderr go to ``log_path``."""

    def __init__(
        self, name: str, process: asyncio.subprocess.Process, log_path: Path, log: IO[bytes]
    ) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path
        self._log = log

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.returncode is None

    def output(self) -> str:
        """Everything the process wrote so far."""
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_for_output(
        self,
        pattern: str | re.Pattern[str],
        *,
        timeout: float = 30.0,  # noqa: ASYNC109 (a deadline over a polling loop)
        count: int = 1,
    ) -> float:
        """Wait until ``pattern`` occurs ``count`` times in the output; the ``time.monotonic()`` it was seen.
        Fails with the output when the process ends first or the time is up."""
        regex = re.compile(re.escape(pattern) if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            if len(regex.findall(self.output())) >= count:
                return time.monotonic()
            if not self.alive:
                raise AssertionError(
                    f"{self.name} exited ({self.process.returncode}) before {regex.pattern!r}:\n{self.output()}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: no {regex.pattern!r} within {timeout} s:\n{self.output()}"
                )
            await asyncio.sleep(0.05)

    async def wait_ready(self, timeout: float = 30.0) -> float:  # noqa: ASYNC109
        """Wait for the bot's "ready" line (the startup hook has run: catch-up jobs are scheduled)."""
        return await self.wait_for_output(READY, timeout=timeout)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, requests in flight cut."""
        if self.alive:
            self.process.kill()
        await self.process.wait()

    async def stop(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        """SIGTERM, then SIGKILL if it has not ended within ``timeout``; the exit status."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
        return await self.process.wait()

    async def exit_code(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Wait for the process to end by itself; its exit status."""
        return await asyncio.wait_for(self.process.wait(), timeout)


class BotProcesses:
    """Starts bot processes on one database and fake server; every one still running is killed on exit."""

    def __init__(self, api: FakeBotAPI, database_url: str, scratch: Path, **settings: str) -> None:
        self.api = api
        self.database_url = database_url
        self.scratch = scratch
        self.settings = settings
        self.started: list[BotProcess] = []

    async def start(self, name: str = "bot", **settings: str) -> BotProcess:
        """Start ``python -m bot run`` as instance ``name`` (its log: ``<scratch>/<name>-<n>.log``)."""
        log_path = self.scratch / f"{name}-{len(self.started)}.log"
        log = log_path.open("wb")
        env = bot_environment(
            self.api, self.database_url, self.scratch, instance_name=name, **{**self.settings, **settings}
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdout=log, stderr=log
        )
        bot = BotProcess(name, process, log_path, log)
        self.started.append(bot)
        return bot

    async def __aenter__(self) -> BotProcesses:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for bot in self.started:
            await bot.kill()
            with contextlib.suppress(OSError):
                bot._log.close()
