"""The one way the bot waits for someone's next message: a ``ConversationHandler``.

Cancelling is a filter, :data:`CANCEL`, matching ``/cancel``, the ✖ Cancel keyboard label in every language
and a few words people type to stop (取消, 算了, 退出, cancel). States exclude it (``filters.TEXT & ~CANCEL``)
and a fallback catches it, as in python-telegram-bot's ``persistentconversationbot.py`` example::

    conversation(
        name="job_application_form",
        entry_points=[...],
        states={NAME: [MessageHandler(TEXT_ANSWER, form_name)], ...},
        fallbacks=[MessageHandler(CANCEL, form_cancel)],
    )
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram.ext import BaseHandler, ConversationHandler, filters
from telegram.warnings import PTBUserWarning

from bot.i18n import N_, SUPPORTED_LANGUAGES, gettext_for

CANCEL_LABEL = N_("✖ Cancel")
CANCEL_WORDS = ("取消", "算了", "退出", "cancel")


def cancel_label(_: Any) -> str:
    """The ✖ Cancel button of a reply keyboard, in the person's language."""
    return str(_(CANCEL_LABEL))


def _cancel_texts() -> list[str]:
    labels = {gettext_for(language)(CANCEL_LABEL) for language in SUPPORTED_LANGUAGES}
    return sorted({*labels, *CANCEL_WORDS})


#: ``/cancel`` or a cancelling text (the ✖ Cancel button, 取消, 算了, 退出, cancel), any letter case.
CANCEL = filters.TEXT & filters.Regex(
    re.compile(
        r"^\s*(/cancel(@\w+)?|" + "|".join(re.escape(text) for text in _cancel_texts()) + r")\s*$",
        re.IGNORECASE,
    )
)
#: A typed answer in a private chat: text that is neither a command nor a cancel.
TEXT_ANSWER = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & ~CANCEL


def conversation(
    *,
    name: str,
    entry_points: Sequence[BaseHandler[Any, Any, Any]],
    states: Mapping[object, Sequence[BaseHandler[Any, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Any, Any, Any]],
    timeout: timedelta | None = None,
    allow_reentry: bool = True,
) -> ConversationHandler[Any]:
    """A per-person conversation (not per message: buttons start it, typed answers continue it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=list(fallbacks),
            conversation_timeout=timeout,
            allow_reentry=allow_reentry,
            name=name,
        )
