"""Value types of the fake: Telegram-shaped API errors, the users, chats and files it knows, the
recorded :class:`Call` objects, failure/delay rules, flood limits and the per-chat state."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.playground.botapi.constants import JSONDict


class ApiError(Exception):
    """A Telegram-shaped API error (``{"ok": false, "error_code": ..., "description": ...}``)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        """The JSON body Telegram would answer with."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user the tests act as. Their private chat with the bot has ``id == user.id``."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "zh-hans"
    is_bot: bool = False

    def to_dict(self) -> JSONDict:
        """Telegram ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def chat(self) -> FakeChat:
        """The private chat between this user and the bot."""
        return FakeChat(
            id=self.id,
            type="private",
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )


@dataclass(frozen=True)
class FakeChat:
    """A chat known to the fake (private, group, supergroup or channel)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    def to_dict(self) -> JSONDict:
        """Telegram ``Chat`` object."""
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


ChatRef = FakeChat | FakeUser | int | str


@dataclass
class StoredFile:
    """A file known to the fake: uploaded by the bot or sent by a fake user."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str
    uploaded_by_bot: bool
    width: int | None = None
    height: int | None = None
    duration: int | None = None

    @property
    def file_size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class Call:
    """One HTTP request the bot made to the fake.

    ``params`` holds the decoded parameters (JSON-string values such as ``reply_markup`` are
    decoded; numbers and booleans are converted). ``files`` holds uploaded multipart parts.
    """

    method: str
    params: JSONDict
    files: dict[str, StoredFile]
    time: float
    status: int = 0
    response: JSONDict = field(default_factory=dict)
    finished: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether Telegram answered ``ok: true``."""
        return 200 <= self.status < 300

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (``None`` for failed calls)."""
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return self.response.get("description")

    def __repr__(self) -> str:
        params = {k: v for k, v in self.params.items() if k != "reply_markup"}
        tail = "" if self.ok else f" -> {self.description}"
        return f"<Call {self.method} {self.status} {_short(params)}{tail}>"


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _FailRule:
    method: str
    status: int
    description: str
    parameters: JSONDict | None
    chat_id: Any
    times: int


@dataclass
class _DelayRule:
    method: str
    seconds: float
    times: int


@dataclass
class _Limits:
    overall_per_second: int
    group_per_minute: int
    private_per_second: int
    group_window: float = 60.0


@dataclass
class _ChatState:
    chat: FakeChat
    bot_status: str = "member"
    started: bool = True
    deactivated: bool = False
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    deleted: dict[int, JSONDict] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    reply_keyboard: JSONDict | None = None


@dataclass
class _PollState:
    """A poll the bot sent: where it is, and who chose what (by user id)."""

    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class _WithDescription:
    """A successful result that also carries Telegram's ``description`` (setWebhook & co.)."""

    result: Any
    description: str
