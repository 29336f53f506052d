"""Small helpers for replying that every capability's handlers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, Update
from telegram.error import BadRequest


async def edit_query_message(query: CallbackQuery, text: str, **kwargs: Any) -> None:
    """Edit the message under a pressed button; an edit that changes nothing is not an error."""
    try:
        await query.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


NOOP = "noop"


def page_buttons(page: int, pages: int, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    """``◀ 2/5 ▶`` under a paged list (nothing for a single page); ``data(n)`` is the button data of page n."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=data(page - 1)))
    row.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=NOOP))
    if page < pages - 1:
        row.append(InlineKeyboardButton("▶", callback_data=data(page + 1)))
    return row


async def answer_noop(update: Update, _context: object) -> None:
    """A button that only shows something (the page number): acknowledge the press, change nothing."""
    if update.callback_query:
        await update.callback_query.answer()
