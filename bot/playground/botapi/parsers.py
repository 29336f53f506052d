"""Telegram's markup parsers: HTML, MarkdownV2 and legacy Markdown -> (text, entities).

They follow tdlib's parsers, including its "can't parse entities" error texts. Entity offsets
produced here count Python characters; :func:`~bot.playground.botapi.formatting.parse_formatted_text`
converts them to UTF-16 code units, trims whitespace and adds auto-detected entities.
"""

from __future__ import annotations

import re
from typing import Any

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.models import ApiError, _bad

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
