"""Command line: ``python -m bot run | db upgrade | kb check | kb search``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import catalogues
from bot.config import Settings
from bot.knowledge import cli as knowledge_cli


class RedactSecrets(logging.Filter):
    """Replace secrets (the bot token) in every log record."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<BOT_TOKEN>")
            record.msg, record.args = message, None
        return True


def configure_logging(settings: Settings) -> None:
    """Plain logs on stderr, the token never shown, noisy HTTP request lines hidden."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    handler.addFilter(RedactSecrets(token))
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"error: invalid settings: {problems}") from None


def run(args: argparse.Namespace) -> int:
    """Start the bot: long polling, or a webhook when WEBHOOK_URL is set."""
    from bot.app import MissingTokenError, build_application

    settings = _load_settings()
    try:
        application = build_application(settings)
    except MissingTokenError:
        print(
            "error: BOT_TOKEN is not set — put the token from @BotFather in the environment or in .env",
            file=sys.stderr,
        )
        return 2
    configure_logging(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value() if settings.webhook_secret else None,
        )
    else:
        application.run_polling(allowed_updates=None)
    return 0


def db_upgrade(args: argparse.Namespace) -> int:
    """Apply the migrations to the configured database."""
    from bot.db import create_engine, upgrade_database

    settings = _load_settings()
    configure_logging(settings)

    async def upgrade() -> None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade_database(engine, args.revision)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
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
