"""What a campaign sends, as plain data that fits in a JSON column (no Telegram objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PayloadKind(StrEnum):
    """How the message is sent: text, a stored file by its id, or a copy of an existing message."""

    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    VIDEO = "video"
    AUDIO = "audio"
    ANIMATION = "animation"
    COPY = "copy"


MEDIA_KINDS = frozenset(
    {
        PayloadKind.PHOTO,
        PayloadKind.DOCUMENT,
        PayloadKind.VOICE,
        PayloadKind.VIDEO,
        PayloadKind.AUDIO,
        PayloadKind.ANIMATION,
    }
)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a link or a callback (exactly one of the two)."""

    text: str
    url: str | None = None
    callback_data: str | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.callback_data is None):
            raise ValueError("a button needs exactly one of url and callback_data")

    def to_dict(self) -> dict[str, str]:
        data = {"text": self.text}
        if self.url is not None:
            data["url"] = self.url
        if self.callback_data is not None:
            data["callback_data"] = self.callback_data
        return data


@dataclass(frozen=True, slots=True)
class Payload:
    """One message to send to many chats.

    ``text`` is the message text, or the caption of a file or copy. Formatting is either ``entities``
    (Telegram ``MessageEntity`` dictionaries, as received from an admin's message) or ``parse_mode``
    (``"HTML"`` for generated text); never both. ``buttons`` is an inline keyboard, row by row; with
    ``buttons_in_groups`` false it is attached in private chats only. With ``reply_to_campaign`` each copy
    answers the copy of that earlier campaign in the same chat (a reminder quoting the original).
    """

    kind: PayloadKind = PayloadKind.TEXT
    text: str = ""
    entities: tuple[dict[str, Any], ...] = ()
    parse_mode: str | None = None
    file_id: str | None = None
    from_chat_id: int | None = None
    message_id: int | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    buttons_in_groups: bool = True
    disable_notification: bool = False
    link_preview: bool = True
    reply_to_campaign: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = PayloadKind(self.kind)
        if kind in MEDIA_KINDS and not self.file_id:
            raise ValueError(f"a {kind} payload needs a file_id")
        if kind == PayloadKind.COPY and (self.from_chat_id is None or self.message_id is None):
            raise ValueError("a copy payload needs from_chat_id and message_id")
        if kind == PayloadKind.TEXT and not self.text.strip():
            raise ValueError("a text payload needs text")
        if self.entities and self.parse_mode:
            raise ValueError("use entities or parse_mode, not both")

    @property
    def has_caption(self) -> bool:
        return self.kind != PayloadKind.TEXT

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary; ``from_dict`` reads it back."""
        data: dict[str, Any] = {"kind": str(self.kind), "text": self.text}
        if self.entities:
            data["entities"] = [dict(e) for e in self.entities]
        if self.parse_mode:
            data["parse_mode"] = self.parse_mode
        if self.file_id:
            data["file_id"] = self.file_id
        if self.from_chat_id is not None:
            data["from_chat_id"] = self.from_chat_id
            data["message_id"] = self.message_id
        if self.buttons:
            data["buttons"] = [[b.to_dict() for b in row] for row in self.buttons]
            data["buttons_in_groups"] = self.buttons_in_groups
        if self.disable_notification:
            data["disable_notification"] = True
        if not self.link_preview:
            data["link_preview"] = False
        if self.reply_to_campaign is not None:
            data["reply_to_campaign"] = self.reply_to_campaign
        if self.extra:
            data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Payload:
        return cls(
            kind=PayloadKind(data.get("kind", PayloadKind.TEXT)),
            text=data.get("text", ""),
            entities=tuple(data.get("entities", ())),
            parse_mode=data.get("parse_mode"),
            file_id=data.get("file_id"),
            from_chat_id=data.get("from_chat_id"),
            message_id=data.get("message_id"),
            buttons=tuple(tuple(Button(**b) for b in row) for row in data.get("buttons", ())),
            buttons_in_groups=data.get("buttons_in_groups", True),
            disable_notification=data.get("disable_notification", False),
            link_preview=data.get("link_preview", True),
            reply_to_campaign=data.get("reply_to_campaign"),
            extra=dict(data.get("extra", {})),
        )

    def summary(self, length: int = 60) -> str:
        """The first words of the text, for lists and audit."""
        text = " ".join(self.text.split())
        return text if len(text) <= length else text[: length - 1] + "…"
