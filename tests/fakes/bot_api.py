"""An in-process fake of the Telegram Bot API HTTP server.

``FakeBotAPI`` speaks the wire protocol of ``api.telegram.org`` closely enough for a real
python-telegram-bot ``Application`` to run against it unchanged: long polling and webhooks,
sending/editing/deleting messages with Telegram's own error texts, HTML/MarkdownV2/Markdown
parsing into entities, file uploads and downloads, flood limits, and helpers that act as users
(send text, press buttons, share contacts, add the bot to groups, block it, ...).

Wiring a PTB application::

    async with FakeBotAPI() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(f"{fake.base_url}/bot")
            .base_file_url(f"{fake.base_url}/file/bot")
            .build()
        )  # or simply: fake.application_builder().build()
        ...
        user = fake.user(1001, "阿明")
        await fake.send_text(user, "/start")
        call = await fake.wait_for("sendMessage", chat_id=user.id)
        assert fake.last_sent(user)["text"] == "..."

Fidelity notes (checked against the real server and PTB 22.8):

* Unknown methods answer 404 ``Not Found`` like api.telegram.org (PTB raises ``InvalidToken``,
  or ``EndPointNotFound`` from ``Bot.do_api_request``). Real Bot API methods that the fake does
  not implement answer 400 "method X is not implemented by FakeBotAPI" instead, so a missing
  feature is not mistaken for a token problem; add them with :meth:`FakeBotAPI.set_handler`.
* PTB sends every non-string parameter JSON-encoded inside a form field (``chat_id=123``,
  ``reply_markup={"inline_keyboard": ...}``); strings are sent raw, so ``text="123"`` must not
  be JSON-decoded. :attr:`Call.params` holds the decoded values.
* Texts are parsed like Telegram does (HTML, MarkdownV2, Markdown; UTF-16 entity offsets,
  whitespace trimmed, urls/commands/mentions/hashtags detected), so ``sent_messages`` shows what
  the user sees and bad markup fails with Telegram's "can't parse entities" errors.
* Editing a message without ``reply_markup`` removes its inline keyboard, as on Telegram.
* Updates are kept until confirmed with a higher getUpdates ``offset`` (or delivered to the
  webhook with a 2xx answer); ``chat_member`` and reaction updates are only delivered when
  requested via ``allowed_updates``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import functools
import inspect
import itertools
import json
import logging
import math
import mimetypes
import re
import struct
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

import aiohttp
from aiohttp import web

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "StoredFile",
    "parse_formatted_text",
]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "7000000001:AAFakeTokenForXingzhanTests_0123456789"

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

#: Update types delivered when ``allowed_updates`` was never set (or set to an empty list).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

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

_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "animation",
    "sticker",
    "video_note",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "has_media_spoiler",
)
_MEDIA_KEYS = ("photo", "document", "voice", "audio", "video", "animation")
_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
_ADMIN_STATUSES = frozenset({"creator", "administrator"})


# --------------------------------------------------------------------------------------------
# Errors and small value types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Formatted text: HTML / MarkdownV2 / Markdown -> (text, entities), following tdlib's parsers.
# --------------------------------------------------------------------------------------------

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_HTML_ENTITY_RE = re.compile(r"&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z]+));?")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MD2_RESERVED = "_*[]()~`>#+-=|{}.!"
_TDLIB_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_SPACE = " \t\r\n\v\f"


def _entities_error(message: str) -> ApiError:
    return _bad(f"can't parse entities: {message}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_html_entity(text: str, pos: int) -> tuple[str | None, int]:
    match = _HTML_ENTITY_RE.match(text, pos)
    if not match:
        return None, pos
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        decoded = _HTML_NAMED.get(name)
        if decoded is None:
            return None, pos
        return decoded, match.end()
    code = int(hex_digits, 16) if hex_digits is not None else int(dec_digits)
    if code == 0 or code > 0x10FFFF:
        return None, pos
    return chr(code), match.end()


def _link_entity(url: str, offset: int, length: int) -> JSONDict | None:
    user_match = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if user_match:
        user = {"id": int(user_match.group(1)), "is_bot": False, "first_name": ""}
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", url):
        return {"type": "text_link", "offset": offset, "length": length, "url": url}
    if "." in url and not any(ch in url for ch in _SPACE):
        return {"type": "text_link", "offset": offset, "length": length, "url": f"http://{url}"}
    return None


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    n = len(text)

    def at(i: int) -> str:
        return text[i] if i < n else "\0"

    out: list[str] = []
    entities: list[JSONDict] = []
    stack: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded, end = _decode_html_entity(text, i)
            if decoded is not None:
                out.append(decoded)
                i = end
                continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            tag_end = i
            while tag_end < n and text[tag_end] not in _SPACE and text[tag_end] != ">":
                tag_end += 1
            tag = text[i:tag_end].lower()
            if tag not in _HTML_TAGS:
                raise _entities_error(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            i = tag_end
            argument = ""
            while at(i) != ">":
                while i < n and text[i] in _SPACE:
                    i += 1
                if at(i) == ">":
                    break
                if i >= n:
                    raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                attr_begin = i
                while i < n and text[i] not in _SPACE and text[i] not in "=>":
                    i += 1
                attr_name = text[attr_begin:i].lower()
                if not attr_name:
                    raise _entities_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                while i < n and text[i] in _SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr_name == "expandable":
                        argument = "1"
                        continue
                    raise _entities_error(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                i += 1
                while i < n and text[i] in _SPACE:
                    i += 1
                if i >= n:
                    raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                if text[i] not in "'\"":
                    token_begin = i
                    while i < n and (text[i].isalnum() or text[i] in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _SPACE and at(i) != ">":
                        raise _entities_error(
                            f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            decoded, end = _decode_html_entity(text, i)
                            if decoded is not None:
                                chars.append(decoded)
                                i = end
                                continue
                        chars.append(text[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise _entities_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
                )
            stack.append({"tag": tag, "argument": argument, "start": len(out)})
            i += 1  # skip '>'
            continue

        # end tag
        if not stack:
            raise _entities_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        name_begin = i + 1
        i = name_begin
        while i < n and text[i] not in _SPACE and text[i] != ">":
            i += 1
        end_name = text[name_begin:i].lower()
        while i < n and text[i] in _SPACE:
            i += 1
        if at(i) != ">":
            raise _entities_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        top = stack.pop()
        if end_name and end_name != top["tag"]:
            raise _entities_error(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                f'expected "</{top["tag"]}>", found "</{end_name}>"'
            )
        i += 1
        start = top["start"]
        length = len(out) - start
        if length <= 0:
            continue
        tag = top["tag"]
        if tag in _HTML_SIMPLE:
            entities.append({"type": _HTML_SIMPLE[tag], "offset": start, "length": length})
        elif tag == "tg-emoji":
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": start,
                    "length": length,
                    "custom_emoji_id": top["argument"],
                }
            )
        elif tag == "a":
            url = top["argument"] or "".join(out[start:])
            entity = _link_entity(url, start, length)
            if entity:
                entities.append(entity)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if top["argument"] else "blockquote"
            entities.append({"type": kind, "offset": start, "length": length})
        elif tag == "pre":
            last = entities[-1] if entities else None
            if (
                last
                and last["type"] == "code"
                and last["offset"] == start
                and last["length"] == length
                and last.get("language")
            ):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": start, "length": length})
        elif tag == "code":
            last = entities[-1] if entities else None
            if (
                last
                and last["type"] == "pre"
                and last["offset"] == start
                and last["length"] == length
                and top["argument"]
            ):
                last["language"] = top["argument"]
            else:
                entity = {"type": "code", "offset": start, "length": length}
                if top["argument"]:
                    entity["language"] = top["argument"]
                entities.append(entity)
    if stack:
        raise _entities_error(f"Can't find end tag corresponding to start tag {stack[-1]['tag']}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return "".join(out), entities


def _parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    n = len(text)

    def at(i: int) -> str:
        return text[i] if 0 <= i < n else "\0"

    out: list[str] = []
    entities: list[JSONDict] = []
    stack: list[dict[str, Any]] = []
    quote_start: int | None = None
    i = 0
    while i < n:
        c = text[i]
        nxt = at(i + 1)
        if c == "\\" and 0 < ord(nxt) <= 126:
            out.append(nxt)
            i += 2
            continue
        in_code = bool(stack) and stack[-1]["type"] in ("code", "pre")
        if c == "\n" and quote_start is not None and not in_code and at(i + 1) != ">":
            if len(out) > quote_start:
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": len(out) - quote_start}
                )
            quote_start = None
        reserved = "`" if in_code else _MD2_RESERVED
        if c not in reserved:
            out.append(c)
            i += 1
            continue
        if c == ">" and not in_code and (i == 0 or text[i - 1] == "\n"):
            if quote_start is None:
                quote_start = len(out)
            i += 1
            continue
        top = stack[-1]["type"] if stack else None
        is_end = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and nxt != "_")
            or (top == "code" and c == "`")
            or (top == "pre" and c == "`" and nxt == "`" and at(i + 2) == "`")
            or (top in ("text_link", "custom_emoji") and c == "]")
            or (top == "underline" and c == "_" and nxt == "_")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and c == "|" and nxt == "|")
        )
        if not is_end:
            begin = i
            argument = ""
            if c == "_":
                if nxt == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif c == "*":
                kind = "bold"
            elif c == "~":
                kind = "strikethrough"
            elif c == "|" and nxt == "|":
                kind = "spoiler"
                i += 1
            elif c == "[":
                kind = "text_link"
            elif c == "`":
                if nxt == "`" and at(i + 2) == "`":
                    i += 3
                    kind = "pre"
                    language_end = i
                    while language_end < n and text[language_end] not in _SPACE and text[language_end] != "`":
                        language_end += 1
                    if i != language_end and language_end < n and text[language_end] != "`":
                        argument = text[i:language_end]
                        i = language_end
                    if at(i) in "\r\n":
                        if at(i + 1) in "\r\n" and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    kind = "code"
            elif c == "!" and nxt == "[":
                kind = "custom_emoji"
                i += 1
            else:
                raise _entities_error(
                    f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(
                {"type": kind, "argument": argument, "start": len(out), "byte": _byte_offset(text, begin)}
            )
            i += 1
            continue

        entry = stack.pop()
        kind = entry["type"]
        entity: JSONDict | None = None
        start = entry["start"]
        length = len(out) - start
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
        if kind in ("text_link", "custom_emoji"):
            if nxt != "(":
                url = "".join(out[start:])
            else:
                i += 2
                url_begin = i
                url_chars: list[str] = []
                while i < n and text[i] != ")":
                    if text[i] == "\\" and 0 < ord(at(i + 1)) <= 126:
                        url_chars.append(text[i + 1])
                        i += 2
                        continue
                    url_chars.append(text[i])
                    i += 1
                if at(i) != ")":
                    raise _entities_error(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, url_begin)}"
                    )
                url = "".join(url_chars)
            if length > 0:
                if kind == "custom_emoji":
                    emoji_id = url.split("id=", 1)[-1]
                    entity = {
                        "type": "custom_emoji",
                        "offset": start,
                        "length": length,
                        "custom_emoji_id": emoji_id,
                    }
                else:
                    entity = _link_entity(url, start, length)
        elif length > 0:
            entity = {"type": kind, "offset": start, "length": length}
            if kind == "pre" and entry["argument"]:
                entity["language"] = entry["argument"]
        if entity:
            entities.append(entity)
        i += 1
    if stack:
        entry = stack[-1]
        name = _TDLIB_TYPE_NAMES[entry["type"]]
        if entry["type"] == "pre" and entry["argument"]:
            name = "PreCode"
        raise _entities_error(f"Can't find end of {name} entity at byte offset {entry['byte']}")
    if quote_start is not None and len(out) > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": len(out) - quote_start})
    return "".join(out), entities


def _parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    n = len(text)

    def at(i: int) -> str:
        return text[i] if 0 <= i < n else "\0"

    out: list[str] = []
    entities: list[JSONDict] = []
    i = 0
    while i < n:
        c = text[i]
        if c == "\\" and at(i + 1) in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = ""
        i += 1
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            language_end = i
            while language_end < n and text[language_end] not in _SPACE and text[language_end] != "`":
                language_end += 1
            if i != language_end and language_end < n and text[language_end] != "`":
                language = text[i:language_end]
                i = language_end
            if at(i) in "\r\n":
                if at(i + 1) in "\r\n" and at(i) != at(i + 1):
                    i += 2
                else:
                    i += 1
        start = len(out)
        while i < n and (text[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))):
            out.append(text[i])
            i += 1
        if i >= n:
            raise _entities_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        length = len(out) - start
        if c == "[":
            if at(i + 1) == "(":
                i += 2
                url_chars: list[str] = []
                while i < n and text[i] != ")":
                    url_chars.append(text[i])
                    i += 1
                url = "".join(url_chars)
            else:
                url = "".join(out[start:])
            if length > 0:
                entity = _link_entity(url, start, length)
                if entity:
                    entities.append(entity)
        elif length > 0:
            if c == "_":
                entities.append({"type": "italic", "offset": start, "length": length})
            elif c == "*":
                entities.append({"type": "bold", "offset": start, "length": length})
            elif is_pre:
                entity = {"type": "pre", "offset": start, "length": length}
                if language:
                    entity["language"] = language
                entities.append(entity)
            else:
                entities.append({"type": "code", "offset": start, "length": length})
        if is_pre:
            i += 2
        i += 1
    return "".join(out), entities


def _utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return prefix


def _to_utf16(text: str, entities: list[JSONDict]) -> list[JSONDict]:
    prefix = _utf16_prefix(text)
    result = []
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        converted = dict(entity)
        converted["offset"] = prefix[start]
        converted["length"] = prefix[end] - prefix[start]
        result.append(converted)
    return result


_AUTO_ENTITY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"(?<![\w/@.])https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{2,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
_EXCLUSIVE_ENTITY_TYPES = frozenset(
    {
        "url",
        "email",
        "bot_command",
        "mention",
        "hashtag",
        "cashtag",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "phone_number",
    }
)


def _detect_entities(text: str, entities: list[JSONDict]) -> list[JSONDict]:
    """Entities Telegram detects on its own (urls, e-mails, commands, mentions, hashtags)."""
    prefix = _utf16_prefix(text)
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _EXCLUSIVE_ENTITY_TYPES
    ]
    found: list[JSONDict] = []
    for kind, pattern in _AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?'\")]":
                    end -= 1
            u_start, u_end = prefix[start], prefix[end]
            if any(u_start < t_end and t_start < u_end for t_start, t_end in taken):
                continue
            taken.append((u_start, u_end))
            found.append({"type": kind, "offset": u_start, "length": u_end - u_start})
    return found


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    stripped_left = text.lstrip(_SPACE)
    shift = len((text[: len(text) - len(stripped_left)]).encode("utf-16-le")) // 2
    result = stripped_left.rstrip(_SPACE)
    total = len(result.encode("utf-16-le")) // 2
    trimmed = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(total, entity["offset"] + entity["length"] - shift)
        if end > start:
            adjusted = dict(entity)
            adjusted["offset"] = start
            adjusted["length"] = end - start
            trimmed.append(adjusted)
    return result, trimmed


def _sort_entities(entities: Iterable[JSONDict]) -> list[JSONDict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def parse_formatted_text(
    text: str, parse_mode: str | None = None, entities: list[JSONDict] | None = None
) -> tuple[str, list[JSONDict]]:
    """Turn ``text`` + ``parse_mode``/``entities`` into what Telegram stores: plain text and
    entities (UTF-16 offsets), whitespace-trimmed, with auto-detected urls/commands/mentions.

    Raises :class:`ApiError` with Telegram's "can't parse entities" message on bad markup.
    """
    if entities:
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            plain, found = _parse_html(text)
        elif mode == "markdownv2":
            plain, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = _parse_markdown(text)
        else:
            raise _bad("unsupported parse_mode")
        found = _to_utf16(plain, found)
    else:
        plain, found = text, []
    plain, found = _trim(plain, found)
    found.extend(_detect_entities(plain, found))
    return plain, _sort_entities(found)


# --------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------


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


_Handler = Callable[["FakeBotAPI", _Params], Any]
_HANDLERS: dict[str, tuple[str, _Handler]] = {}


def _api(*names: str) -> Callable[[_Handler], _Handler]:
    """Register a Bot API method implementation (method names are case-insensitive)."""

    def decorator(fn: _Handler) -> _Handler:
        for name in names:
            _HANDLERS[name.lower()] = (name, fn)
        return fn

    return decorator


# --------------------------------------------------------------------------------------------
# Misc helpers
# --------------------------------------------------------------------------------------------

_FILE_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}
_FILE_DIR = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "audio": "music",
    "video": "videos",
    "animation": "animations",
    "sticker": "stickers",
    "video_note": "video_notes",
}
_DEFAULT_EXT = {
    "photo": "jpg",
    "voice": "oga",
    "audio": "mp3",
    "video": "mp4",
    "animation": "mp4",
    "sticker": "webp",
    "video_note": "mp4",
}


_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "video_note": "video/mp4",
}


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG image, if recognisable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            (segment_length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + segment_length
    return None


def _window_wait(times: list[float], limit: int, count: int, window: float, now: float) -> float:
    """Seconds until ``count`` more events fit into a sliding window (0 if they fit now)."""
    excess = len(times) + count - limit
    if excess <= 0:
        return 0.0
    if excess > len(times):
        return window
    return times[excess - 1] + window - now


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
    return int(time.time())


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


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A fake Telegram Bot API server on ``127.0.0.1:<random port>``.

    Use as ``async with FakeBotAPI() as fake: ...`` or call :meth:`start`/:meth:`stop`.
    Everything runs on the caller's event loop, so tests, the fake and the PTB application
    share one loop and state changes are atomic between ``await`` points.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "xingzhan_test_bot",
        bot_first_name: str = "星站",
        group_privacy: bool = False,
        supports_inline_queries: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        """``group_privacy=True`` emulates BotFather's privacy mode: in groups where the bot is
        not an admin it only receives commands, replies to its messages and mentions."""
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.group_privacy = group_privacy
        self.supports_inline_queries = supports_inline_queries
        self.host = host
        self.port = 0

        self.calls: list[Call] = []
        self.updates: list[JSONDict] = []
        self.undelivered_updates: list[JSONDict] = []
        self.dropped_updates: list[JSONDict] = []
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.uploads: list[StoredFile] = []
        self.rejected_429 = 0
        self.rejected_by_chat: Counter[int] = Counter()
        self.accepted_sends: Counter[int] = Counter()
        self.bot_settings: dict[str, Any] = {}
        self.logged_out = False
        self.closed = False

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _ChatState] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._pending: list[JSONDict] = []
        self._delivered_ids: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._webhook: JSONDict | None = None
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_queries: dict[str, JSONDict] = {}
        self._inline_queries: dict[str, JSONDict] = {}
        self._fail_rules: list[_FailRule] = []
        self._delay_rules: list[_DelayRule] = []
        self._custom_handlers: dict[str, tuple[str, Callable[..., Any]]] = {}
        self._limits: _Limits | None = None
        self._sent_all: deque[float] = deque()
        self._sent_by_chat: dict[int, deque[float]] = {}
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._signal = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeBotAPI:
        """Start listening on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._signal = asyncio.Event()
        self._session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_worker(), name="FakeBotAPI:webhook")
        return self

    async def stop(self) -> None:
        """Stop the server, ending pending long polls and webhook deliveries."""
        self._closing = True
        self._notify()
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``<root>/bot<token>`` – prefix of method URLs."""
        return f"{self.base_url}/bot{self.token}"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object as it appears in ``message.from``."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def application_builder(self) -> ApplicationBuilder:
        """A PTB ``ApplicationBuilder`` already pointed at this fake."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(f"{self.base_url}/bot")
            .base_file_url(f"{self.base_url}/file/bot")
        )

    def make_bot(self) -> Bot:
        """A plain PTB ``Bot`` pointed at this fake (call ``initialize()`` or use ``async with``)."""
        from telegram import Bot

        return Bot(self.token, base_url=f"{self.base_url}/bot", base_file_url=f"{self.base_url}/file/bot")

    # ------------------------------------------------------------------ users and chats

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        last_name: str | None = None,
        started: bool = True,
    ) -> FakeUser:
        """Register a user and their private chat with the bot.

        ``started=False`` models a user who never opened the bot: sending to them answers 403
        "bot can't initiate conversation with a user" until they write to the bot.
        """
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self._users[user_id] = user
        state = self._chats.get(user_id)
        if state is None:
            self._chats[user_id] = _ChatState(chat=user.chat, started=started)
        else:
            state.chat = user.chat
        return user

    def group(
        self,
        chat_id: int,
        title: str,
        *,
        type: Literal["group", "supergroup", "channel"] = "group",
        username: str | None = None,
        bot_status: str = "member",
        is_forum: bool = False,
    ) -> FakeChat:
        """Register a group/supergroup/channel (ids must be negative, as on Telegram).

        The bot starts with ``bot_status`` (``member``, ``administrator``, ``left``, ...).
        """
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative on Telegram (supergroups: -100...)")
        chat = FakeChat(chat_id, type, title=title, username=username, is_forum=is_forum)
        state = self._chats.get(chat_id)
        if state is None:
            self._chats[chat_id] = _ChatState(chat=chat, bot_status=bot_status)
        else:
            state.chat = chat
            state.bot_status = bot_status
        return chat

    def set_member_status(self, chat: FakeChat | int, user: FakeUser | int, status: str) -> None:
        """Set a user's status in a group (``creator``, ``administrator``, ``member``, ``left`` ...)."""
        state = self._state(chat)
        state.members[_chat_id_of(user)] = status

    def set_bot_status(self, chat: FakeChat | int, status: str) -> None:
        """Silently set the bot's own status in a group (no update is produced)."""
        self._state(chat).bot_status = status

    # ------------------------------------------------------------------ inspection

    def mark(self) -> int:
        """Index to pass as ``since=`` to only consider calls made after this point."""
        return len(self.calls)

    def calls_to(self, method: str, *, ok: bool | None = True, since: int = 0, **params: Any) -> list[Call]:
        """Recorded calls of ``method`` whose params equal the given filters.

        By default only successful calls; ``ok=None`` for all, ``ok=False`` for failures.
        Filter values may be callables (predicates on the param value).
        """
        return [c for c in self.calls[since:] if self._call_matches(c, method, None, ok, params)]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        count: int = 1,
        since: int = 0,
        ok: bool | None = True,
        **params: Any,
    ) -> Call:
        """Wait until ``count`` matching calls exist and return the ``count``-th one.

        Raises ``AssertionError`` listing the recent calls on timeout.
        """
        calls = await self.wait_for_calls(
            method, predicate, timeout=timeout, count=count, since=since, ok=ok, **params
        )
        return calls[count - 1]

    async def wait_for_calls(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        count: int = 1,
        since: int = 0,
        ok: bool | None = True,
        **params: Any,
    ) -> list[Call]:
        """Like :meth:`wait_for` but returns all matching calls (at least ``count``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [c for c in self.calls[since:] if self._call_matches(c, method, predicate, ok, params)]
            if len(matches) >= count:
                return matches
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} {method} call(s)"
                    f"{' matching ' + _short(params) if params else ''}"
                    f"{' and predicate' if predicate else ''} (found {len(matches)}).\n"
                    + self.describe_calls()
                )
            await self._wait_signal(remaining)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors the test-facing API
        message: str = "condition",
    ) -> None:
        """Wait until ``condition()`` is true; it is re-checked whenever the fake's state changes
        (calls, updates, webhook deliveries)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {message}.\n" + self.describe_calls()
                )
            await self._wait_signal(min(remaining, 0.05))

    @staticmethod
    def _call_matches(
        call: Call,
        method: str,
        predicate: Callable[[Call], bool] | None,
        ok: bool | None,
        params: Mapping[str, Any],
    ) -> bool:
        if method != "*" and call.method.lower() != method.lower():
            return False
        if ok is not None and call.ok != ok:
            return False
        if any(not _same(call.params.get(key), value) for key, value in params.items()):
            return False
        return predicate is None or bool(predicate(call))

    def describe_calls(self, last: int = 25) -> str:
        """Human-readable list of the most recent calls (for assertion messages)."""
        lines = [f"Recent calls ({len(self.calls)} total, empty getUpdates polls not shown):"]
        start = self.calls[0].time if self.calls else 0.0
        shown = [c for c in self.calls if not (c.method == "getUpdates" and c.ok and not c.result)]
        for call in shown[-last:]:
            lines.append(f"  +{call.time - start:7.3f}s {call!r}")
        return "\n".join(lines)

    async def wait_idle(self, *, quiet: float = 0.2, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every update was handed to the bot, no request is in flight and no
        request (other than getUpdates) arrived for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = self._inflight > 0 or any(
                u["update_id"] not in self._delivered_ids for u in self._pending if self._is_allowed(u)
            )
            idle_for = time.monotonic() - self._last_activity
            if not busy and idle_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"bot did not become idle within {timeout}s (in flight: {self._inflight}, "
                    f"pending updates: {len(self._pending)}).\n" + self.describe_calls()
                )
            step = 0.02 if busy else max(0.01, quiet - idle_for)
            await self._wait_signal(min(step, remaining))

    def chat_history(self, chat: ChatRef) -> list[JSONDict]:
        """All existing messages of a chat (users' and bot's), current state, by message_id."""
        state = self._state(chat)
        return [copy.deepcopy(state.messages[mid]) for mid in sorted(state.messages)]

    def sent_messages(self, chat: ChatRef, *, include_service: bool = False) -> list[JSONDict]:
        """The bot's messages in a chat as the user now sees them (edits applied, deletions
        removed), oldest first."""
        return [
            m
            for m in self.chat_history(chat)
            if m.get("from", {}).get("id") == self.bot_id and (include_service or not _is_service(m))
        ]

    def last_sent(self, chat: ChatRef) -> JSONDict:
        """The bot's most recent still-existing message in a chat (``AssertionError`` if none)."""
        messages = self.sent_messages(chat)
        if not messages:
            raise AssertionError(
                f"the bot has no messages in chat {_chat_id_of(chat)}.\n" + self.describe_calls()
            )
        return messages[-1]

    def message(self, chat: ChatRef, message_id: int) -> JSONDict | None:
        """Current state of one message (``None`` if deleted or never existed)."""
        msg = self._state(chat).messages.get(message_id)
        return copy.deepcopy(msg) if msg is not None else None

    def deleted_messages(self, chat: ChatRef) -> list[JSONDict]:
        """Messages deleted in a chat (last state before deletion)."""
        state = self._state(chat)
        return [copy.deepcopy(state.deleted[mid]) for mid in sorted(state.deleted)]

    def reply_keyboard(self, chat: ChatRef) -> JSONDict | None:
        """The reply keyboard (``ReplyKeyboardMarkup``) currently shown in a chat, if any."""
        keyboard = self._state(chat).reply_keyboard
        return copy.deepcopy(keyboard) if keyboard else None

    def pinned_messages(self, chat: ChatRef) -> list[int]:
        """Ids of pinned messages, most recently pinned last."""
        return list(self._state(chat).pinned)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set via setMyCommands for exactly this scope and language."""
        return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def file_content(self, ref: str | Mapping[str, Any]) -> bytes:
        """Bytes of a file, given a file_id or a message dict (document/photo/voice/...)."""
        ref = _as_mapping(ref)
        if isinstance(ref, Mapping):
            for key in (*_MEDIA_KEYS, "sticker", "video_note"):
                if key in ref:
                    media = ref[key]
                    ref = media[-1]["file_id"] if isinstance(media, list) else media["file_id"]
                    break
            else:
                raise KeyError("message has no file")
        return self.files[str(ref)].data

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot (getUpdates offset) or delivered by webhook."""
        return copy.deepcopy(self._pending)

    @property
    def webhook(self) -> JSONDict | None:
        """Current webhook settings (``None`` when polling)."""
        return copy.deepcopy(self._webhook)

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: Any = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"`` = any; optionally only for
        ``chat_id``) with a Telegram-shaped error instead of executing them."""
        parameters: JSONDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            description = {
                400: "Bad Request: migrated" if migrate_to_chat_id else "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict",
                429: f"Too Many Requests: retry after {retry_after or 1}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(status, "Error")
            if migrate_to_chat_id:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
        if status == 429 and "retry_after" not in parameters:
            parameters["retry_after"] = 1
        self._fail_rules.append(
            _FailRule(method.lower(), status, description, parameters or None, _chat_id_of(chat_id), times)
        )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"`` = any) wait ``seconds`` first."""
        self._delay_rules.append(_DelayRule(method.lower(), seconds, times))

    def set_handler(self, method: str, handler: Callable[[JSONDict, dict[str, StoredFile]], Any]) -> None:
        """Override/add a method: ``handler(params, files)`` returns the result or raises ApiError."""
        self._custom_handlers[method.lower()] = (method, handler)

    def enforce_limits(
        self, overall_per_second: int = 30, group_per_minute: int = 20, private_per_second: int = 1
    ) -> None:
        """Turn on Telegram-like flood limits for message sends and edits (sliding windows).

        Counted: sendMessage, send<Media> (sendMediaGroup counts each item), sendLocation,
        sendContact, copyMessage, forwardMessage and the editMessage* methods.

        Excess calls get 429 with ``retry_after`` (seconds until the window frees, at least 1)
        and are not delivered. Off by default; sends made while off still fill the windows.
        """
        self._limits = _Limits(int(overall_per_second), int(group_per_minute), int(private_per_second))

    def disable_limits(self) -> None:
        """Turn flood limits off again."""
        self._limits = None

    # ------------------------------------------------------------------ acting as users

    async def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """The user sends a text message (``/commands`` get ``bot_command`` entities)."""
        state = self._user_chat(user, chat)
        plain, found = parse_formatted_text(text, entities=entities)
        payload: JSONDict = {"text": plain}
        if found:
            payload["entities"] = found
        return await self._user_message(user, state, payload, reply_to)

    async def send_photo(
        self,
        user: FakeUser,
        data: bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x05\x00\x00\x00\x03\xc0",
        *,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a photo (message with several ``photo`` sizes)."""
        state = self._user_chat(user, chat)
        stored = self._store_file("photo", data, None, "image/jpeg", by_bot=False)
        payload: JSONDict = {"photo": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def send_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a file."""
        state = self._user_chat(user, chat)
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._store_file("document", data, file_name, mime, by_bot=False)
        payload: JSONDict = {"document": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def send_voice(
        self,
        user: FakeUser,
        data: bytes = b"OggS\x00\x02fake-voice",
        *,
        duration: int = 3,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a voice note."""
        state = self._user_chat(user, chat)
        stored = self._store_file("voice", data, None, "audio/ogg", by_bot=False, duration=duration)
        payload: JSONDict = {"voice": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def share_contact(
        self,
        user: FakeUser,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user shares a contact. By default it is their own (``user_id`` = the user's id,
        as with a ``request_contact`` button); pass ``user_id=0`` for a contact without one."""
        state = self._user_chat(user, chat)
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name or user.first_name}
        last = last_name if last_name is not None else (user.last_name if first_name is None else None)
        if last:
            contact["last_name"] = last
        contact_user_id = user.id if user_id is None else user_id
        if contact_user_id:
            contact["user_id"] = contact_user_id
        return await self._user_message(user, state, {"contact": contact}, None)

    async def share_location(
        self,
        user: FakeUser,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        live_period: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user shares a location."""
        state = self._user_chat(user, chat)
        location: JSONDict = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        if live_period is not None:
            location["live_period"] = live_period
        return await self._user_message(user, state, {"location": location}, None)

    async def forward_message(
        self,
        user: FakeUser,
        *,
        origin: FakeUser | FakeChat | str,
        text: str | None = None,
        caption: str | None = None,
        date: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user forwards a text message written by ``origin`` (a user, a channel, or a
        hidden sender's name) to the bot."""
        state = self._user_chat(user, chat)
        when = date if date is not None else _now() - 60
        if isinstance(origin, FakeUser):
            forward_origin: JSONDict = {"type": "user", "sender_user": origin.to_dict(), "date": when}
        elif isinstance(origin, FakeChat):
            if origin.type == "channel":
                forward_origin = {"type": "channel", "chat": origin.to_dict(), "message_id": 1, "date": when}
            else:
                forward_origin = {"type": "chat", "sender_chat": origin.to_dict(), "date": when}
        else:
            forward_origin = {"type": "hidden_user", "sender_user_name": origin, "date": when}
        payload: JSONDict = {"forward_origin": forward_origin}
        if text is not None:
            plain, found = parse_formatted_text(text)
            payload["text"] = plain
            if found:
                payload["entities"] = found
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, None)

    async def edit_text(self, user: FakeUser, message: Mapping[str, Any] | int, text: str) -> JSONDict:
        """The user edits one of their text messages (``edited_message`` update)."""
        state, msg = self._find_message(message, default_chat=user.id)
        if msg.get("from", {}).get("id") != user.id:
            raise AssertionError("users can only edit their own messages")
        plain, found = parse_formatted_text(text)
        msg["text"] = plain
        if found:
            msg["entities"] = found
        else:
            msg.pop("entities", None)
        msg["edit_date"] = _now()
        return self._push_update("edited_message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def press_button(
        self,
        user: FakeUser,
        message: Mapping[str, Any] | int,
        data: str | None = None,
        *,
        text: str | None = None,
        strict: bool = True,
    ) -> JSONDict:
        """The user presses an inline button of a bot message (by ``callback_data`` or label).

        ``message`` is a message dict (e.g. from :meth:`sent_messages` or a call result) or a
        message id in the user's private chat. With ``strict`` the button must be on the
        message as currently shown, like in a real client; ``strict=False`` allows stale
        presses (the message may even be gone: an inaccessible message is sent).
        """
        default_chat = user.id
        message = _as_mapping(message)
        if isinstance(message, Mapping):
            default_chat = message["chat"]["id"]
            message_id = int(message["message_id"])
        else:
            message_id = int(message)
        state = self._state(default_chat)
        current = state.messages.get(message_id)
        if current is None and strict:
            raise AssertionError(f"message {message_id} in chat {state.chat.id} does not exist (deleted?)")
        if current is not None:
            buttons = _markup_buttons(current)
            match = [
                b
                for b in buttons
                if (data is None or b.get("callback_data") == data)
                and (text is None or b.get("text") == text)
            ]
            if match and "callback_data" in match[0]:
                data = match[0]["callback_data"]
            elif strict:
                shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
                raise AssertionError(
                    f"no button with data={data!r} text={text!r} on message {message_id}; shown: {shown}"
                )
        if data is None:
            raise AssertionError("no callback data to send")
        query_id = self._new_query_id()
        query: JSONDict = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": self._chat_instance(state.chat.id),
            "data": data,
        }
        if current is not None:
            query["message"] = copy.deepcopy(current)
        else:
            query["message"] = {"chat": state.chat.to_dict(), "message_id": message_id, "date": 0}
        self._callback_queries[query_id] = query
        return self._push_update("callback_query", query)

    async def inline_query(
        self, user: FakeUser, query: str, offset: str = "", *, chat_type: str | None = "sender"
    ) -> JSONDict:
        """The user types ``@bot query`` (``inline_query`` update)."""
        query_id = self._new_query_id()
        payload: JSONDict = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset}
        if chat_type:
            payload["chat_type"] = chat_type
        self._inline_queries[query_id] = payload
        return self._push_update("inline_query", payload)

    async def add_bot_to_group(
        self,
        by_user: FakeUser,
        chat: FakeChat | int,
        *,
        status: Literal["member", "administrator"] = "member",
    ) -> JSONDict:
        """``by_user`` adds the bot to a group: a ``my_chat_member`` update followed by a
        ``new_chat_members`` service message, like Telegram. Returns the my_chat_member update."""
        state = self._state(chat)
        old = state.bot_status if state.bot_status in ("left", "kicked") else "left"
        state.bot_status = status
        state.members.setdefault(by_user.id, "member")
        update = self._push_update("my_chat_member", self._member_update(state, by_user, old, status))
        bot = self.bot_user
        payload = {"new_chat_members": [bot], "new_chat_member": bot, "new_chat_participant": bot}
        msg = self._store_message(state, payload, sender=by_user.to_dict())
        self._push_update("message", copy.deepcopy(msg))
        return update

    async def remove_bot_from_group(
        self, by_user: FakeUser, chat: FakeChat | int, *, status: Literal["kicked", "left"] = "kicked"
    ) -> JSONDict:
        """``by_user`` removes the bot: ``my_chat_member`` update; afterwards sends answer 403."""
        state = self._state(chat)
        old = state.bot_status
        state.bot_status = status
        return self._push_update("my_chat_member", self._member_update(state, by_user, old, status))

    async def block_bot(self, user: FakeUser) -> JSONDict:
        """The user blocks the bot: ``my_chat_member`` (member → kicked); sends then answer 403.

        Messages the user sends while the bot is blocked are not delivered (see ``unblock_bot``)."""
        state = self._state(user.id)
        state.bot_status = "kicked"
        return self._push_update("my_chat_member", self._member_update(state, user, "member", "kicked"))

    async def unblock_bot(self, user: FakeUser) -> JSONDict:
        """The user unblocks the bot: ``my_chat_member`` (kicked → member)."""
        state = self._state(user.id)
        state.bot_status = "member"
        state.started = True
        return self._push_update("my_chat_member", self._member_update(state, user, "kicked", "member"))

    def deactivate_user(self, user: FakeUser) -> None:
        """The user deletes their account: sends answer 403 "user is deactivated"."""
        self._state(user.id).deactivated = True

    async def join_group(self, user: FakeUser, chat: FakeChat | int) -> JSONDict:
        """The user joins a group: ``new_chat_members`` service message (+ ``chat_member``
        update, delivered only if the bot asked for it in ``allowed_updates``)."""
        state = self._state(chat)
        old = state.members.get(user.id, "left")
        state.members[user.id] = "member"
        if state.bot_status in _ADMIN_STATUSES:
            self._push_update("chat_member", self._member_update(state, user, old, "member", subject=user))
        payload = {"new_chat_members": [user.to_dict()], "new_chat_member": user.to_dict()}
        payload["new_chat_participant"] = user.to_dict()
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def leave_group(self, user: FakeUser, chat: FakeChat | int) -> JSONDict:
        """The user leaves a group: ``left_chat_member`` service message (+ ``chat_member``)."""
        state = self._state(chat)
        old = state.members.get(user.id, "member")
        state.members[user.id] = "left"
        if state.bot_status in _ADMIN_STATUSES:
            self._push_update("chat_member", self._member_update(state, user, old, "left", subject=user))
        payload = {"left_chat_member": user.to_dict(), "left_chat_participant": user.to_dict()}
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def migrate_group(
        self, chat: FakeChat | int, new_supergroup_id: int, *, by_user: FakeUser | None = None
    ) -> FakeChat:
        """Upgrade a group to a supergroup: service messages ``migrate_to_chat_id`` (old chat) and
        ``migrate_from_chat_id`` (new chat). Afterwards sends to the old id answer 400 with
        ``parameters.migrate_to_chat_id``. Returns the new supergroup."""
        old_state = self._state(chat)
        old_chat = old_state.chat
        new_chat = self.group(
            new_supergroup_id, old_chat.title or "", type="supergroup", bot_status=old_state.bot_status
        )
        new_state = self._chats[new_supergroup_id]
        new_state.members = dict(old_state.members)
        sender = by_user.to_dict() if by_user else None
        visible = old_state.bot_status in _MEMBER_STATUSES
        msg = self._store_message(old_state, {"migrate_to_chat_id": new_supergroup_id}, sender=sender)
        self._push_update("message", copy.deepcopy(msg), deliver=visible)
        old_state.migrated_to = new_supergroup_id
        msg = self._store_message(
            new_state,
            {"migrate_from_chat_id": old_chat.id, "sender_chat": old_chat.to_dict()},
            sender={"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"},
        )
        self._push_update("message", copy.deepcopy(msg), deliver=visible)
        return new_chat

    # ------------------------------------------------------------------ HTTP handlers

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        key = raw_method.lower()
        canonical = (self._custom_handlers.get(key) or _HANDLERS.get(key) or (raw_method, None))[0]
        is_poll = key == "getupdates"
        if not is_poll:
            self._inflight += 1
            self._touch()
        params: JSONDict = {}
        files: dict[str, StoredFile] = {}
        try:
            params, files = await self._read_params(request)
            for rule in list(self._delay_rules):
                if rule.method in (key, "*"):
                    rule.times -= 1
                    if rule.times <= 0:
                        self._delay_rules.remove(rule)
                    await asyncio.sleep(rule.seconds)
                    break
            result = await self._dispatch(token, key, params, files)
            status, body = 200, {"ok": True, "result": result}
            if isinstance(result, _WithDescription):
                body = {"ok": True, "result": result.result, "description": result.description}
        except ApiError as exc:
            status, body = exc.status, exc.body()
        except Exception as exc:  # a bug in the fake must be visible, not a hung test
            _LOGGER.exception("FakeBotAPI failed handling %s", raw_method)
            status, body = (
                500,
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"},
            )
        finally:
            if not is_poll:
                self._inflight -= 1
        if status == 429:
            self.rejected_429 += 1
        call = Call(
            method=canonical,
            params=params,
            files=files,
            time=arrived,
            status=status,
            response=copy.deepcopy(body),
            finished=time.monotonic(),
        )
        self.calls.append(call)
        if not is_poll:
            self._touch()
        self._notify()
        return web.json_response(body, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def _dispatch(self, token: str, key: str, params: JSONDict, files: dict[str, StoredFile]) -> Any:
        if token != self.token:
            if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
                raise ApiError(404, "Not Found")
            raise ApiError(401, "Unauthorized")
        for rule in self._fail_rules:
            if rule.method not in (key, "*"):
                continue
            if rule.chat_id is not None and not _same(params.get("chat_id"), rule.chat_id):
                continue
            rule.times -= 1
            if rule.times <= 0:
                self._fail_rules.remove(rule)
            raise ApiError(rule.status, rule.description, rule.parameters)
        custom = self._custom_handlers.get(key)
        if custom is not None:
            result = custom[1](params, files)
        else:
            entry = _HANDLERS.get(key)
            if entry is None:
                real = _real_api_methods().get(key)
                if real is not None:
                    _LOGGER.warning("FakeBotAPI does not implement %s", real)
                    raise _bad(f"method {real} is not implemented by FakeBotAPI (use fake.set_handler)")
                raise ApiError(404, "Not Found")
            result = entry[1](self, _Params(params, files))
        if inspect.isawaitable(result):
            result = await result
        return copy.deepcopy(result)

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, StoredFile]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, tuple[bytes, str | None, str | None]] = {}
        content_type = request.content_type
        if request.can_read_body:
            if content_type == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                        continue
                    if part.filename is None:
                        raw[part.name] = await part.text()
                    else:
                        data = bytes(await part.read(decode=True))
                        mime = part.headers.get(aiohttp.hdrs.CONTENT_TYPE)
                        uploads[part.name] = (data, unquote(part.filename), mime)
            elif content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            else:
                raw.update(await request.post())
        params = {name: _decode_value(name, value) for name, value in raw.items()}
        files = {
            name: self._store_file(None, data, filename, mime, by_bot=True, register=False)
            for name, (data, filename, mime) in uploads.items()
        }
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # ------------------------------------------------------------------ internals: state

    def _notify(self) -> None:
        self._signal.set()
        self._signal = asyncio.Event()

    async def _wait_signal(self, seconds: float) -> None:
        event = self._signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _state(self, chat: Any) -> _ChatState:
        chat_id = _chat_id_of(chat)
        state = self._chats.get(chat_id)
        if state is None:
            raise KeyError(f"unknown chat {chat_id!r}; register it with fake.user() or fake.group()")
        return state

    def _lookup_chat(self, chat_id: Any) -> _ChatState:
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for state in self._chats.values():
                if state.chat.username and state.chat.username.lower() == chat_id[1:].lower():
                    return state
            raise _bad("chat not found")
        try:
            state = self._chats.get(int(chat_id))
        except (TypeError, ValueError):
            state = None
        if state is None:
            raise _bad("chat not found")
        return state

    def _check_access(self, state: _ChatState, *, sending: bool = True) -> None:
        if state.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        chat = state.chat
        if chat.type == "private":
            user = self._users.get(chat.id)
            if user is not None and user.is_bot:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if state.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if sending and state.bot_status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if sending and not state.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        kind = {"supergroup": "supergroup chat", "channel": "channel chat"}.get(chat.type, "group chat")
        if state.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if state.bot_status not in _MEMBER_STATUSES:
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _chat_for_send(self, params: _Params) -> _ChatState:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        return state

    def _user_chat(self, user: FakeUser, chat: FakeChat | int | None) -> _ChatState:
        if user.id not in self._users:
            self._users[user.id] = user
        if chat is None:
            state = self._chats.get(user.id)
            if state is None:
                state = self._chats[user.id] = _ChatState(chat=user.chat)
            state.started = True
            return state
        state = self._state(chat)
        if state.migrated_to is not None:
            raise AssertionError(f"chat {state.chat.id} was migrated to {state.migrated_to}")
        if state.members.get(user.id) in (None, "left"):
            state.members[user.id] = "member"
        return state

    def _store_message(self, state: _ChatState, payload: JSONDict, *, sender: JSONDict | None) -> JSONDict:
        message_id = state.next_message_id
        state.next_message_id += 1
        msg: JSONDict = {"message_id": message_id}
        if sender is not None:
            msg["from"] = copy.deepcopy(sender)
        msg["chat"] = state.chat.to_dict()
        msg["date"] = _now()
        msg.update(payload)
        state.messages[message_id] = msg
        return msg

    def _find_message(
        self, ref: Mapping[str, Any] | int, *, default_chat: int
    ) -> tuple[_ChatState, JSONDict]:
        ref = _as_mapping(ref)
        if isinstance(ref, Mapping):
            state = self._state(ref["chat"]["id"])
            message_id = int(ref["message_id"])
        else:
            state = self._state(default_chat)
            message_id = int(ref)
        msg = state.messages.get(message_id)
        if msg is None:
            raise AssertionError(f"message {message_id} not found in chat {state.chat.id}")
        return state, msg

    def _reply_snapshot(self, state: _ChatState, ref: Mapping[str, Any] | int) -> JSONDict:
        ref = _as_mapping(ref)
        message_id = int(ref["message_id"]) if isinstance(ref, Mapping) else int(ref)
        target = state.messages.get(message_id)
        if target is None:
            raise AssertionError(f"message {message_id} to reply to not found in chat {state.chat.id}")
        snapshot = copy.deepcopy(target)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _add_user_caption(self, payload: JSONDict, caption: str | None) -> None:
        if caption:
            plain, found = parse_formatted_text(caption)
            payload["caption"] = plain
            if found:
                payload["caption_entities"] = found

    async def _user_message(
        self,
        user: FakeUser,
        state: _ChatState,
        payload: JSONDict,
        reply_to: Mapping[str, Any] | int | None,
    ) -> JSONDict:
        if reply_to is not None:
            payload["reply_to_message"] = self._reply_snapshot(state, reply_to)
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    def _bot_sees(self, state: _ChatState, msg: Mapping[str, Any]) -> bool:
        if state.chat.type == "private":
            return state.bot_status != "kicked"
        if state.bot_status not in _MEMBER_STATUSES:
            return False
        if not self.group_privacy or state.bot_status in _ADMIN_STATUSES or _is_service(msg):
            return True
        reply = msg.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        text = msg.get("text") or msg.get("caption") or ""
        for entity in msg.get("entities") or msg.get("caption_entities") or []:
            chunk = text.encode("utf-16-le")[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])]
            value = chunk.decode("utf-16-le")
            if entity["type"] == "bot_command":
                target = value.partition("@")[2]
                if not target or target.lower() == self.bot_username.lower():
                    return True
            if entity["type"] == "mention" and value[1:].lower() == self.bot_username.lower():
                return True
        return False

    def _member_update(
        self, state: _ChatState, by: FakeUser, old: str, new: str, *, subject: FakeUser | None = None
    ) -> JSONDict:
        who = subject.to_dict() if subject else self.bot_user
        return {
            "chat": state.chat.to_dict(),
            "from": by.to_dict(),
            "date": _now(),
            "old_chat_member": self._member_dict(who, old),
            "new_chat_member": self._member_dict(who, new),
        }

    @staticmethod
    def _member_dict(user: JSONDict, status: str) -> JSONDict:
        data: JSONDict = {"user": copy.deepcopy(user), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_pin_messages": True,
                }
            )
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "restricted":
            data.update({key: False for key in _RESTRICTED_FLAGS})
            data.update({"is_member": True, "until_date": 0})
        return data

    def _push_update(self, kind: str, payload: JSONDict, *, deliver: bool = True) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        if deliver:
            self._pending.append(update)
        else:
            self.undelivered_updates.append(update)
        self._touch()
        self._notify()
        return copy.deepcopy(update)

    def _is_allowed(self, update: Mapping[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        allowed = set(self._allowed_updates) if self._allowed_updates else DEFAULT_ALLOWED_UPDATES
        return kind in allowed

    def _deliverable(self, limit: int) -> list[JSONDict]:
        kept = []
        for update in self._pending:
            if self._is_allowed(update):
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        self._pending = kept
        return kept[:limit]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _set_allowed_updates(self, value: Any) -> None:
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, list):
            self._allowed_updates = [str(v) for v in value]

    def _new_query_id(self) -> str:
        return str(4_000_000_000_000_000_000 + self.bot_id % 1000 * 1_000_000 + next(self._query_ids))

    def _chat_instance(self, chat_id: int) -> str:
        return str(((chat_id * 2654435761) ^ self.bot_id) % (2**62) - 2**61)

    # ------------------------------------------------------------------ internals: limits

    def _check_limits(self, state: _ChatState, count: int = 1) -> None:
        limits = self._limits
        if limits is None:
            return
        now = time.monotonic()
        while self._sent_all and self._sent_all[0] <= now - 1.0:
            self._sent_all.popleft()
        chat_times = self._sent_by_chat.setdefault(state.chat.id, deque())
        while chat_times and chat_times[0] <= now - 60.0:
            chat_times.popleft()
        waits = [_window_wait(list(self._sent_all), limits.overall_per_second, count, 1.0, now)]
        if state.chat.type == "private":
            recent = [t for t in chat_times if t > now - 1.0]
            waits.append(_window_wait(recent, limits.private_per_second, count, 1.0, now))
        else:
            waits.append(_window_wait(list(chat_times), limits.group_per_minute, count, 60.0, now))
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rejected_by_chat[state.chat.id] += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _note_sent(self, state: _ChatState, count: int = 1) -> None:
        self.accepted_sends[state.chat.id] += count
        now = time.monotonic()
        chat_times = self._sent_by_chat.setdefault(state.chat.id, deque())
        for _ in range(count):
            self._sent_all.append(now)
            chat_times.append(now)
        while self._sent_all and self._sent_all[0] <= now - 1.0:
            self._sent_all.popleft()
        while chat_times and chat_times[0] <= now - 60.0:
            chat_times.popleft()

    # ------------------------------------------------------------------ internals: content

    def _format(self, params: _Params, text_key: str, entities_key: str) -> tuple[str, list[JSONDict]]:
        text = params.str(text_key, "") or ""
        entities = params.json(entities_key)
        if entities is not None and not isinstance(entities, list):
            raise _bad(f"can't parse {entities_key} JSON object")
        return parse_formatted_text(text, params.str("parse_mode"), entities)

    def _validate_markup(self, markup: Any) -> tuple[JSONDict | None, Callable[[_ChatState], None]]:
        """Returns (inline markup to echo in the message, effect to apply once sent)."""

        def nothing(_state: _ChatState) -> None:
            return None

        if markup is None:
            return None, nothing
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    self._validate_inline_button(button)
            return copy.deepcopy(markup), nothing
        if "keyboard" in markup:
            keyboard = copy.deepcopy(markup)

            def show(state: _ChatState) -> None:
                state.reply_keyboard = keyboard

            return None, show
        if markup.get("remove_keyboard"):

            def remove(state: _ChatState) -> None:
                state.reply_keyboard = None

            return None, remove
        return None, nothing

    @staticmethod
    def _validate_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or "text" not in button:
            raise _bad("can't parse inline keyboard button: Can't find field \"text\"")
        actions = (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        if not any(key in button for key in actions):
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_fields(self, state: _ChatState, params: _Params) -> JSONDict:
        reply = params.json("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params.int("reply_to_message_id"),
                "allow_sending_without_reply": params.bool("allow_sending_without_reply"),
            }
        fields: JSONDict = {}
        if isinstance(reply, dict) and reply.get("message_id"):
            target_state = state
            if reply.get("chat_id") is not None:
                target_state = self._lookup_chat(reply["chat_id"])
            target = target_state.messages.get(int(reply["message_id"]))
            if target is None:
                if not reply.get("allow_sending_without_reply"):
                    raise _bad("message to be replied not found")
            else:
                snapshot = copy.deepcopy(target)
                snapshot.pop("reply_to_message", None)
                fields["reply_to_message"] = snapshot
        thread_id = params.int("message_thread_id")
        if thread_id:
            fields["message_thread_id"] = thread_id
            if state.chat.is_forum:
                fields["is_topic_message"] = True
        if params.bool("protect_content"):
            fields["has_protected_content"] = True
        return fields

    def _store_file(
        self,
        kind: str | None,
        data: bytes,
        file_name: str | None,
        mime_type: str | None,
        *,
        by_bot: bool,
        register: bool = True,
        duration: int | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        kind = kind or "document"
        token = base64.urlsafe_b64encode(struct.pack(">QI", self.bot_id, number)).decode().rstrip("=")
        file_id = f"{_FILE_PREFIX.get(kind, 'BQACAgIAAxkBAAI')}{token}{number:06d}"
        unique = "AgAD" + base64.urlsafe_b64encode(struct.pack(">I", number)).decode().rstrip("=")
        ext = None
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        ext = (
            ext
            or _DEFAULT_EXT.get(kind)
            or (mimetypes.guess_extension(mime_type or "") or ".bin").lstrip(".")
        )
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{_FILE_DIR.get(kind, 'documents')}/file_{number}.{ext}",
            uploaded_by_bot=by_bot,
            duration=duration,
        )
        if register:
            self._register_file(stored)
        return stored

    def _register_file(self, stored: StoredFile) -> None:
        self.files[stored.file_id] = stored
        if stored.kind == "photo":
            size = _image_size(stored.data) or (1280, 960)
            stored.width, stored.height = size
        if stored.uploaded_by_bot:
            self.uploads.append(stored)

    def _media_object(self, stored: StoredFile, params: _Params | None = None) -> Any:
        base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        size = {"file_size": stored.file_size} if stored.data else {}
        duration = stored.duration or (params.int("duration") if params else None) or 1
        if stored.kind == "photo":
            width, height = stored.width or 1280, stored.height or 960
            sizes = []
            for index, limit in enumerate((90, 320, 800, 1280)):
                scale = min(1.0, limit / max(width, height))
                if sizes and scale == 1.0 and sizes[-1]["width"] == width:
                    break
                size_id = stored.file_id if limit == 1280 else f"{stored.file_id}_{index}"
                self.files.setdefault(size_id, stored)
                sizes.append(
                    {
                        "file_id": size_id,
                        "file_unique_id": f"{stored.file_unique_id}{index}",
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                        **(
                            {"file_size": max(1, round(stored.file_size * scale * scale))}
                            if stored.data
                            else {}
                        ),
                    }
                )
            if sizes[-1]["file_id"] != stored.file_id:
                sizes[-1]["file_id"] = stored.file_id
            return sizes
        if stored.kind == "document":
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            return {**extra, "mime_type": stored.mime_type or "application/octet-stream", **base, **size}
        if stored.kind == "voice":
            return {"duration": duration, "mime_type": stored.mime_type or "audio/ogg", **base, **size}
        if stored.kind == "audio":
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            return {
                "duration": duration,
                **extra,
                "mime_type": stored.mime_type or "audio/mpeg",
                **base,
                **size,
            }
        if stored.kind in ("video", "animation"):
            extra = {"file_name": stored.file_name} if stored.file_name else {}
            width = (params.int("width") if params else None) or 1280
            height = (params.int("height") if params else None) or 720
            mime = stored.mime_type or "video/mp4"
            return {
                "width": width,
                "height": height,
                "duration": duration,
                **extra,
                "mime_type": mime,
                **base,
                **size,
            }
        if stored.kind == "video_note":
            length = (params.int("length") if params else None) or 240
            return {"length": length, "duration": duration, **base, **size}
        if stored.kind == "sticker":
            return {
                "width": 512,
                "height": 512,
                "type": "regular",
                "is_animated": False,
                "is_video": False,
                **base,
                **size,
            }
        return {**base, **size}

    def _input_file(self, params: _Params, field_name: str, kind: str) -> StoredFile:
        value = params.get(field_name)
        upload = params.files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value[len("attach://") :])
            if upload is None:
                raise _bad(f"can't find attached file {value[len('attach://') :]!r}")
        if upload is not None:
            if not upload.data:
                raise _bad("file must be non-empty")
            mime = upload.mime_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.file_name or "")[0] or _DEFAULT_MIME.get(kind) or mime
            final = self._store_file(kind, upload.data, upload.file_name, mime, by_bot=True, register=False)
            final.duration = params.int("duration")
            upload.__dict__.update(final.__dict__)  # Call.files shows the same file as the message
            self._register_file(upload)
            return upload
        if isinstance(value, str) and value:
            known = self.files.get(value)
            if known is not None:
                if known.kind != kind and not (kind == "document" and known.kind != "photo"):
                    raise _bad(f"can't use file of type {known.kind.title()} as {kind.title()}")
                return known
            if re.match(r"^https?://", value, re.IGNORECASE):
                name = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
                mime = mimetypes.guess_type(name or "")[0]
                return self._store_file(kind, b"", name, mime, by_bot=True)
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {field_name} in the request")

    def _caption_fields(self, params: _Params) -> JSONDict:
        caption, entities = self._format(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        fields: JSONDict = {}
        if caption:
            fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
        if params.bool("has_spoiler"):
            fields["has_media_spoiler"] = True
        return fields

    def _send_bot_message(
        self, state: _ChatState, params: _Params, content: JSONDict, count: int = 1
    ) -> JSONDict:
        inline, effect = self._validate_markup(params.get("reply_markup"))
        fields = self._reply_fields(state, params)
        self._check_limits(state, count)
        payload = {**fields, **content}
        if inline is not None:
            payload["reply_markup"] = inline
        msg = self._store_message(state, payload, sender=self.bot_user)
        effect(state)
        self._note_sent(state, count)
        return msg

    def _send_media(self, params: _Params, kind: str) -> JSONDict:
        state = self._chat_for_send(params)
        caption = self._caption_fields(params)
        stored = self._input_file(params, kind, kind)
        return self._send_bot_message(state, params, {kind: self._media_object(stored, params), **caption})

    def _edit_target(self, params: _Params) -> tuple[_ChatState, JSONDict] | None:
        if params.get("inline_message_id"):
            return None
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        message_id = params.int("message_id", empty="message identifier is not specified")
        msg = state.messages.get(int(message_id or 0))
        if msg is None:
            raise _bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return state, msg

    def _apply_edit(
        self, state: _ChatState, msg: JSONDict, changes: JSONDict, inline: JSONDict | None
    ) -> JSONDict:
        current = {key: msg.get(key) for key in changes}
        current_markup = msg.get("reply_markup")
        if current == changes and current_markup == inline:
            raise _bad(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        self._check_limits(state)
        for key, value in changes.items():
            if value:
                msg[key] = value
            else:
                msg.pop(key, None)
        if inline is not None:
            msg["reply_markup"] = inline
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = _now()
        self._note_sent(state)
        return msg

    @staticmethod
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

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.json("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
                raise _bad("unsupported bot command scope type")
            if "chat_id" in scope:
                self._lookup_chat(scope["chat_id"])
        language = params.str("language_code", "") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return self._scope_key(scope), language

    # ------------------------------------------------------------------ Bot API methods

    @_api("getMe")
    def _m_get_me(self, params: _Params) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("logOut")
    def _m_log_out(self, params: _Params) -> bool:
        self.logged_out = True
        return True

    @_api("close")
    def _m_close(self, params: _Params) -> bool:
        self.closed = True
        return True

    @_api("getUpdates")
    async def _m_get_updates(self, params: _Params) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.int("offset", 0) or 0
        limit = min(100, max(1, params.int("limit", 100) or 100))
        timeout = max(0.0, params.float("timeout", 0.0))
        if "allowed_updates" in params:
            self._set_allowed_updates(params.get("allowed_updates"))
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an older long poll, which then answers 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = self._deliverable(limit)
            if ready or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_signal(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
        for update in ready:
            self._delivered_ids.add(update["update_id"])
        if ready:
            self._touch()
        return ready

    @_api("setWebhook")
    def _m_set_webhook(self, params: _Params) -> _WithDescription:
        url = params.str("url", "") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        if "allowed_updates" in params:
            self._set_allowed_updates(params.get("allowed_updates"))
        if params.bool("drop_pending_updates"):
            self._pending.clear()
        already = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.int("max_connections", 40),
            "ip_address": params.str("ip_address"),
            "has_custom_certificate": "certificate" in params.files,
        }
        self._notify()
        return _WithDescription(True, "Webhook is already set" if already else "Webhook was set")

    @_api("deleteWebhook")
    def _m_delete_webhook(self, params: _Params) -> _WithDescription:
        if params.bool("drop_pending_updates"):
            self._pending.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._notify()
        return _WithDescription(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    @_api("getWebhookInfo")
    def _m_get_webhook_info(self, params: _Params) -> JSONDict:
        pending = len([u for u in self._pending if self._is_allowed(u)])
        if self._webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        info: JSONDict = {
            "url": self._webhook["url"],
            "has_custom_certificate": self._webhook["has_custom_certificate"],
            "pending_update_count": pending,
            "max_connections": self._webhook["max_connections"],
        }
        if self._webhook.get("ip_address"):
            info["ip_address"] = self._webhook["ip_address"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        for key in ("last_error_date", "last_error_message"):
            if key in self._webhook:
                info[key] = self._webhook[key]
        return info

    @_api("sendMessage")
    def _m_send_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        text, entities = self._format(params, "text", "entities")
        if not text:
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.json("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        return self._send_bot_message(state, params, content)

    @_api("sendPhoto")
    def _m_send_photo(self, params: _Params) -> JSONDict:
        return self._send_media(params, "photo")

    @_api("sendDocument")
    def _m_send_document(self, params: _Params) -> JSONDict:
        return self._send_media(params, "document")

    @_api("sendVoice")
    def _m_send_voice(self, params: _Params) -> JSONDict:
        return self._send_media(params, "voice")

    @_api("sendAudio")
    def _m_send_audio(self, params: _Params) -> JSONDict:
        return self._send_media(params, "audio")

    @_api("sendVideo")
    def _m_send_video(self, params: _Params) -> JSONDict:
        return self._send_media(params, "video")

    @_api("sendAnimation")
    def _m_send_animation(self, params: _Params) -> JSONDict:
        return self._send_media(params, "animation")

    @_api("sendVideoNote")
    def _m_send_video_note(self, params: _Params) -> JSONDict:
        return self._send_media(params, "video_note")

    @_api("sendSticker")
    def _m_send_sticker(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        stored = self._input_file(params, "sticker", "sticker")
        return self._send_bot_message(state, params, {"sticker": self._media_object(stored)})

    @_api("sendMediaGroup")
    def _m_send_media_group(self, params: _Params) -> list[JSONDict]:
        state = self._chat_for_send(params)
        media = params.json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the album: must be between 2 and 10")
        contents = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "video", "document", "audio"):
                raise _bad("can't parse InputMedia: unsupported media type")
            sub = _Params(
                {"media": item.get("media"), **{k: v for k, v in item.items() if k != "media"}}, params.files
            )
            stored = self._input_file(sub, "media", item["type"])
            caption = self._caption_fields(sub)
            contents.append({item["type"]: self._media_object(stored, sub), **caption})
        self._check_limits(state, len(contents))
        group_id = str(13_000_000_000_000_000 + next(self._file_ids))
        fields = self._reply_fields(state, params)
        messages = []
        for content in contents:
            msg = self._store_message(
                state, {**fields, "media_group_id": group_id, **content}, sender=self.bot_user
            )
            messages.append(msg)
        self._note_sent(state, len(messages))
        return messages

    @_api("sendLocation")
    def _m_send_location(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        location = {"latitude": params.float("latitude"), "longitude": params.float("longitude")}
        return self._send_bot_message(state, params, {"location": location})

    @_api("sendContact")
    def _m_send_contact(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        contact = {"phone_number": params.str("phone_number", ""), "first_name": params.str("first_name", "")}
        if params.get("last_name"):
            contact["last_name"] = params.str("last_name")
        return self._send_bot_message(state, params, {"contact": contact})

    @_api("sendChatAction")
    def _m_send_chat_action(self, params: _Params) -> bool:
        self._chat_for_send(params)
        return True

    @_api("setMessageReaction")
    def _m_set_message_reaction(self, params: _Params) -> bool:
        state = self._chat_for_send(params)
        message_id = params.int("message_id", empty="message identifier is not specified")
        if message_id not in state.messages:
            raise _bad("message to react not found")
        return True

    @_api("forwardMessage")
    def _m_forward_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        source_state = self._lookup_chat(params.get("from_chat_id"))
        source = source_state.messages.get(params.int("message_id", 0) or 0)
        if source is None:
            raise _bad("message to forward not found")
        if _is_service(source):
            raise _bad("message can't be forwarded")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        if "forward_origin" in source:
            origin = copy.deepcopy(source["forward_origin"])
        elif source_state.chat.type == "channel":
            origin = {
                "type": "channel",
                "chat": source_state.chat.to_dict(),
                "message_id": source["message_id"],
                "date": source["date"],
            }
        else:
            origin = {
                "type": "user",
                "sender_user": copy.deepcopy(source.get("from", {})),
                "date": source["date"],
            }
        self._check_limits(state)
        msg = self._store_message(state, {"forward_origin": origin, **content}, sender=self.bot_user)
        self._note_sent(state)
        return msg

    @_api("copyMessage")
    def _m_copy_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        source_state = self._lookup_chat(params.get("from_chat_id"))
        source = source_state.messages.get(params.int("message_id", 0) or 0)
        if source is None:
            raise _bad("message to copy not found")
        if _is_service(source):
            raise _bad("message can't be copied")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_fields(params))
        msg = self._send_bot_message(state, params, content)
        return {"message_id": msg["message_id"]}

    @_api("editMessageText")
    def _m_edit_message_text(self, params: _Params) -> JSONDict | bool:
        text, entities = self._format(params, "text", "entities")
        if not text:
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        return self._apply_edit(state, msg, {"text": text, "entities": entities or None}, inline)

    @_api("editMessageCaption")
    def _m_edit_message_caption(self, params: _Params) -> JSONDict | bool:
        caption = self._caption_fields(params)
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        if not any(key in msg for key in _MEDIA_KEYS):
            raise _bad("there is no caption in the message to edit")
        changes = {"caption": caption.get("caption"), "caption_entities": caption.get("caption_entities")}
        return self._apply_edit(state, msg, changes, inline)

    @_api("editMessageReplyMarkup")
    def _m_edit_message_reply_markup(self, params: _Params) -> JSONDict | bool:
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        return self._apply_edit(state, msg, {}, inline)

    @_api("deleteMessage")
    def _m_delete_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        message_id = params.int("message_id", empty="message identifier is not specified")
        msg = state.messages.get(int(message_id or 0))
        if msg is None:
            raise _bad("message to delete not found")
        by_bot = msg.get("from", {}).get("id") == self.bot_id
        if state.chat.type != "private" and not by_bot and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("message can't be deleted")
        state.deleted[msg["message_id"]] = state.messages.pop(msg["message_id"])
        return True

    @_api("deleteMessages")
    def _m_delete_messages(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        ids = params.json("message_ids") or []
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must be a non-empty array of at most 100 identifiers")
        for message_id in ids:
            msg = state.messages.get(int(message_id))
            if msg is None:
                continue
            by_bot = msg.get("from", {}).get("id") == self.bot_id
            if state.chat.type == "private" or by_bot or state.bot_status in _ADMIN_STATUSES:
                state.deleted[msg["message_id"]] = state.messages.pop(msg["message_id"])
        return True

    @_api("answerCallbackQuery")
    def _m_answer_callback_query(self, params: _Params) -> bool:
        query_id = params.str("callback_query_id", "") or ""
        if query_id not in self._callback_queries or query_id in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        answer = {
            key: params.get(key) for key in ("text", "show_alert", "url", "cache_time") if key in params
        }
        self.callback_answers[query_id] = answer
        return True

    @_api("answerInlineQuery")
    def _m_answer_inline_query(self, params: _Params) -> bool:
        query_id = params.str("inline_query_id", "") or ""
        if query_id not in self._inline_queries or query_id in self.inline_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        results = params.json("results")
        if not isinstance(results, list):
            raise _bad("can't parse JSON encoded inline query results")
        if len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            for key in ("type", "id"):
                if not isinstance(result, dict) or key not in result:
                    raise _bad(f"can't parse InlineQueryResult: Can't find field \"{key}\"")
            result_id = str(result["id"])
            if not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        answer = {key: params.get(key) for key in ("cache_time", "is_personal", "next_offset", "button")}
        self.inline_answers[query_id] = {
            "results": results,
            **{k: v for k, v in answer.items() if v is not None},
        }
        return True

    @_api("setMyCommands")
    def _m_set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        cleaned = []
        for command in commands:
            for key in ("command", "description"):
                if not isinstance(command, dict) or key not in command:
                    raise _bad(f"can't parse BotCommand: Can't find field \"{key}\"")
            name = str(command["command"])
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name.removeprefix("/")):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command["description"])
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name.removeprefix("/"), "description": description})
        key = self._commands_key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    @_api("deleteMyCommands")
    def _m_delete_my_commands(self, params: _Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @_api("getMyCommands")
    def _m_get_my_commands(self, params: _Params) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    @_api(
        "setMyName",
        "setMyDescription",
        "setMyShortDescription",
        "setChatMenuButton",
        "setMyDefaultAdministratorRights",
    )
    def _m_set_setting(self, params: _Params) -> bool:
        language = params.str("language_code", "") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        for key, value in params.data.items():
            if key != "language_code":
                self.bot_settings[f"{key}:{language}" if language else key] = value
        return True

    @_api("getMyName")
    def _m_get_my_name(self, params: _Params) -> JSONDict:
        return {"name": self._setting("name", params) or self.bot_first_name}

    @_api("getMyDescription")
    def _m_get_my_description(self, params: _Params) -> JSONDict:
        return {"description": self._setting("description", params) or ""}

    @_api("getMyShortDescription")
    def _m_get_my_short_description(self, params: _Params) -> JSONDict:
        return {"short_description": self._setting("short_description", params) or ""}

    @_api("getChatMenuButton")
    def _m_get_chat_menu_button(self, params: _Params) -> JSONDict:
        button = self.bot_settings.get("menu_button")
        return button if isinstance(button, dict) else {"type": "commands"}

    def _setting(self, key: str, params: _Params) -> Any:
        language = params.str("language_code", "") or ""
        return self.bot_settings.get(f"{key}:{language}" if language else key)

    @_api("getChat")
    def _m_get_chat(self, params: _Params) -> JSONDict:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        info = state.chat.to_dict()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        if state.pinned:
            pinned = state.messages.get(state.pinned[-1])
            if pinned:
                info["pinned_message"] = copy.deepcopy(pinned)
        return info

    @_api("getChatMember")
    def _m_get_chat_member(self, params: _Params) -> JSONDict:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        user_id = params.int("user_id", empty="user_id is empty")
        if user_id == self.bot_id:
            return self._member_dict(self.bot_user, state.bot_status)
        user = self._users.get(int(user_id or 0))
        if user is None:
            raise _bad("user not found")
        if state.chat.type == "private":
            if user.id != state.chat.id:
                raise _bad("user not found")
            return self._member_dict(user.to_dict(), "member")
        return self._member_dict(user.to_dict(), state.members.get(user.id, "left"))

    @_api("getChatAdministrators")
    def _m_get_chat_administrators(self, params: _Params) -> list[JSONDict]:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        admins = [
            self._member_dict(self._users[uid].to_dict(), status)
            for uid, status in state.members.items()
            if status in _ADMIN_STATUSES and uid in self._users
        ]
        if state.bot_status in _ADMIN_STATUSES:
            admins.append(self._member_dict(self.bot_user, state.bot_status))
        return admins

    @_api("getChatMemberCount")
    def _m_get_chat_member_count(self, params: _Params) -> int:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        if state.chat.type == "private":
            return 2
        members = sum(1 for status in state.members.values() if status in _MEMBER_STATUSES)
        return members + (1 if state.bot_status in _MEMBER_STATUSES else 0)

    @_api("leaveChat")
    def _m_leave_chat(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        if state.chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        self._check_access(state, sending=False)
        old = state.bot_status
        state.bot_status = "left"
        update = {
            "chat": state.chat.to_dict(),
            "from": self.bot_user,
            "date": _now(),
            "old_chat_member": self._member_dict(self.bot_user, old),
            "new_chat_member": self._member_dict(self.bot_user, "left"),
        }
        self._push_update("my_chat_member", update)
        return True

    def _admin_target(self, params: _Params) -> tuple[_ChatState, int]:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        if state.chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        if state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to restrict/unrestrict chat member")
        return state, int(params.int("user_id", empty="user_id is empty") or 0)

    @_api("banChatMember")
    def _m_ban_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        state.members[user_id] = "kicked"
        return True

    @_api("unbanChatMember")
    def _m_unban_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        if state.members.get(user_id) == "kicked" or not params.bool("only_if_banned"):
            state.members[user_id] = "left"
        return True

    @_api("restrictChatMember")
    def _m_restrict_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        state.members[user_id] = "restricted"
        return True

    @_api("promoteChatMember")
    def _m_promote_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        rights = [k for k, v in params.data.items() if k.startswith("can_") and v in (True, "true")]
        state.members[user_id] = "administrator" if rights else "member"
        return True

    @_api("pinChatMessage")
    def _m_pin_chat_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        message_id = int(params.int("message_id", empty="message identifier is not specified") or 0)
        msg = state.messages.get(message_id)
        if msg is None:
            raise _bad("message to pin not found")
        if message_id in state.pinned:
            state.pinned.remove(message_id)
        state.pinned.append(message_id)
        if state.chat.type != "private":
            snapshot = copy.deepcopy(msg)
            snapshot.pop("reply_to_message", None)
            self._store_message(state, {"pinned_message": snapshot}, sender=self.bot_user)
        return True

    @_api("unpinChatMessage")
    def _m_unpin_chat_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        message_id = params.int("message_id")
        if message_id is None:
            if state.pinned:
                state.pinned.pop()
        elif message_id in state.pinned:
            state.pinned.remove(message_id)
        return True

    @_api("unpinAllChatMessages")
    def _m_unpin_all_chat_messages(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        state.pinned.clear()
        return True

    @_api("getFile")
    def _m_get_file(self, params: _Params) -> JSONDict:
        file_id = params.str("file_id", "") or ""
        stored = self.files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        if stored.file_size > 20 * 1024 * 1024:
            raise _bad("file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ webhook delivery

    async def _webhook_worker(self) -> None:
        backoff = 0.05
        while not self._closing:
            webhook = self._webhook
            batch = self._deliverable(1) if webhook is not None else []
            if webhook is None or not batch or self._session is None:
                await self._wait_signal(1.0)
                continue
            update = batch[0]
            headers = {}
            if webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
            outcome: int | str
            try:
                async with self._session.post(
                    webhook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                ) as response:
                    await response.read()
                    outcome = response.status
                    reason = response.reason or ""
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                outcome, reason = f"{type(exc).__name__}: {exc}", ""
            self.webhook_deliveries.append((update["update_id"], outcome))
            self._notify()
            if isinstance(outcome, int) and 200 <= outcome < 300:
                backoff = 0.05
                self._delivered_ids.add(update["update_id"])
                self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                self._touch()
                self._notify()
                continue
            if webhook is self._webhook:
                webhook["last_error_date"] = _now()
                webhook["last_error_message"] = (
                    f"Wrong response from the webhook: {outcome} {reason}".strip()
                    if isinstance(outcome, int)
                    else "Connection refused"
                )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)


@dataclass
class _WithDescription:
    """A successful result that also carries Telegram's ``description`` (setWebhook & co.)."""

    result: Any
    description: str


_RESTRICTED_FLAGS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


ChatRef = FakeChat | FakeUser | int | str
