"""Small stateless helpers: references to chats/messages, filter matching, timestamps, command
scopes and the list of real Bot API methods known to python-telegram-bot."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from bot.clock import utcnow
from bot.playground.botapi.constants import _CONTENT_KEYS, JSONDict
from bot.playground.botapi.models import FakeChat, FakeUser


@functools.cache
def _real_api_methods() -> dict[str, str]:
    """Bot API method names known to python-telegram-bot (lower-case -> camelCase)."""
    from telegram import Bot

    names = {}
    for name in dir(Bot):
        if name[:1].islower() and name != name.lower() and "_" not in name and callable(getattr(Bot, name)):
            names[name.lower()] = name
    return names


def _now() -> int:
    """Unix time of the bot's clock (which the playground can move forward)."""
    return int(utcnow().timestamp())


def _as_mapping(ref: Any) -> Any:
    """PTB objects (``telegram.Message`` ...) are accepted wherever a dict is."""
    if not isinstance(ref, Mapping) and hasattr(ref, "to_dict"):
        return ref.to_dict()
    return ref


def _chat_id_of(ref: Any) -> Any:
    ref = _as_mapping(ref)
    if isinstance(ref, FakeChat | FakeUser):
        return ref.id
    if isinstance(ref, Mapping):
        return ref["chat"]["id"] if "chat" in ref else ref["id"]
    return ref


def _same(actual: Any, expected: Any) -> bool:
    if callable(expected) and not isinstance(expected, FakeChat | FakeUser):
        return bool(expected(actual))
    if isinstance(expected, FakeChat | FakeUser):
        expected = expected.id
    return actual == expected or (actual is not None and str(actual) == str(expected))


def _is_service(message: Mapping[str, Any]) -> bool:
    return not any(key in message for key in _CONTENT_KEYS)


def _markup_buttons(message: Mapping[str, Any]) -> list[JSONDict]:
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def _scope_key(scope: Any) -> str:
    if isinstance(scope, str):
        scope = json.loads(scope)
    if not scope:
        return "default"
    parts = [str(scope.get("type", "default"))]
    for key in ("chat_id", "user_id"):
        if key in scope:
            parts.append(f"{key}={scope[key]}")
    return ":".join(parts)
