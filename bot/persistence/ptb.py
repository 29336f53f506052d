"""python-telegram-bot's persistence on the bot's own database: conversation states and ``user_data``.

Nothing else is kept: no ``chat_data``, no ``callback_data``, and never ``bot_data`` (the running bot's
engine, caches and locks, rebuilt at each start). Values are JSON (``bot.persistence.store``).

Three moments matter:

- at start, PTB reads every open conversation and everyone's answers (``initialize()``);
- before each update is handled, :meth:`DatabasePersistence.reload` reads the sender's conversations and
  answers again, so a form moved on by another instance (a webhook behind a load balancer, a standby that
  took over) continues at the step that instance left it;
- after each update, the handlers of ``bot.persistence.handlers`` write what it changed; PTB's own loop runs
  every :data:`UPDATE_INTERVAL_SECONDS` for what changed outside an update (a conversation's timeout).

The reading before each update happens on every backend and in both modes, not only with PostgreSQL or
webhooks: a standby that takes over long polling was started hours before and its memory is that old; one code
path behaves the same on SQLite and PostgreSQL and is tested on both; and it costs one query on two indexed
columns (``store.forms_of``), with nothing written when nothing changed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram.ext import BasePersistence, ConversationHandler, PersistenceInput

from bot.clock import utcnow
from bot.persistence import store
from bot.persistence.store import Key as ConversationKey

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.db import SessionFactory

log = logging.getLogger(__name__)

#: How often PTB writes what changed outside an update (a conversation timing out); updates are written at once.
UPDATE_INTERVAL_SECONDS = 1.0
#: A timer that fires this close to the stored step's timeout is due: the step is written just after the timer
#: starts (and another machine's clock may be a little off). A person's next step comes later than this.
TIMEOUT_SLACK = timedelta(seconds=1)

Data = dict[Any, Any]
#: A conversation's states by key, as PTB keeps them.
ConversationDict = dict[ConversationKey, object]
#: Days a form may stay untouched before it is forgotten at the next start (answers hold names and phones).
UNTOUCHED_FOR = timedelta(days=30)


def timeout_of(handler: ConversationHandler[Any]) -> timedelta | None:
    """A conversation's timeout as a timedelta (None: it waits forever)."""
    timeout = handler.conversation_timeout
    if timeout is None or isinstance(timeout, timedelta):
        return timeout
    return timedelta(seconds=timeout)


def user_of(handler: ConversationHandler[Any], key: ConversationKey) -> int | None:
    """Whose conversation ``key`` is: the user id in it (after the chat id when the handler is per chat)."""
    if not handler.per_user:
        return None
    position = 1 if handler.per_chat else 0
    user_id = key[position] if len(key) > position else None
    return user_id if isinstance(user_id, int) else None


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """Conversation states and ``user_data`` in the tables of ``bot.persistence.models``.

    :meth:`attach` gives it the application (its session factory and its conversation handlers).
    """

    __slots__ = ("_application", "_written")

    def __init__(self, update_interval: float | None = None) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=UPDATE_INTERVAL_SECONDS if update_interval is None else update_interval,
        )
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None
        #: Each person's ``user_data`` as JSON, as last written or read ("" for none): unchanged is not written.
        self._written: dict[int, str] = {}

    def attach(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """The application whose conversations are kept (its ``bot_data.db`` is the database)."""
        self._application = application

    @property
    def _db(self) -> SessionFactory:
        assert self._application is not None, "DatabasePersistence.attach() was not called"
        db: SessionFactory = self._application.bot_data.db
        return db

    def conversation_handlers(self) -> dict[str, ConversationHandler[Any]]:
        """The application's persistent conversation handlers, by name."""
        assert self._application is not None
        return {
            handler.name: handler
            for group in self._application.handlers.values()
            for handler in group
            if isinstance(handler, ConversationHandler) and handler.persistent and handler.name
        }

    # --- conversations -----------------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self._db() as session:
            stored = await store.conversations(session, name)
        return {key: row.state for key, row in stored.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        async with self._db() as session:
            if new_state is None:
                await store.delete_state(session, name, key)
                return
            handler = self.conversation_handlers().get(name)
            user_id = user_of(handler, key) if handler is not None else None
            await store.save_state(session, name, key, new_state, user_id=user_id)

    # --- user_data ---------------------------------------------------------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        """Everyone's answers so far (read once, at start, before the conversations): forms left untouched
        for :data:`UNTOUCHED_FOR` are forgotten first."""
        async with self._db() as session:
            await store.forget_untouched(session, utcnow() - UNTOUCHED_FOR)
            everyone = await store.all_user_data(session)
        self._written = {user_id: store.to_json(data) for user_id, data in everyone.items()}
        return everyone

    async def update_user_data(self, user_id: int, data: Data) -> None:
        text = store.to_json(data) if data else ""
        if self._written.get(user_id, "") == text:
            return
        if not store.survives_json(data):
            log.warning("the answers of %s change when stored as JSON (a tuple, a number as a key?)", user_id)
        async with self._db() as session:
            await store.save_user_data(session, user_id, data)
        self._written[user_id] = text

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing here: :meth:`reload` has read the person's answers before any handler ran."""

    async def drop_user_data(self, user_id: int) -> None:
        async with self._db() as session:
            await store.delete_user_data(session, user_id)
        self._written.pop(user_id, None)

    # --- one person, before their update is handled ------------------------------------------------

    def _has_unwritten(self, user_id: int, user_data: Data) -> bool:
        """Whether this process changed the person's forms and has not written the change yet."""
        try:
            if (store.to_json(user_data) if user_data else "") != self._written.get(user_id, ""):
                return True
        except (TypeError, ValueError):  # not JSON: writing it fails and reports the error
            return True
        for handler in self.conversation_handlers().values():
            pending = handler._conversations  # a TrackingDict once persistence is initialized
            accessed = getattr(pending, "_write_access_keys", ())
            if any(user_of(handler, key) == user_id for key in accessed):
                return True
        return False

    async def reload(
        self, user_id: int, user_data: Data
    ) -> list[tuple[ConversationHandler[Any], ConversationKey]]:
        """Make this process's view of a person's forms the database's: their conversations in every persistent
        handler, and their answers (``user_data``, replaced in place).

        Returns the conversations whose timeout passed while no process was counting it (the instance that
        started the timer is gone): the caller closes them as their timeout would have.
        """
        assert self._application is not None
        if self._has_unwritten(user_id, user_data):
            await self._application.update_persistence()
        async with self._db() as session:
            forms = await store.forms_of(session, user_id)
        answers = forms.user_data or {}
        user_data.clear()
        user_data.update(answers)
        self._written[user_id] = store.to_json(answers) if answers else ""
        now = utcnow()
        expired: list[tuple[ConversationHandler[Any], ConversationKey]] = []
        for name, handler in self.conversation_handlers().items():
            held = handler._conversations
            stored = forms.conversations.get(name, {})
            for key in [k for k in held if user_of(handler, k) == user_id and k not in stored]:
                # Ended elsewhere: forget it here too, without writing anything.
                getattr(held, "data", held).pop(key, None)
            for key, row in stored.items():
                _set_untracked(held, key, row.state)
                timeout = timeout_of(handler)
                if timeout is not None and row.updated_at + timeout <= now:
                    expired.append((handler, key))
        return expired

    async def timeout_due(self, handler: ConversationHandler[Any], key: ConversationKey) -> bool:
        """Whether a conversation timer that fired here is due: the conversation has not moved since the step
        that started it. If another process handled a later step (its own timer counts from there) or ended
        the conversation, this process takes the database's view and the timer is not due."""
        assert handler.name is not None
        timeout = timeout_of(handler) or timedelta(0)
        async with self._db() as session:
            row = await store.state_of(session, handler.name, key)
        held = handler._conversations
        if row is None:
            getattr(held, "data", held).pop(key, None)
            return False
        if row.updated_at + timeout - utcnow() <= TIMEOUT_SLACK:
            return True
        _set_untracked(held, key, row.state)
        return False

    # --- what is not kept --------------------------------------------------------------------------

    async def get_chat_data(self) -> dict[int, Data]:
        return {}

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """``chat_data`` is not kept."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """``chat_data`` is not kept."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """``chat_data`` is not kept."""

    async def get_bot_data(self) -> Data:
        return {}

    async def update_bot_data(self, data: Data) -> None:
        """``bot_data`` is the running bot's own and never kept."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """``bot_data`` is the running bot's own and never kept."""

    async def get_callback_data(self) -> Any:
        return None

    async def update_callback_data(self, data: Any) -> None:
        """Buttons carry their own typed data; nothing is kept."""

    async def flush(self) -> None:
        """Every write is committed as it is made: nothing is left to flush."""


def _set_untracked(held: Any, key: ConversationKey, state: object) -> None:
    """Set a conversation's state in a handler without marking it as a change to write back."""
    if hasattr(held, "update_no_track"):
        held.update_no_track({key: state})
    else:
        held[key] = state


__all__ = ["UPDATE_INTERVAL_SECONDS", "DatabasePersistence", "timeout_of", "user_of"]
