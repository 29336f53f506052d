"""What the page shows: Telegram messages as the playground's JSON, their text and entities as safe HTML.

Only the tags Telegram formats with come out (``b``, ``i``, ``u``, ``s``, ``code``, ``pre``, ``a``,
``blockquote``, ``tg-spoiler``); every character of the text itself is escaped, and links keep only
``http``, ``https`` and ``tg`` addresses. Entity offsets count UTF-16 code units, as Telegram's do.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

JSON = dict[str, Any]

_SIMPLE_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "spoiler": "tg-spoiler",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
}
_SAFE_URL = re.compile(r"^(https?|tg)://", re.IGNORECASE)
_CONTENT_KEYS = ("text", "caption", "photo", "document", "poll", "contact", "location", "venue", "sticker")


def _tags(entity: Mapping[str, Any], text: str) -> tuple[str, str] | None:
    """The opening and closing tag of an entity, None for entities shown as plain text."""
    kind = entity.get("type")
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        return f"<{tag}>", f"</{tag}>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            attribute = html.escape(f"language-{language}", quote=True)
            return f'<pre><code class="{attribute}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind in ("text_link", "url"):
        url = entity.get("url") if kind == "text_link" else text
        if not isinstance(url, str) or not _SAFE_URL.match(url):
            return None
        return f'<a href="{html.escape(url, quote=True)}">', "</a>"
    return None


def entities_to_html(text: str, entities: Iterable[Mapping[str, Any]] | None) -> str:
    """``text`` with its Telegram ``entities`` as HTML: formatting tags around escaped text.

    Entities that overlap without nesting are closed and opened again around the overlap, so the HTML is
    always well formed."""
    units = text.encode("utf-16-le")
    total = len(units) // 2

    def piece(start: int, end: int) -> str:
        return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")

    spans: list[tuple[int, int, str, str]] = []
    for entity in entities or ():
        start = max(0, int(entity.get("offset", 0)))
        end = min(total, start + max(0, int(entity.get("length", 0))))
        if end <= start:
            continue
        tags = _tags(entity, piece(start, end))
        if tags is not None:
            spans.append((start, end, *tags))
    spans.sort(key=lambda span: (span[0], -span[1]))

    out: list[str] = []
    stack: list[tuple[int, int, str, str]] = []
    boundaries = sorted({0, total, *(s[0] for s in spans), *(s[1] for s in spans)})
    pending = list(spans)
    for index, position in enumerate(boundaries):
        if any(span[1] == position for span in stack):
            reopen: list[tuple[int, int, str, str]] = []
            while any(span[1] == position for span in stack):
                span = stack.pop()
                out.append(span[3])
                if span[1] != position:
                    reopen.append(span)
            for span in reversed(reopen):
                out.append(span[2])
                stack.append(span)
        while pending and pending[0][0] == position:
            span = pending.pop(0)
            out.append(span[2])
            stack.append(span)
        if index + 1 < len(boundaries):
            out.append(html.escape(piece(position, boundaries[index + 1]), quote=False))
    while stack:
        out.append(stack.pop()[3])
    return "".join(out)


def local_iso(timestamp: int | float, tz: tzinfo) -> str:
    """A Unix time as a local ISO time with its offset, to the second."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(tz).isoformat(timespec="seconds")


def file_url(file_id: str) -> str:
    """Where the page downloads a file."""
    return f"/files/{file_id}"


def _button(button: Mapping[str, Any]) -> JSON:
    shown: JSON = {"text": str(button.get("text", ""))}
    if "callback_data" in button:
        shown["callback_data"] = button["callback_data"]
    if "url" in button:
        shown["url"] = button["url"]
    copy_text = button.get("copy_text")
    if isinstance(copy_text, Mapping) and isinstance(copy_text.get("text"), str):
        shown["copy_text"] = copy_text["text"]
    web_app = button.get("web_app")
    if "url" not in shown and isinstance(web_app, Mapping) and isinstance(web_app.get("url"), str):
        shown["url"] = web_app["url"]
    return shown


def inline_keyboard(markup: Mapping[str, Any] | None) -> JSON | None:
    """A message's inline keyboard with the fields the page uses."""
    if not markup or not markup.get("inline_keyboard"):
        return None
    return {"inline_keyboard": [[_button(b) for b in row] for row in markup["inline_keyboard"]]}


def reply_keyboard(markup: Mapping[str, Any] | None) -> JSON | None:
    """A chat's reply keyboard: rows of buttons (text, and whether they share a contact or location)."""
    if not markup or not markup.get("keyboard"):
        return None
    rows: list[list[JSON]] = []
    for row in markup["keyboard"]:
        shown_row: list[JSON] = []
        for button in row:
            if isinstance(button, str):
                shown_row.append({"text": button})
                continue
            shown: JSON = {"text": str(button.get("text", ""))}
            if button.get("request_contact"):
                shown["request_contact"] = True
            if button.get("request_location"):
                shown["request_location"] = True
            shown_row.append(shown)
        rows.append(shown_row)
    keyboard: JSON = {"keyboard": rows}
    if markup.get("input_field_placeholder"):
        keyboard["placeholder"] = str(markup["input_field_placeholder"])
    return keyboard


def _poll(poll: Mapping[str, Any], chosen: Sequence[int]) -> JSON:
    shown: JSON = {
        "question": poll.get("question", ""),
        "options": [
            {"text": o.get("text", ""), "voter_count": int(o.get("voter_count", 0))}
            for o in poll.get("options", [])
        ],
        "type": "quiz" if poll.get("type") == "quiz" else "regular",
        "is_closed": bool(poll.get("is_closed")),
        "chosen": list(chosen),
    }
    # As in Telegram, a quiz shows its answer once it was answered (or closed).
    if shown["type"] == "quiz" and (chosen or shown["is_closed"]):
        correct = poll.get("correct_option_id")
        if correct is None and poll.get("correct_option_ids"):
            correct = poll["correct_option_ids"][0]
        if correct is not None:
            shown["correct_option_id"] = correct
        if poll.get("explanation"):
            shown["explanation"] = entities_to_html(poll["explanation"], poll.get("explanation_entities"))
    return shown


def is_shown(message: Mapping[str, Any]) -> bool:
    """Whether a message has something to show (service messages such as "joined the group" do not)."""
    return any(key in message for key in _CONTENT_KEYS)


def sender_name(sender: Mapping[str, Any] | None) -> str:
    if not sender:
        return ""
    return " ".join(str(part) for part in (sender.get("first_name"), sender.get("last_name")) if part)


def message(msg: Mapping[str, Any], *, bot_id: int, tz: tzinfo, chosen: Sequence[int] = ()) -> JSON:
    """One Telegram message as the page shows it; ``chosen`` is the viewer's answer if it is a poll."""
    sender = msg.get("from") or {}
    if "text" in msg:
        body = entities_to_html(msg["text"], msg.get("entities"))
    else:
        body = entities_to_html(msg.get("caption", ""), msg.get("caption_entities"))
    photo = msg.get("photo")
    document = msg.get("document")
    contact = msg.get("contact")
    location = msg.get("location")
    return {
        "message_id": msg["message_id"],
        "from": "bot" if sender.get("id") == bot_id else "user",
        "sender_name": sender_name(sender),
        "date": local_iso(msg.get("date", 0), tz),
        "html": body,
        "edited": "edit_date" in msg,
        "reply_markup": inline_keyboard(msg.get("reply_markup")),
        "photo": {"url": file_url(photo[-1]["file_id"])} if photo else None,
        "document": (
            {
                "url": file_url(document["file_id"]),
                "file_name": document.get("file_name") or "file",
                "size": int(document.get("file_size", 0)),
            }
            if document
            else None
        ),
        "poll": _poll(msg["poll"], chosen) if "poll" in msg else None,
        "contact": dict(contact) if contact else None,
        "location": dict(location) if location else None,
    }
