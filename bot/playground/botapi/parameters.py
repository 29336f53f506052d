"""Request parameters: wire-value decoding, the typed :class:`_Params` accessor handed to method
implementations, and the :func:`_api` decorator that registers a method implementation.

Registration works by marking: ``@_api("sendMessage")`` only records the Bot API names on the
function. :func:`_api_table` collects the marked methods of a class and all its bases (the mixins
``FakeBotAPI`` is composed of), so implementations can live in any mixin and subclasses can
override or add methods.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.models import StoredFile, _bad

# Parameters that are always plain strings on the wire (never JSON-decoded), so that e.g. a
# message text "123" or "true" stays a string.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "query",
        "data",
        "url",
        "secret_token",
        "callback_query_id",
        "inline_query_id",
        "next_offset",
        "parse_mode",
        "title",
        "description",
        "short_description",
        "name",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "custom_title",
        "file_id",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "thumb",
        "language_code",
        "question",
        "emoji",
        "message_effect_id",
        "business_connection_id",
        "inline_message_id",
        "ip_address",
        "payload",
        "provider_token",
        "currency",
        "start_parameter",
        "explanation",
        "username",
        "invite_link",
        "sticker_set_name",
        "tag",
        "action",
    }
)


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if isinstance(decoded, bool | int | float | dict | list):
        return decoded
    return value


class _Params:
    """Decoded request parameters with small typed accessors."""

    def __init__(self, data: JSONDict, files: dict[str, StoredFile]) -> None:
        self.data = data
        self.files = files

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def int(self, name: str, default: int | None = None, *, empty: str | None = None) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if empty is not None:
                raise _bad(empty)
            return default
        if isinstance(value, bool):
            raise _bad(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be of type Integer') from None

    def float(self, name: str, default: float = 0.0) -> float:
        value = self.data.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f'field "{name}" must be of type Number') from None

    def bool(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def json(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name, default)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(f"can't parse {name} JSON object") from None
        return value


_F = TypeVar("_F", bound=Callable[..., Any])

#: Attribute set on a method implementation by :func:`_api`: the Bot API names it answers.
_API_NAMES_ATTR = "__fake_bot_api_methods__"


def _api(*names: str) -> Callable[[_F], _F]:
    """Register a Bot API method implementation (method names are case-insensitive).

    The decorated method is called as ``method(self, params: _Params)`` and returns the result
    (or an awaitable of it), or raises :class:`~bot.playground.botapi.models.ApiError`.
    """

    def decorator(fn: _F) -> _F:
        setattr(fn, _API_NAMES_ATTR, names)
        return fn

    return decorator


def _api_table(cls: type) -> dict[str, tuple[str, str]]:
    """Bot API methods implemented by ``cls``: lower-case name -> (canonical name, attribute).

    Walks the MRO from ``object`` down to ``cls``, so a subclass overrides its bases. Two
    unrelated mixins implementing the same method under different attributes is a mistake and
    raises ``TypeError`` when the class is created.
    """
    table: dict[str, tuple[str, str]] = {}
    owners: dict[str, type] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            names: tuple[str, ...] | None = getattr(value, _API_NAMES_ATTR, None)
            if not names:
                continue
            for name in names:
                key = name.lower()
                owner = owners.get(key)
                if owner is not None and table[key][1] != attr and not issubclass(klass, owner):
                    raise TypeError(
                        f"{name} is implemented twice: {owner.__name__}.{table[key][1]} "
                        f"and {klass.__name__}.{attr}"
                    )
                table[key] = (name, attr)
                owners[key] = klass
    return table
