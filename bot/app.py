"""The composition root: ``build_application`` wires settings, database and every capability.

Every capability's Telegram side is a ``handlers`` package exporting:

- ``handlers()`` — its handlers for group 0, in its own order (conversations first);
- ``add_commands(menus)`` — its entries in the command menus;
- ``setup(application)`` — anything else it needs from the running bot (scheduled work, listeners).

The order *between* capabilities is spelled out here, and only here.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, BaseHandler, CallbackQueryHandler, ContextTypes, Defaults

from bot import errors, unhandled
from bot.attendance import handlers as attendance
from bot.attendance.checkins import CheckInQueue
from bot.concurrency import PerUserUpdateProcessor
from bot.config import Settings
from bot.context import BotApplication, BotContext, BotData
from bot.dashboard import handlers as dashboard
from bot.db import create_engine, create_session_factory, upgrade_database
from bot.delivery import scheduled as delivery_scheduled
from bot.delivery.sender import Sender, TelegramRateLimiter
from bot.delivery.shared_budget import SharedBudget
from bot.failover import is_postgresql
from bot.http import AiohttpRequest
from bot.inbound import CleanUpdatesRequest
from bot.jobs import handlers as jobs
from bot.knowledge import handlers as knowledge
from bot.knowledge.search import load_semantic
from bot.knowledge.search.semantic import SemanticChannel
from bot.knowledge.service import KnowledgeBase
from bot.menus import MenuRegistry, publish_default_menus, publish_person_menu
from bot.notices import handlers as notices
from bot.notices.audiences import default_registry
from bot.people import handlers as people
from bot.people.directory import PeopleDirectory
from bot.people.models import Role
from bot.persistence import handlers as forms
from bot.persistence.ptb import DatabasePersistence
from bot.replies import stale_button
from bot.training import handlers as training

__all__ = ["BotApplication", "MissingTokenError", "build_application"]

log = logging.getLogger(__name__)

CAPABILITIES: tuple[ModuleType, ...] = (people, knowledge, attendance, notices, jobs, dashboard, training)


class MissingTokenError(RuntimeError):
    """Raised when the bot is started without ``BOT_TOKEN``."""


def build_application(settings: Settings | None = None) -> BotApplication:
    """Build the fully wired bot; nothing touches the network or the database until it starts."""
    settings = settings or Settings()
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise MissingTokenError("BOT_TOKEN is not set")
    persistence = DatabasePersistence()  # every form's step and answers so far, in the database
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value().strip())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .request(AiohttpRequest())
        .get_updates_request(CleanUpdatesRequest(connection_pool_size=1))
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(Defaults(tzinfo=settings.tz))
        .rate_limiter(_rate_limiter(settings))
        .concurrent_updates(PerUserUpdateProcessor())
        .persistence(persistence)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if settings.webhook_url:
        builder = builder.updater(None)  # updates arrive through bot.web's webhook, not long polling
    application: BotApplication = builder.build()
    _fill_bot_data(application, settings)
    persistence.attach(application)
    _add_handlers(application)
    delivery_scheduled.schedule(application)
    for capability in CAPABILITIES:
        capability.setup(application)
    application.add_error_handler(errors.handle_error)
    return application


def _rate_limiter(settings: Settings) -> TelegramRateLimiter:
    """The limiter every request goes through; with a webhook on PostgreSQL several instances answer at
    once, so they keep Telegram's overall and group limits together, in the database."""
    rate_limiter = TelegramRateLimiter()
    if settings.webhook_url and is_postgresql(settings.database_url):
        rate_limiter.limiter.shared = SharedBudget.for_database(settings.database_url)
    return rate_limiter


def _fill_bot_data(application: BotApplication, settings: Settings) -> None:
    data = application.bot_data
    data.settings = settings
    data.engine = create_engine(settings.database_url)
    data.db = create_session_factory(data.engine)
    data.menus = MenuRegistry()
    data.people = PeopleDirectory(data.db, admin_ids=settings.admin_ids)
    data.sender = Sender(application.bot, data.db)
    data.knowledge = KnowledgeBase(
        settings.knowledge_dir,
        settings.kb_answer_threshold,
        settings.kb_suggest_threshold,
        saved_folder=settings.saved_notes_dir,
        semantic_channel=_semantic_channel(settings),
    )
    data.checkins = CheckInQueue(data.db, settings.tz)
    data.notice_audiences = default_registry()  # capabilities add their own kinds in setup()
    data.error_throttle = errors.AdminReportThrottle(interval=settings.error_report_interval_seconds)


def _semantic_channel(settings: Settings) -> SemanticChannel | None:
    """The knowledge search's semantic channel where ``KB_SEMANTIC`` asks for it and the extra is installed."""
    if not settings.kb_semantic:
        return None
    channel = load_semantic(settings.kb_embeddings_dir)
    if channel is None:
        log.warning(
            "KB_SEMANTIC is set but the semantic extra is not installed (pip install -e '.[semantic]'): "
            "the knowledge search stays lexical"
        )
    return channel


def _add_handlers(application: BotApplication) -> None:
    """Every handler of the bot, in the order that decides which one gets an update."""
    # Edits and channel posts are dropped at the door, before anyone is recorded.
    application.add_handler(unhandled.gate_handler(), group=unhandled.GATE_GROUP)
    application.add_handler(people.identify_handler(), group=people.IDENTIFY_GROUP)
    # The sender's open forms as the database has them (another instance may have moved them on).
    application.add_handler(forms.reload_handler(), group=forms.RELOAD_GROUP)
    # Group 0: the first handler whose check matches an update handles it. Order matters!
    group_zero: list[BaseHandler[Any, BotContext, Any]] = [
        # Deep links that start a conversation (the 我要报名 link of a village group) before /start.
        *jobs.deep_links(),
        # Each capability's conversations, commands and buttons.
        *people.handlers(),
        *knowledge.handlers(),
        *attendance.handlers(),
        *notices.handlers(),
        *jobs.handlers(),
        *dashboard.handlers(),
        *training.handlers(),
        # A button nobody above claimed is out of date or forged: say so, change nothing.
        CallbackQueryHandler(stale_button),
        # Plain text in a private chat is a question for the notes. Late, so that a conversation waiting
        # for someone's answer (an application form, a notice) gets it first.
        *knowledge.fallback(),
        # Whatever is left in a private chat (a voice message, a sticker, an unknown command) gets a short
        # answer: never silence.
        *unhandled.handlers(),
    ]
    application.add_handlers(group_zero)
    # After everything: the form steps and answers the update changed are written at once.
    application.add_handler(forms.write_handler(), group=forms.WRITE_GROUP)
    for capability in CAPABILITIES:
        capability.add_commands(application.bot_data.menus)


async def on_startup(application: BotApplication) -> None:
    """Bring the schema up to date, load the notes and publish the command menus."""
    data = application.bot_data
    await upgrade_database(data.engine)
    await knowledge.load_at_startup(application)
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
    await application.bot_data.people.flush_seen()
    await application.bot_data.engine.dispose()
