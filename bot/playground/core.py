"""The playground in one process and one event loop: the local Bot API server, the real bot against it (its
own SQLite database under the data folder, never the real one), and the page's web server.

    async with Playground(data_dir=path, port=0) as playground:
        print(playground.url)
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import shutil
from pathlib import Path
from typing import Self

from aiohttp import web

from bot import clock
from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.delivery import service as delivery
from bot.playground import cast
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.playground.events import ChatWatcher
from bot.startup import prepare_database

log = logging.getLogger(__name__)

DATABASE_NAME = "playground.db"
NOTES_FOLDER = "playground-notes"
BOT_USERNAME = "xingzhan_playground_bot"
BOT_NAME = "星站"
POLL_TIMEOUT = dt.timedelta(seconds=10)
SETTLE_TIMEOUT = 15.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class CannotListen(RuntimeError):
    """The page's address is taken (or not this computer's)."""


class Playground:
    """The local Bot API server, the bot and the page, started and stopped together."""

    def __init__(
        self,
        data_dir: Path | str = "data",
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        knowledge_dir: Path | str | None = None,
        env_file: str | None = ".env",
    ) -> None:
        """``knowledge_dir`` defaults to the configured ``KNOWLEDGE_DIR``; ``env_file`` is read for it and the
        other settings the playground does not fix (time zone, language, thresholds); None reads no file."""
        self.data_dir = Path(data_dir).resolve()
        self.host = host
        self.port = port
        self.knowledge_dir = Path(knowledge_dir) if knowledge_dir is not None else None
        self.env_file = env_file
        self.api: FakeBotAPI | None = None
        self.application: BotApplication | None = None
        self.users: dict[int, FakeUser] = {}
        self.settings: Settings | None = None
        self.lock = asyncio.Lock()
        """Held by whatever changes the whole playground (a reset, the tour, a clock move)."""
        self.watcher = ChatWatcher(lambda: self.api, [*cast.BY_ID, *cast.GROUP_BY_ID])
        self._runner: web.AppRunner | None = None

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_NAME

    @property
    def url(self) -> str:
        """The page's address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def tz(self) -> dt.tzinfo:
        assert self.settings is not None, "the playground is running"
        return self.settings.tz

    # --- lifecycle --------------------------------------------------------------------------------------

    async def start(self) -> Self:
        """Start the server, the bot and the page (the bot added to the groups); a non-loopback host warns."""
        from bot.playground.server import web_application

        if self.host not in LOOPBACK:
            log.warning(
                "the playground listens on %s: anyone who can reach it can act as the admin; "
                "it is for trying and training, not for production",
                self.host,
            )
        self._runner = web.AppRunner(web_application(self), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc})") from exc
        self.port = int(self._runner.addresses[0][1])
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self._start_bot()
        self.watcher.start()
        return self

    async def stop(self) -> None:
        """Stop the page, the bot and the server; the clock goes back to real time."""
        await self.watcher.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._stop_bot()
        clock.reset()

    async def __aenter__(self) -> Self:
        try:
            return await self.start()
        except BaseException:
            await self.stop()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def reset(self) -> None:
        """An empty playground again: the bot stopped, its database and notes deleted, the clock back to real
        time, everything started again."""
        await self._stop_bot()
        await asyncio.to_thread(self._delete_data)
        clock.reset()
        await self._start_bot()
        self.watcher.check()

    def _delete_data(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.database_path}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / NOTES_FOLDER, ignore_errors=True)

    # --- the bot ----------------------------------------------------------------------------------------

    def _settings(self, api: FakeBotAPI) -> Settings:
        values: dict[str, object] = {
            "bot_token": api.token,
            "telegram_api_url": api.base_url,
            "database_url": f"sqlite+aiosqlite:///{self.database_path}",
            "admin_ids": frozenset({cast.ADMIN.id}),
            "saved_notes_dir": self.data_dir / NOTES_FOLDER,
            "webhook_url": None,
            "webapp_url": None,
        }
        if self.knowledge_dir is not None:
            values["knowledge_dir"] = self.knowledge_dir
        return Settings(_env_file=self.env_file, **values)  # type: ignore[call-arg]

    async def _start_bot(self) -> None:
        api = FakeBotAPI(bot_username=BOT_USERNAME, bot_first_name=BOT_NAME)
        await api.start()
        self.api = api
        self.users = cast.register(api)
        self.settings = self._settings(api)
        application = build_application(self.settings)
        self.application = application
        await prepare_database(application)  # as ``python -m bot run``: the schema before anything reads it
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT)
        await cast.add_bot_to_groups(api, self.users, self.settle)

    async def _stop_bot(self) -> None:
        application, api = self.application, self.api
        self.application, self.api = None, None
        if application is not None:
            with contextlib.suppress(Exception):
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
            await application.shutdown()
        if api is not None:
            await api.stop()

    async def settle(self, quiet: float = 0.2) -> None:
        """Wait until the bot has handled every update and the outbox has nothing due now (each person's
        messages are sent, not still queued); at most :data:`SETTLE_TIMEOUT` seconds."""
        api, application = self.api, self.application
        if api is None or application is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while (remaining := deadline - loop.time()) > 0:
            try:
                await api.wait_idle(quiet=quiet, timeout=remaining)
            except AssertionError:
                log.warning("the bot is still busy after %.0f s", SETTLE_TIMEOUT)
                return
            async with application.bot_data.db() as session:
                if not await delivery.due_work(session, limit=1):
                    return
            await api.wait_for_change(quiet)

    def require_running(self) -> tuple[FakeBotAPI, BotApplication]:
        """The server and the bot (an error while a reset is under way)."""
        if self.api is None or self.application is None:
            raise RuntimeError("the playground is restarting")
        return self.api, self.application
