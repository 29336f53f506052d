"""The bot's own HTTP server, on the bot's event loop: Telegram's webhook when ``WEBHOOK_URL`` is set.

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

from aiohttp import web
from telegram import Update

from bot.config import Settings
from bot.context import BotApplication
from bot.inbound import parse_clean_json

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def web_application(application: BotApplication, *, webhook_secret: str) -> web.Application:
    """The aiohttp application: ``POST /telegram`` takes Telegram's updates."""
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

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_post(WEBHOOK_PATH, receive)
    return app


async def serve_webhook(application: BotApplication, settings: Settings, webhook_secret: str) -> None:
    """Run the initialized application behind the webhook until SIGINT or SIGTERM."""
    assert settings.webhook_url, "WEBHOOK_URL is set in webhook mode"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(web_application(application, webhook_secret=webhook_secret), access_log=None)
    await runner.setup()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=webhook_secret, allowed_updates=Update.ALL_TYPES
        )
        log.info("webhook listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
    finally:
        await runner.cleanup()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
