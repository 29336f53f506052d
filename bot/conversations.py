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

Every conversation is persistent: its state and the answers kept in ``user_data`` live in the database
(``bot.persistence``), so a restart, or another instance, continues a form at the same step. States and
``user_data`` values must therefore be JSON values (strings, numbers, lists, dicts with string keys).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackContext, ConversationHandler, filters
from telegram.warnings import PTBUserWarning

from bot.i18n import N_, SUPPORTED_LANGUAGES, gettext_for
from bot.persistence.ptb import DatabasePersistence, user_of
from bot.persistence.store import Key as ConversationKey

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


class Conversation(ConversationHandler[Any]):
    """A ``ConversationHandler`` whose timeout agrees with the database.

    Each process counts a conversation's timeout from the steps it handled itself. When the person's last
    step was handled by another instance, the timer that fires here is not due (that instance's timer counts
    from the later step): the state is taken from the database and nothing is said. A conversation whose
    timeout passed while no process counted it (after a restart) is closed by :meth:`close_timed_out` when the
    person next writes.
    """

    async def _trigger_timeout(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        assert job is not None
        key: ConversationKey = job.data.conversation_key  # type: ignore[union-attr]
        persistence = context.application.persistence
        if isinstance(persistence, DatabasePersistence) and not await persistence.timeout_due(self, key):
            async with self._timeout_jobs_lock:
                if self.timeout_jobs.get(key) is job:
                    del self.timeout_jobs[key]
            return
        await super()._trigger_timeout(context)
        if persistence is not None:  # the answers the timeout handlers dropped, and the end, written at once
            user_id = user_of(self, key)
            if user_id is not None:
                context.application.mark_data_for_update_persistence(user_ids=user_id)
            await context.application.update_persistence()

    async def close_timed_out(
        self, key: ConversationKey, update: Update, context: CallbackContext[Any, Any, Any, Any]
    ) -> None:
        """Close a conversation whose timeout passed unseen: its ``TIMEOUT`` handlers run with the person's new
        update (as they would have with the last one), then the conversation ends."""
        async with self._timeout_jobs_lock:
            job = self.timeout_jobs.pop(key, None)
        if job is not None:
            job.schedule_removal()
        for handler in self.states.get(self.TIMEOUT, []):
            check = handler.check_update(update)
            if check is not None and check is not False:
                with contextlib.suppress(ApplicationHandlerStop):  # no effect in a timeout, as in PTB
                    await handler.handle_update(update, context.application, check, context)
        self._update_state(self.END, key)


def conversation(
    *,
    name: str,
    entry_points: Sequence[BaseHandler[Any, Any, Any]],
    states: Mapping[object, Sequence[BaseHandler[Any, Any, Any]]],
    fallbacks: Sequence[BaseHandler[Any, Any, Any]],
    timeout: timedelta | None = None,
    allow_reentry: bool = True,
) -> Conversation:
    """A per-person, persistent conversation (not per message: buttons start it, typed answers continue it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return Conversation(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=list(fallbacks),
            conversation_timeout=timeout,
            allow_reentry=allow_reentry,
            name=name,
            persistent=True,
        )
