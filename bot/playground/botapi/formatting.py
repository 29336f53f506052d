"""Formatted text as Telegram stores it: :func:`parse_formatted_text` runs the markup parsers
(:mod:`bot.playground.botapi.parsers`) or takes explicit entities, converts offsets to UTF-16, trims
whitespace and adds the entities Telegram detects on its own (urls, commands, mentions, ...)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.models import _bad
from bot.playground.botapi.parsers import _SPACE, _parse_html, _parse_markdown, _parse_markdown_v2


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
