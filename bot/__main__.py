"""Command line: ``python -m bot run | db upgrade | kb check | kb search``."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import logging
import os
import sys
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from bot import catalogues
from bot.config import Settings
from bot.knowledge import cli as knowledge_cli
from bot.logs import configure_logging
from bot.playground import cli as playground_cli

if TYPE_CHECKING:
    from bot.failover import LeaderElection

T = TypeVar("T")


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise SystemExit(f"error: invalid settings: {problems}") from None


def run(args: argparse.Namespace) -> int:
    """Start the bot: long polling, or a webhook when WEBHOOK_URL is set.

    On SQLite the process first takes the database's file lock (a second process is refused). On
    PostgreSQL it takes part in the leader election: in polling mode it waits as a standby until elected,
    then starts as a fresh process would; with a webhook it serves updates at once and runs scheduled work
    only once elected (see ``bot.failover``).
    """
    from bot.failover import (
        EXIT_DATABASE_IN_USE,
        DatabaseInUse,
        LeaderElection,
        is_postgresql,
        lock_database,
        sqlite_file,
    )
    from bot.failover.process import leave_now
    from bot.startup import StartupError, database_error

    settings = _load_settings()
    configure_logging(settings)
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(
            "error: BOT_TOKEN is not set — put the token from @BotFather in the environment or in .env "
            "(to try the bot without a token: python -m bot playground)",
            file=sys.stderr,
        )
        return 2
    database_file = sqlite_file(settings.database_url)
    if database_file is not None:
        try:
            database_lock = lock_database(database_file)
        except DatabaseInUse as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_DATABASE_IN_USE
        except OSError as exc:
            print(f"error: {database_error(exc, settings.database_url)}", file=sys.stderr)
            return 1
        logging.getLogger(__name__).debug("holding %s", database_lock.lock_file)
    election = (
        LeaderElection(settings.database_url, settings.instance_name)
        if is_postgresql(settings.database_url)
        else None
    )
    import bot.app  # noqa: F401  (imported before standing by: a takeover does not wait for imports)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    heartbeat: asyncio.Task[None] | None = None
    try:
        if election is not None and not settings.webhook_url:
            loop.run_until_complete(_as_startup_error(election.wait_for_leadership(), settings))
            heartbeat = loop.create_task(election.keep_leading(leave_now), name="leader heartbeat")
        return _serve(loop, settings, election)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        if heartbeat is not None:
            heartbeat.cancel()
            loop.run_until_complete(asyncio.gather(heartbeat, return_exceptions=True))
        if election is not None:
            loop.run_until_complete(election.close())
        loop.close()


async def _as_startup_error(work: Awaitable[T], settings: Settings) -> T:
    """Await ``work``; a database that cannot be used is the one-line :class:`StartupError`."""
    from bot.startup import database_error

    try:
        return await work
    except Exception as exc:
        problem = database_error(exc, settings.database_url)
        if problem is None:
            raise
        raise problem from None


def _serve(loop: asyncio.AbstractEventLoop, settings: Settings, election: LeaderElection | None) -> int:
    """Build, prepare and run the application on ``loop`` until it is stopped."""
    from bot.app import build_application
    from bot.failover.process import take_over_outbox
    from bot.startup import StartupError, connect_to_telegram, prepare_database

    application = build_application(settings)
    secret = webhook_secret(settings) if settings.webhook_url else None

    async def migrate_under_lock() -> None:
        assert election is not None
        async with election.migration_lock():
            await prepare_database(application)

    async def prepare() -> None:
        if election is not None:
            await _as_startup_error(migrate_under_lock(), settings)
        else:
            await prepare_database(application)
        await connect_to_telegram(application)
        if election is not None and not settings.webhook_url:
            await take_over_outbox(application)

    try:
        loop.run_until_complete(prepare())
    except StartupError:
        loop.run_until_complete(application.bot_data.engine.dispose())
        raise
    except KeyboardInterrupt:
        loop.run_until_complete(application.bot.shutdown())
        loop.run_until_complete(application.bot_data.engine.dispose())
        raise
    if secret is not None:
        from bot.web import serve_webhook

        loop.run_until_complete(serve_webhook(application, settings, secret, election=election))
    else:
        if settings.webapp_url:
            from bot.web import serve_with_polling

            serve_with_polling(application, settings)
        application.run_polling(allowed_updates=None, close_loop=False)
    return 0


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends with every webhook post; without one anybody could post updates.

    Without ``WEBHOOK_SECRET`` it is derived from the bot token (an HMAC, which tells nothing of the token):
    as secret as the token, which can set the webhook anyway, and the same on every instance — a random one per
    process would let the last instance to start refuse every post the others were told to expect."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    logging.getLogger(__name__).warning(
        "WEBHOOK_SECRET is not set: using one derived from the bot token (Telegram is told it with setWebhook)"
    )
    token = settings.bot_token.get_secret_value().encode()
    return hmac.new(token, b"xingzhan webhook secret", hashlib.sha256).hexdigest()


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


def playground(args: argparse.Namespace) -> int:
    """Try the bot with no token and no network: the local Bot API server, the bot and a chat page."""
    from bot.playground import cli

    return cli.run(args)


def db_copy(args: argparse.Namespace) -> int:
    """Copy a station's data from one database to another (``bot.dbcopy``)."""
    from bot.dbcopy import CopyError, copy_database

    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(copy_database(args.source, args.target, replace=args.replace))
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
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
    copy_parser = db_commands.add_parser(
        "copy", help="copy every row into another database (e.g. a SQLite station's data to PostgreSQL)"
    )
    copy_parser.add_argument("--from", dest="source", required=True, metavar="URL", help="database to read")
    copy_parser.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="empty database to fill"
    )
    copy_parser.add_argument("--replace", action="store_true", help="delete the target's rows first")
    copy_parser.set_defaults(func=db_copy)

    playground_parser = commands.add_parser(
        "playground", help="try the bot in a local chat page: no token, no network (not for production)"
    )
    playground_cli.add_arguments(playground_parser)
    playground_parser.set_defaults(func=playground)

    knowledge_cli.register(commands)
    catalogues.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bot``. A reader that stops reading (``kb search … | head``) ends a command
    quietly, as a Unix tool does, not with a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # Python's own advice: point standard output at /dev/null, so that the flush at exit fails no more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
