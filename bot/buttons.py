"""Typed callback data for inline buttons.

Each button's data is a frozen dataclass that subclasses :class:`Button`, declared in its capability's
``buttons.py`` (no ``telegram`` import there either, so services and renderers can build buttons)::

    @dataclass(frozen=True)
    class Apply(Button, prefix="job.apply"):
        posting_id: int

    Apply(7).pack()                   # "job.apply.v1:7"
    Apply.unpack("job.apply.v1:7")    # Apply(posting_id=7)
    CallbackQueryHandler(..., pattern=Apply.pattern())   # or bot.replies.on_button(Apply, callback)

The packed form is ``<prefix>.v<version>`` followed by the fields, each after a colon. Bump ``version``
when a button's fields change meaning: old buttons then match no handler and get the "out of date" toast
instead of doing the wrong thing. Telegram allows 64 bytes of callback data; ``pack`` refuses more.

Callback data can be forged by any client. ``unpack`` checks the prefix, the number of fields and every
field, and raises :class:`ButtonDataError` for anything else. Field types:

- ``int``: a row id, ``0 ≤ n < 2**31`` (PostgreSQL ``integer``); ``Annotated[int, Bounds(lo, hi)]`` for
  other ranges (pages, offsets, Telegram chat ids);
- ``str``: a short token without ``:``;
- ``bool``: ``1`` or ``0``;
- a ``StrEnum``: one of its values;
- ``X | None`` of any of these: an empty field is ``None``.

A valid button only says what was pressed; the handler still checks against the database that the
person may press it and that the thing it names exists.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Self

CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit
MAX_ID = 2**31 - 1  # the largest value of a PostgreSQL ``integer`` column
_INT = re.compile(r"-?\d{1,19}")
_TOKEN = re.compile(r"[^:]{0,60}")

_registry: dict[str, type[Button]] = {}


class ButtonDataError(ValueError):
    """Callback data that is not a valid button of the expected kind (forged, stale or malformed)."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """Inclusive range of an integer field: ``Annotated[int, Bounds(0, 999)]``."""

    low: int
    high: int


ID = Bounds(0, MAX_ID)
PAGE = Bounds(0, 9_999)
CHAT_ID = Bounds(-(10**15), 10**15)  # Telegram ids fit in 52 bits; groups are negative


@dataclass(frozen=True)
class _FieldCodec:
    name: str
    kind: type[Any]
    optional: bool
    bounds: Bounds | None

    def encode(self, value: Any) -> str:
        if value is None:
            if not self.optional:
                raise ValueError(f"{self.name} may not be None")
            return ""
        if self.kind is bool:
            return "1" if value else "0"
        if self.kind is int:
            number = int(value)
            bounds = self.bounds or ID
            if not bounds.low <= number <= bounds.high:
                raise ValueError(f"{self.name}={number} is outside {bounds}")
            return str(number)
        text = value.value if isinstance(value, enum.Enum) else str(value)
        if ":" in text:
            raise ValueError(f"{self.name} may not contain ':'")
        return str(text)

    def decode(self, raw: str) -> Any:
        if raw == "" and self.optional:
            return None
        if self.kind is bool:
            if raw not in ("0", "1"):
                raise ButtonDataError(f"{self.name}: not a flag")
            return raw == "1"
        if self.kind is int:
            if not _INT.fullmatch(raw):
                raise ButtonDataError(f"{self.name}: not a number")
            number = int(raw)
            bounds = self.bounds or ID
            if not bounds.low <= number <= bounds.high:
                raise ButtonDataError(f"{self.name}: out of range")
            return number
        if issubclass(self.kind, enum.Enum):
            try:
                return self.kind(raw)
            except ValueError:
                raise ButtonDataError(f"{self.name}: not a known choice") from None
        if not _TOKEN.fullmatch(raw):
            raise ButtonDataError(f"{self.name}: too long")
        return raw


def _codec(name: str, hint: Any) -> _FieldCodec:
    bounds: Bounds | None = None
    if typing.get_origin(hint) is typing.Annotated:
        hint, *extras = typing.get_args(hint)
        bounds = next((extra for extra in extras if isinstance(extra, Bounds)), None)
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(members) != 1:
            raise TypeError(f"{name}: only `X | None` unions are supported")
        optional, hint = True, members[0]
        if typing.get_origin(hint) is typing.Annotated:
            hint, *extras = typing.get_args(hint)
            bounds = next((extra for extra in extras if isinstance(extra, Bounds)), None)
    if not (hint in (int, str, bool) or (isinstance(hint, type) and issubclass(hint, enum.Enum))):
        raise TypeError(f"{name}: unsupported button field type {hint!r}")
    return _FieldCodec(name, hint, optional, bounds)


class Button:
    """Base of every button's callback data (subclass it as a frozen dataclass, see the module doc)."""

    prefix: ClassVar[str]
    version: ClassVar[int]
    _codecs: ClassVar[tuple[_FieldCodec, ...]] = ()

    def __init_subclass__(cls, prefix: str = "", version: int = 1, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix:
            return  # an intermediate base class
        if not re.fullmatch(r"[a-z][a-z0-9_.]*", prefix):
            raise TypeError(f"bad button prefix {prefix!r}")
        cls.prefix, cls.version = prefix, version
        head = cls.head()
        if head in _registry and _registry[head].__qualname__ != cls.__qualname__:
            raise TypeError(f"two buttons use the prefix {head!r}")
        _registry[head] = cls

    @classmethod
    def head(cls) -> str:
        """``<prefix>.v<version>``: what every packed button of this kind starts with."""
        return f"{cls.prefix}.v{cls.version}"

    @classmethod
    def _fields(cls) -> tuple[_FieldCodec, ...]:
        if "_codecs" not in cls.__dict__:
            hints = typing.get_type_hints(cls, include_extras=True)
            cls._codecs = tuple(_codec(f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        return cls._codecs

    def pack(self) -> str:
        """The callback data of this button (at most 64 bytes)."""
        parts = [self.head(), *(codec.encode(getattr(self, codec.name)) for codec in self._fields())]
        data = ":".join(parts) if len(parts) > 1 else parts[0]
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self:
        """The button behind ``data``; :class:`ButtonDataError` if it is not one of this kind."""
        if not isinstance(data, str) or len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ButtonDataError("not callback data")
        head, *raw = data.split(":")
        codecs = cls._fields()
        if head != cls.head() or len(raw) != len(codecs):
            raise ButtonDataError(f"not a {cls.__name__} button")
        return cls(*(codec.decode(value) for codec, value in zip(codecs, raw, strict=True)))

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """Matches every press of this kind of button, valid or not (``unpack`` tells them apart)."""
        return re.compile(rf"^{re.escape(cls.head())}(?::|$)")

    @classmethod
    def matches(cls, data: object) -> bool:
        """Whether ``data`` is a well-formed button of this kind."""
        try:
            cls.unpack(data)
        except ButtonDataError:
            return False
        return True


def registered_buttons() -> dict[str, type[Button]]:
    """Every button kind defined so far, by head (for tests that press every kind)."""
    return dict(_registry)


@dataclass(frozen=True)
class Noop(Button, prefix="noop"):
    """A button that only shows something (a page number): pressing it changes nothing."""
