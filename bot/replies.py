"""How every capability's handlers answer: replies, edits, toasts, typed buttons and usage errors.

- :func:`reply` — a message in the chat the update came from (a pressed button is acknowledged first);
- :func:`edit_or_reply` — rewrite the message under a pressed button, or reply to a command;
- :func:`edit_query_message` — edit the message under a button; "not modified" is not an error;
- :func:`on_button` — one ``CallbackQueryHandler`` per button type (``bot.buttons``): the callback gets the
  unpacked button; forged or stale data gets a short toast and reaches no callback;
- :func:`usage_errors` — a command handler may raise :class:`bot.usage.UsageError`; the person gets its text;
- :func:`page_buttons` — the ``◀ 2/5 ▶`` row under a paged list.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.buttons import Button, ButtonDataError, Noop
from bot.context import BotContext
from bot.i18n import N_
from bot.usage import UsageError

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None
B = TypeVar("B", bound=Button)
R = TypeVar("R")
Handler = Callable[[Update, BotContext], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

STALE_BUTTON = N_("This button no longer works. Send /start to see what you can do.")


async def reply(
    update: Update,
    context: BotContext,
    text: str,
    markup: Markup = None,
    *,
    parse_mode: str | None = ParseMode.HTML,
) -> Message:
    """Send ``text`` to the chat the update came from; a pressed button is acknowledged first. In a group
    the answer quotes the message it answers (as ``Message.reply_text`` does), so everyone sees to what.

    Texts are HTML: escape anything a person wrote (``html.escape``) before putting it in.
    """
    no_preview = LinkPreviewOptions(is_disabled=True)
    message = update.effective_message
    if update.callback_query is None and message is not None:
        return await message.reply_text(
            text, parse_mode=parse_mode, reply_markup=markup, link_preview_options=no_preview
        )
    if update.callback_query:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None, "a reply needs a chat"
    return await context.bot.send_message(
        chat.id, text, parse_mode=parse_mode, reply_markup=markup, link_preview_options=no_preview
    )


_GONE = ("message to edit not found", "message can't be edited", "there is no text in the message to edit")


async def edit_query_message(query: CallbackQuery, text: str, **kwargs: Any) -> None:
    """Edit the message under a pressed button. An edit that changes nothing is not an error; a message that
    can no longer be edited (deleted, too old, a photo) is answered with a new message instead."""
    try:
        await query.edit_message_text(text, **kwargs)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:
            return
        if not any(gone in reason for gone in _GONE):
            raise
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        await query.get_bot().send_message(chat_id, text, **kwargs)


async def edit_or_reply(
    update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show ``text`` in place of the message under a pressed button, or as a reply to a command."""
    query = update.callback_query
    if query is None:
        await reply(update, context, text, markup)
        return
    await query.answer()
    await edit_query_message(query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


async def toast(update: Update, text: str, *, alert: bool = False) -> None:
    """A short answer on the pressed button (not a message); ``alert`` shows it as a dialog."""
    assert update.callback_query is not None
    await update.callback_query.answer(text[:200], show_alert=alert)


def on_button(
    button: type[B],
    callback: Callable[[Update, BotContext, B], Awaitable[R]],
    **kwargs: Any,
) -> CallbackQueryHandler[BotContext, R | None]:
    """A handler for presses of one button type; ``callback(update, context, pressed)`` gets the button.

    Data that matches the button's prefix but not its fields (forged, or from an older version) is
    answered with a short toast and reaches no callback.
    """

    @functools.wraps(callback)
    async def unpacked(update: Update, context: BotContext) -> R | None:
        query = update.callback_query
        assert query is not None
        try:
            pressed = button.unpack(query.data)
        except ButtonDataError as exc:
            log.info("refused button data %r: %s", query.data, exc)
            await query.answer(context.gettext(STALE_BUTTON), show_alert=False)
            return None
        return await callback(update, context, pressed)

    return CallbackQueryHandler(unpacked, pattern=button.pattern(), **kwargs)


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button no handler knows (an old message, or forged data): say so, change nothing."""
    query = update.callback_query
    if query is not None:
        log.info("no handler for button data %r", query.data)
        await query.answer(context.gettext(STALE_BUTTON))


async def _noop(update: Update, _context: BotContext, _pressed: Noop) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()


def noop_handler() -> CallbackQueryHandler[BotContext, None]:
    """Acknowledge presses of buttons that only show something (the page number)."""
    return on_button(Noop, _noop)


def page_buttons(page: int, pages: int, data: Callable[[int], Button]) -> list[InlineKeyboardButton]:
    """``◀ 2/5 ▶`` under a paged list (nothing for a single page); ``data(n)`` is the button of page n."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(InlineKeyboardButton("◀", callback_data=data(page - 1).pack()))
    row.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=Noop().pack()))
    if page < pages - 1:
        row.append(InlineKeyboardButton("▶", callback_data=data(page + 1).pack()))
    return row


def usage_errors(handler: H) -> H:
    """Decorator: a :class:`~bot.usage.UsageError` raised by the handler (or the parsers it calls) is
    answered with its translated text; nothing else happens."""

    @functools.wraps(handler)
    async def answering(update: Update, context: BotContext) -> Any:
        try:
            return await handler(update, context)
        except UsageError as error:
            await reply(update, context, error.text(context.gettext))
            return None

    return answering  # type: ignore[return-value]
