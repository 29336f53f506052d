"""What several jobs flows share: the forms' keyboards and input errors, messages, editing buttons, group
copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.jobs import outbox, render, service
from bot.jobs.models import JobPosting
from bot.jobs.service import InputError

FORM_TIMEOUT = timedelta(minutes=30)
POSTING_GONE = N_("This posting no longer exists.")
APPLICATION_GONE = N_("This application no longer exists (withdrawn data is deleted on request).")
INPUT_ERRORS = {
    InputError.EMPTY: N_("Please write something."),
    InputError.TOO_SHORT: N_("That is too short: at least {min} characters."),
    InputError.TOO_LONG: N_("That is too long: at most {max} characters (you wrote {length})."),
    InputError.NOT_A_NUMBER: N_("Please write a number, for example: 3"),
    InputError.OUT_OF_RANGE: N_("Please write a number from 1 to 999."),
    InputError.NOT_A_NAME: N_("Please write your name in letters, not only digits or signs."),
    InputError.BAD_PHONE: N_(
        "That is not a mainland mobile number: 11 digits starting with 1, for example 138 1234 5678."
    ),
    InputError.BAD_DATE: N_("I could not read that date. Write it like 2026-12-31, 12-31 or 12月31日."),
    InputError.PAST_DATE: N_("That day has already passed. Choose today or a later day."),
    InputError.FAR_DATE: N_("That is more than a year away. Choose an earlier day."),
}


def field_label(_: Translate, key: str) -> str:
    """The name of a posting or application field (also the forms' input placeholder)."""
    return _(render.FIELD_LABELS[key])


def form_keyboard(
    rows: Sequence[Sequence[str | KeyboardButton]], placeholder: str | None = None
) -> ReplyKeyboardMarkup:
    """The answer buttons of a form's question."""
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, input_field_placeholder=placeholder)


def input_error(
    _: Translate, error: InputError, *, rule: service.TextRule | None = None, text: str = ""
) -> str:
    """Why a typed answer was refused, in words."""
    return _(
        INPUT_ERRORS[error],
        min=rule.min if rule else 1,
        max=rule.max if rule else 0,
        length=len(service.tidy(text)),
    )


async def refresh_copies(context: BotContext, session: AsyncSession, posting: JobPosting) -> int:
    """Queue edits of the posting's copies in the village groups; how many copies change."""
    return await outbox.refresh_announcements(
        session,
        posting,
        bot_username=context.bot.username,
        language=context.settings.default_language,
        tz=context.settings.tz,
    )


def chat_id(update: Update) -> int:
    """The chat to answer in: where the message was written or the button pressed. A form's questions go
    there with ``bot.send_message`` (``reply`` would acknowledge a pressed button a second time)."""
    assert update.effective_chat is not None
    return update.effective_chat.id


async def edit_buttons(update: Update, markup: InlineKeyboardMarkup) -> None:
    """Replace the buttons under the pressed message (the press already answered); buttons that do not
    change, or a message that is gone, are not errors."""
    assert update.callback_query is not None
    try:
        await update.callback_query.edit_message_reply_markup(markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" not in reason and "message to edit not found" not in reason:
            raise
