"""Command line: ``python -m bot run | db upgrade | kb check | kb search``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import catalogues
from bot.config import Settings
from bot.knowledge import cli as knowledge_cli
from bot.logs import configure_logging


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"error: invalid settings: {problems}") from None


def run(args: argparse.Namespace) -> int:
    """Start the bot: long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.app import MissingTokenError, build_application
    from bot.startup import StartupError, connect_to_telegram, prepare_database

    settings = _load_settings()
    configure_logging(settings)
    try:
        application = build_application(settings)
    except MissingTokenError:
        print(
            "error: BOT_TOKEN is not set — put the token from @BotFather in the environment or in .env",
            file=sys.stderr,
        )
        return 2
    webhook_secret = _webhook_secret(settings) if settings.webhook_url else None

    async def prepare() -> None:
        await prepare_database(application)
        await connect_to_telegram(application)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(prepare())
    except StartupError as exc:
        loop.run_until_complete(application.bot_data.engine.dispose())
        loop.close()
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        loop.run_until_complete(application.bot.shutdown())
        loop.run_until_complete(application.bot_data.engine.dispose())
        loop.close()
        return 130
    if webhook_secret is not None:
        from bot.web import serve_webhook

        try:
            loop.run_until_complete(serve_webhook(application, settings, webhook_secret))
        finally:
            loop.close()
    else:
        if settings.webapp_url:
            from bot.web import serve_with_polling

            serve_with_polling(application, settings)
        application.run_polling(allowed_updates=None)
    return 0


def _webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every webhook post; without one anybody could post updates."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    logging.getLogger(__name__).warning(
        "WEBHOOK_SECRET is not set: using a random secret for this run (Telegram is told it with setWebhook)"
    )
    return secrets.token_urlsafe(32)


def db_upgrade(args: argparse.Namespace) -> int:
    """Apply the migrations to the configured database."""
    from bot.db import create_engine, upgrade_database
    from bot.startup import StartupError, database_error

    settings = _load_settings()
    configure_logging(settings)

    async def upgrade() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade_database(engine, args.revision)
        except Exception as exc:
            problem = database_error(exc, settings.database_url)
            if problem is None:
                raise
            raise problem from None
        finally:
            await engine.dispose()

    try:
        asyncio.run(upgrade())
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"database upgraded to {args.revision}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Xingzhan (星站) Telegram bot")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run_parser = commands.add_parser("run", help="run the bot (migrations are applied first)")
    run_parser.set_defaults(func=run)

    db_parser = commands.add_parser("db", help="database schema")
    db_commands = db_parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade_parser = db_commands.add_parser("upgrade", help="apply migrations")
    upgrade_parser.add_argument("revision", nargs="?", default="heads")
    upgrade_parser.set_defaults(func=db_upgrade)

    knowledge_cli.register(commands)
    catalogues.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bot``."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
