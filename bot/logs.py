"""Logging of the running bot: plain lines on stderr, and the bot token never in any of them.

The token is a password: whoever has it *is* the bot. It can reach the output inside a message, inside a
traceback (PTB's ``InvalidToken`` names it, URLs contain it) or through an exception nobody caught, so
redaction happens where text is finally written: the formatter and the hook for uncaught exceptions.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

from telegram.error import NetworkError, TimedOut

from bot.config import Settings

REDACTED = "<BOT_TOKEN>"


class Redactor:
    """Replaces every secret (and the secret half of a bot token) in a text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        parts: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            parts.add(secret)
            _bot_id, _, key = secret.partition(":")
            if len(key) >= 8:
                parts.add(key)
        self.secrets = sorted(parts, key=len, reverse=True)  # the whole token before its half

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class QuietNetworkErrors(logging.Filter):
    """A lost connection to the Bot API is one line, not a traceback: PTB logs its polling and shutdown
    errors with the full stack, which for "no route to Telegram" is a wall of text every few seconds."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, TimedOut) or type(error) is NetworkError:
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output — message, traceback, stack — has the secrets replaced."""

    def __init__(self, redact: Redactor, fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def configure_logging(settings: Settings) -> Redactor:
    """Log to stderr with the token redacted everywhere, uncaught exceptions and warnings included."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    redact = Redactor([token.strip(), secret])
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(redact, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(QuietNetworkErrors())
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler], force=True)
    logging.captureWarnings(True)
    for noisy in ("httpx", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    def excepthook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace))))

    sys.excepthook = excepthook
    return redact
