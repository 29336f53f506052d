"""Wiring of the outbox into the running bot: one sender task for the life of the application."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.delivery.sender import Sender, SenderConfig, TelegramRateLimiter

log = logging.getLogger(__name__)

SERVICE_KEY = "delivery"


def rate_limiter() -> TelegramRateLimiter:
    """The limiter every request of the bot goes through (``ApplicationBuilder().rate_limiter(...)``)."""
    return TelegramRateLimiter()


def alert_lock(bot_data: Any, series: str) -> asyncio.Lock:
    """One lock per running bot for a series of coalesced alerts (new applications, open questions): held
    while one is queued, so that two people at the same moment do not each start a digest of their own."""
    locks: dict[str, asyncio.Lock] = bot_data.services.setdefault("alert_locks", {})
    return locks.setdefault(series, asyncio.Lock())


def get_sender(bot_data: Any) -> Sender:
    """The outbox sender of a running bot (``context.bot_data`` or ``application.bot_data``)."""
    sender = bot_data.services.get(SERVICE_KEY)
    assert isinstance(sender, Sender), "delivery.handlers.register() sets up the sender"
    return sender


async def _start_sender(context: CallbackContext[Any, Any, Any, Any]) -> None:
    application = context.application
    sender = get_sender(application.bot_data)
    if sender.running:
        return
    application.create_task(sender.run(keep_running=lambda: application.running), name="delivery-sender")
    log.info("delivery sender started")


def register(app: Application[Any, Any, Any, Any, Any, Any], config: SenderConfig | None = None) -> None:
    """Create the sender; it starts with the application (and resumes the outbox) and stops with it."""
    assert app.bot_data.db is not None, "build_application() sets the session factory first"
    sender = Sender(app.bot, app.bot_data.db, config=config)
    app.bot_data.services[SERVICE_KEY] = sender
    if app.job_queue is None:
        log.warning("no job queue: the delivery sender will not start")
        return
    # Scheduled now, run when the application starts (however late: no misfire grace limit).
    app.job_queue.run_once(
        _start_sender, when=0, name="delivery-sender", job_kwargs={"misfire_grace_time": None}
    )
