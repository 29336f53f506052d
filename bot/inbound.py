"""Everything that comes in from Telegram is cleaned once, before any handler sees it.

A client can put characters into a message that no database or message accepts: U+0000 (PostgreSQL refuses
it in text), other C0 control characters, and lone UTF-16 surrogates (``"\\ud83d"`` alone, valid JSON but not
encodable as UTF-8). They carry no meaning for a person, so they are dropped from every string of an update —
as it is parsed from ``getUpdates`` (``CleanUpdatesRequest``) and from a webhook post (``bot.web``) — and
handlers can trust text to be storable and sendable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from telegram.error import TelegramError

from bot.http import AiohttpRequest

# C0 controls except tab, line feed and carriage return; DEL; lone surrogates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without characters that cannot be stored or sent."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def clean_data(value: Any) -> Any:
    """A parsed JSON value with every string (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_data(item) for key, item in value.items()}
    return value


def parse_clean_json(payload: bytes) -> Any:
    """Parse JSON from Telegram (or a webhook post) and clean it; ``ValueError`` if it is not JSON."""
    return clean_data(json.loads(payload.decode("utf-8", "replace")))


class CleanUpdatesRequest(AiohttpRequest):
    """The ``getUpdates`` connection: updates are cleaned as they are parsed (PTB's documented hook)."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            return parse_clean_json(payload)  # type: ignore[no-any-return]
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc
