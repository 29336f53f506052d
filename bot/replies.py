"""Small helpers for replying that every capability's handlers share."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery
from telegram.error import BadRequest


async def edit_query_message(query: CallbackQuery, text: str, **kwargs: Any) -> None:
    """Edit the message under a pressed button; an edit that changes nothing is not an error."""
    try:
        await query.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
