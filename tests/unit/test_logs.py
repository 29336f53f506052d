"""The token never reaches the output: messages, tracebacks and uncaught exceptions are redacted."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from telegram.error import InvalidToken, NetworkError, TimedOut

from bot.config import Settings
from bot.logs import REDACTED, QuietNetworkErrors, RedactingFormatter, Redactor, configure_logging

TOKEN = "123456:AAFsecretKEYthatISlong"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level, hook = root.handlers[:], root.level, sys.excepthook
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook = hook
    logging.captureWarnings(False)


def _format(record: logging.LogRecord) -> str:
    return RedactingFormatter(Redactor([TOKEN]), "%(message)s").format(record)


def test_the_token_in_a_message_is_replaced() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    text = _format(record)
    assert TOKEN not in text and REDACTED in text


def test_the_token_in_a_traceback_is_replaced() -> None:
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = _format(record)
    assert "Traceback" in text and TOKEN not in text and "AAFsecretKEYthatISlong" not in text


def test_the_secret_half_of_the_token_alone_is_replaced_too() -> None:
    assert Redactor([TOKEN])("key=AAFsecretKEYthatISlong") == f"key={REDACTED}"


def test_network_errors_are_one_line() -> None:
    for error in (NetworkError("aiohttp.ClientConnectorError: no route"), TimedOut()):
        try:
            raise error
        except NetworkError:
            record = logging.LogRecord(
                "telegram.ext.Updater", logging.ERROR, __file__, 1, "polling", None, sys.exc_info()
            )
        assert QuietNetworkErrors().filter(record)
        text = _format(record)
        assert "Traceback" not in text and "\n" not in text and type(error).__name__ in text


def test_uncaught_exceptions_are_redacted(restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(_env_file=None, bot_token=SecretStr(TOKEN)))  # type: ignore[call-arg]
    try:
        raise RuntimeError(f"boom with {TOKEN}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert "RuntimeError" in err and TOKEN not in err


def test_logged_records_are_redacted_end_to_end(restore_logging: None) -> None:
    configure_logging(Settings(_env_file=None, bot_token=SecretStr(TOKEN)))  # type: ignore[call-arg]
    stream = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("telegram.ext.Application").exception("start failed for %s", TOKEN)
    assert TOKEN not in stream.getvalue() and "Traceback" in stream.getvalue()
