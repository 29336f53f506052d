"""Notes as Telegram HTML: Markdown subset → escaped HTML, clean splitting of long texts, lists cut to fit."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

from bot.knowledge.notes import Note

MESSAGE_LIMIT = 4096
LINE_LIMIT = 300
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\w)")
_CODE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def _inline(text: str) -> str:
    """Escape a line, then turn the inline Markdown that survives escaping into HTML tags."""
    escaped = html.escape(text, quote=False)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    escaped = _LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', escaped)
    escaped = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", escaped)
    return _ITALIC.sub(lambda m: f"<i>{m.group(1)}</i>", escaped)


def markdown_to_html(markdown: str) -> str:
    """The Markdown of a note body as Telegram HTML (headings bold, bullets •, quotes as blockquotes)."""
    out: list[str] = []
    quote: list[str] = []

    def flush_quote() -> None:
        if quote:
            out.append("<blockquote>" + "\n".join(quote) + "</blockquote>")
            quote.clear()

    for raw in markdown.strip().splitlines():
        line = raw.rstrip()
        if line.startswith(">"):
            quote.append(_inline(line[1:].lstrip()))
            continue
        flush_quote()
        if heading := _HEADING.match(line):
            out.append(f"<b>{_inline(heading.group(1))}</b>")
        elif bullet := _BULLET.match(line):
            out.append(f"{bullet.group(1)}• {_inline(line[bullet.end() :])}")
        else:
            out.append(_inline(line))
    flush_quote()
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text)


def note_html(note: Note) -> str:
    """A note ready to send: bold title, then the body."""
    return f"<b>📘 {html.escape(note.title)}</b>\n\n{markdown_to_html(note.body)}"


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at paragraph, then line boundaries so that no part exceeds ``limit`` and no tag is cut."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in _blocks(text, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _blocks(text: str, limit: int) -> list[str]:
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            blocks.append(paragraph)
            continue
        plain = paragraph.startswith("<blockquote>")
        inner = paragraph.removeprefix("<blockquote>").removesuffix("</blockquote>") if plain else paragraph
        chunk = ""
        space = limit - (len("<blockquote></blockquote>") if plain else 0)
        for line in inner.split("\n"):
            while len(line) > space:  # a single enormous line: cut it at the limit
                line_part, line = line[:space], line[space:]
                blocks.append(_wrap(line_part, plain))
            candidate = f"{chunk}\n{line}" if chunk else line
            if len(candidate) <= space:
                chunk = candidate
            else:
                blocks.append(_wrap(chunk, plain))
                chunk = line
        if chunk:
            blocks.append(_wrap(chunk, plain))
    return blocks


def _wrap(text: str, quote: bool) -> str:
    return f"<blockquote>{text}</blockquote>" if quote else text


def _length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): never less than ``len``."""
    return len(text.encode("utf-16-le")) // 2


def fit_lines(
    header: str,
    lines: Sequence[str],
    more: Callable[[int], str],
    *,
    escape: bool = False,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """``header``, then as many of ``lines`` as fit in one message, then ``more(n)`` for the ``n`` left out.

    Each line is cut to ``LINE_LIMIT`` characters, then HTML-escaped with ``escape`` (``header`` and ``more``
    are used as given).
    """
    shown_lines = [line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…" for line in lines]
    if escape:
        shown_lines = [html.escape(line, quote=False) for line in shown_lines]
    text = header
    for shown, line in enumerate(shown_lines):
        candidate = f"{text}\n{line}"
        rest = len(shown_lines) - shown - 1
        if _length(candidate) + (_length("\n" + more(rest)) if rest else 0) > limit:
            return f"{text}\n{more(len(shown_lines) - shown)}"
        text = candidate
    return text
