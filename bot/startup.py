"""Before the bot takes updates: a usable database, and a Bot API server that knows the token.

Each failure a station can meet when it starts is one clear line, never a traceback:

- the database cannot be used (server down, wrong credentials, a folder that cannot be written) — the line
  names ``DATABASE_URL`` and the process exits, so a supervisor (``compose.yaml``) starts it again;
- Telegram rejects the token — the line says to copy it again from @BotFather; exit status 2;
- the Bot API server cannot be reached (no route, a server that never answers, a proxy down) — one line per
  attempt, and attempts go on with growing pauses (1 s, 2 s, 4 s, … at most a minute) until it answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.context import BotApplication
from bot.db import upgrade_database

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 60.0


class StartupError(Exception):
    """The bot cannot start; ``str()`` is the one line to show, ``exit_code`` the process's status."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def shown_url(url: str) -> str:
    """A database URL fit for output: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split(":", 1)[0] + ":…"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def database_error(error: BaseException, url: str) -> StartupError | None:
    """The one line for an error met while opening the database, or ``None`` if it is not such an error."""
    if not isinstance(error, OSError | SQLAlchemyError | asyncpg.PostgresError | asyncpg.InterfaceError):
        return None
    return StartupError(
        f"cannot use the database DATABASE_URL={shown_url(url)} ({_first_line(error)}): "
        "start the database server, or fix DATABASE_URL in .env (user, password, host, database name)"
    )


async def prepare_database(application: BotApplication) -> None:
    """Apply the migrations; a database that cannot be used is a :class:`StartupError`."""
    data = application.bot_data
    try:
        await upgrade_database(data.engine)
    except Exception as exc:
        problem = database_error(exc, data.settings.database_url)
        if problem is None:
            raise
        raise problem from None


async def connect_to_telegram(
    application: BotApplication, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
) -> None:
    """Initialize the application (PTB asks the server ``getMe``), waiting as long as the server is away."""
    api_url = application.bot_data.settings.telegram_api_url
    pause, attempt = FIRST_PAUSE_SECONDS, 1
    while True:
        try:
            await application.initialize()
            if attempt > 1:
                log.info("reached the Bot API at %s after %d attempts", api_url, attempt)
            return
        except InvalidToken:
            await application.bot.shutdown()
            raise StartupError(
                "Telegram rejected BOT_TOKEN: copy the token again from @BotFather (/mybots → API Token) "
                "into .env",
                exit_code=2,
            ) from None
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, int | float) else exc.retry_after.seconds
            log.warning("the Bot API at %s asks to wait %s s (attempt %d)", api_url, wait, attempt)
            await sleep(float(wait))
        except (NetworkError, TimedOut) as exc:
            log.warning(
                "cannot reach the Bot API at %s (%s); attempt %d, trying again in %.0f s",
                api_url,
                _first_line(exc),
                attempt,
                pause,
            )
            await sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
        attempt += 1
