"""The bot's own HTTP server, on the bot's event loop: Telegram's webhook when ``WEBHOOK_URL`` is set, and
the dashboard (``bot.dashboard``, a Mini App) when ``WEBAPP_URL`` is set.

One server serves both: with a webhook it listens on ``WEBHOOK_LISTEN:WEBHOOK_PORT`` (the dashboard's page and
API beside ``/telegram``); in polling mode the dashboard alone listens on ``WEBAPP_LISTEN:WEBAPP_PORT``, started
after the bot's startup hook and stopped before its shutdown hook (:func:`serve_with_polling`). A dashboard
that cannot bind its port is one log line: the bot keeps running.

Following python-telegram-bot's custom-webhook pattern, the application is built without an updater
(``ApplicationBuilder().updater(None)``) and every accepted post becomes an update on
``application.update_queue``. A post is accepted only with the secret Telegram was given in ``setWebhook``
(header ``X-Telegram-Bot-Api-Secret-Token``, compared in constant time): anyone on the internet can reach this
address, and an update names its sender, so without the secret a post could speak as an admin.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Update

from bot.config import Settings
from bot.context import BotApplication
from bot.failover.leader import LeaderElection
from bot.failover.process import lead_when_elected, start_scheduler_paused
from bot.inbound import parse_clean_json

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def web_application(
    application: BotApplication, *, webhook_secret: str | None = None, dashboard: bool = False
) -> web.Application:
    """The aiohttp application: ``POST /telegram`` takes Telegram's updates (with ``webhook_secret``), and
    the dashboard is served beside it (with ``dashboard``)."""
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    if webhook_secret is not None:
        app.router.add_post(WEBHOOK_PATH, _receiver(application, webhook_secret))
    if dashboard:
        from bot.dashboard import routes

        routes.add_routes(app, application)
    return app


def _receiver(
    application: BotApplication, webhook_secret: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    if not webhook_secret:
        raise ValueError("a webhook needs a secret token")
    expected = webhook_secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("refused a webhook post without the right secret from %s", request.remote)
            return web.Response(status=403, text="wrong or missing secret token")
        try:
            data = parse_clean_json(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("refused a webhook post that is not an update: %s", exc)
            return web.Response(status=400, text="not an update")
        if update is None:
            return web.Response(status=400, text="not an update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    return receive


async def start_dashboard(application: BotApplication, host: str, port: int) -> web.AppRunner | None:
    """Serve the dashboard alone on ``host:port``; None (and one log line) when the port cannot be bound."""
    runner = web.AppRunner(web_application(application, dashboard=True), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        log.error("the dashboard cannot listen on %s:%s (%s); the bot runs without it", host, port, exc)
        await runner.cleanup()
        return None
    log.info("dashboard listening on %s:%s", host, port)
    return runner


def serve_with_polling(application: BotApplication, settings: Settings) -> None:
    """In polling mode, run the dashboard on the bot's loop: after the startup hook, until before the
    shutdown hook (``run_polling`` calls both)."""
    started, stopped = application.post_init, application.post_shutdown
    runners: list[web.AppRunner] = []

    async def post_init(app: BotApplication) -> None:
        if started is not None:
            await started(app)
        runner = await start_dashboard(application, settings.webapp_listen, settings.webapp_port)
        if runner is not None:
            runners.append(runner)

    async def post_shutdown(app: BotApplication) -> None:
        while runners:
            await runners.pop().cleanup()
        if stopped is not None:
            await stopped(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown


async def serve_webhook(
    application: BotApplication,
    settings: Settings,
    webhook_secret: str,
    *,
    election: LeaderElection | None = None,
) -> None:
    """Run the initialized application behind the webhook until SIGINT or SIGTERM.

    With an ``election`` (PostgreSQL) updates are served at once, while scheduled work — and with it the
    outbox's sender — waits, paused, until this instance is elected leader.
    """
    assert settings.webhook_url, "WEBHOOK_URL is set in webhook mode"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    app = web_application(application, webhook_secret=webhook_secret, dashboard=bool(settings.webapp_url))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    leading: asyncio.Task[None] | None = None
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if election is not None:
            start_scheduler_paused(application)
        await application.start()
        if election is not None:
            leading = asyncio.create_task(lead_when_elected(application, election), name="leader election")
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=webhook_secret, allowed_updates=Update.ALL_TYPES
        )
        log.info("webhook listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
    finally:
        if leading is not None:
            leading.cancel()
            await asyncio.gather(leading, return_exceptions=True)
        await runner.cleanup()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
