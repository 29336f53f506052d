"""The composition root: ``build_application`` wires settings, database and every capability."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import errors
from bot.attendance import handlers as attendance_handlers
from bot.concurrency import PerUserUpdateProcessor
from bot.config import Settings
from bot.context import BotContext, BotData
from bot.db import create_engine, create_session_factory, upgrade_database
from bot.delivery import handlers as delivery_handlers
from bot.http import AiohttpRequest
from bot.jobs import handlers as jobs_handlers
from bot.knowledge import handlers as knowledge_handlers
from bot.menus import MenuRegistry, publish_default_menus, publish_person_menu
from bot.notices import handlers as notices_handlers
from bot.people import handlers as people_handlers
from bot.people.directory import PeopleDirectory
from bot.people.models import Role

log = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]


class MissingTokenError(RuntimeError):
    """Raised when the bot is started without ``BOT_TOKEN``."""


def build_application(settings: Settings | None = None) -> BotApplication:
    """Build the fully wired bot; nothing touches the network or the database until it starts."""
    settings = settings or Settings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise MissingTokenError("BOT_TOKEN is not set")
    application: BotApplication = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value().strip())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(delivery_handlers.rate_limiter())
        .concurrent_updates(PerUserUpdateProcessor())
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    engine = create_engine(settings.database_url)
    data = application.bot_data
    data.settings = settings
    data.engine = engine
    data.db = create_session_factory(engine)
    data.menus = MenuRegistry()
    data.people = PeopleDirectory(data.db, admin_ids=settings.admin_ids)

    # Handler order matters within a group: the first matching handler wins. Capabilities register
    # their commands, buttons and conversations here, in this order ...
    people_handlers.register(application)
    delivery_handlers.register(application)
    knowledge_handlers.register(application)
    attendance_handlers.register(application)
    notices_handlers.register(application)
    jobs_handlers.register(application)
    # ... and the catch-all "plain private text is a question" handler comes after all of them, so that a
    # conversation waiting for input (an application form, a notice draft) gets it first. Keep it last.
    knowledge_handlers.register_fallback(application)
    application.add_error_handler(errors.handle_error)
    return application


async def on_startup(application: BotApplication) -> None:
    """Bring the schema up to date and publish the command menus."""
    data = application.bot_data
    assert data.engine is not None and data.settings is not None and data.menus is not None
    await upgrade_database(data.engine)
    await knowledge_handlers.load_at_startup(application)
    if data.people is not None:
        await data.people.warm()
    try:
        await publish_default_menus(application.bot, data.menus)
        for admin_id in data.settings.admin_ids:
            await publish_person_menu(application.bot, data.menus, admin_id, Role.ADMIN)
    except TelegramError as exc:
        log.warning("could not publish the command menus: %s", exc)
    log.info("bot @%s ready", application.bot.username)


async def on_shutdown(application: BotApplication) -> None:
    """Write down what is held in memory, then release database connections."""
    if application.bot_data.people is not None:
        await application.bot_data.people.flush_seen()
    if application.bot_data.engine is not None:
        await application.bot_data.engine.dispose()
