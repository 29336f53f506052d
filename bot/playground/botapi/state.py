"""The state every part of :class:`~bot.playground.botapi.FakeBotAPI` shares, and the core internals.

:class:`_FakeState` owns all instance attributes (set in its ``__init__``), so each mixin sees
them typed. It also holds what most mixins need: change notification, chat lookup and access
checks, storing messages and queueing updates. On subclass creation it collects the Bot API
method implementations of the class and its bases (see :func:`~bot.playground.botapi.parameters._api_table`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import aiohttp
from aiohttp import web

from bot.playground.botapi.constants import (
    _MEMBER_STATUSES,
    _RESTRICTED_FLAGS,
    DEFAULT_ALLOWED_UPDATES,
    DEFAULT_TOKEN,
    JSONDict,
)
from bot.playground.botapi.helpers import _chat_id_of, _now
from bot.playground.botapi.models import (
    ApiError,
    Call,
    FakeUser,
    StoredFile,
    _bad,
    _ChatState,
    _DelayRule,
    _FailRule,
    _Limits,
    _PollState,
)
from bot.playground.botapi.parameters import _api_table, _Params


class _FakeState:
    """State and core internals shared by the mixins :class:`~bot.playground.botapi.FakeBotAPI` is made of."""

    #: Bot API methods implemented by this class: lower-case name -> (canonical name, attribute).
    _api_methods: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._api_methods = _api_table(cls)

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "xingzhan_test_bot",
        bot_first_name: str = "星站",
        group_privacy: bool = False,
        supports_inline_queries: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``group_privacy=True`` emulates BotFather's privacy mode: in groups where the bot is
        not an admin it only receives commands, replies to its messages and mentions."""
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.group_privacy = group_privacy
        self.supports_inline_queries = supports_inline_queries
        self.host = host
        self.port = port  # 0: any free port, chosen when the server starts

        self.calls: list[Call] = []
        self.updates: list[JSONDict] = []
        self.undelivered_updates: list[JSONDict] = []
        self.dropped_updates: list[JSONDict] = []
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.files: dict[str, StoredFile] = {}
        self.uploads: list[StoredFile] = []
        self.rejected_429 = 0
        self.rejected_by_chat: Counter[int] = Counter()
        self.accepted_sends: Counter[int] = Counter()
        self.bot_settings: dict[str, Any] = {}
        self.logged_out = False
        self.closed = False

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _ChatState] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._pending: list[JSONDict] = []
        self._delivered_ids: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._webhook: JSONDict | None = None
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._poll_ids = itertools.count(5_000_000_000_000_000_001)
        self._polls: dict[str, _PollState] = {}
        self._callback_queries: dict[str, JSONDict] = {}
        self._inline_queries: dict[str, JSONDict] = {}
        self._fail_rules: list[_FailRule] = []
        self._delay_rules: list[_DelayRule] = []
        self._custom_handlers: dict[str, tuple[str, Callable[..., Any]]] = {}
        self._limits: _Limits | None = None
        self._sent_all: deque[float] = deque()
        self._sent_by_chat: dict[int, deque[float]] = {}
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._signal = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    @property
    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object as it appears in ``message.from``."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _notify(self) -> None:
        self._signal.set()
        self._signal = asyncio.Event()

    async def _wait_signal(self, seconds: float) -> None:
        event = self._signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _state(self, chat: Any) -> _ChatState:
        chat_id = _chat_id_of(chat)
        state = self._chats.get(chat_id)
        if state is None:
            raise KeyError(f"unknown chat {chat_id!r}; register it with fake.user() or fake.group()")
        return state

    def _lookup_chat(self, chat_id: Any) -> _ChatState:
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for state in self._chats.values():
                if state.chat.username and state.chat.username.lower() == chat_id[1:].lower():
                    return state
            raise _bad("chat not found")
        try:
            state = self._chats.get(int(chat_id))
        except (TypeError, ValueError):
            state = None
        if state is None:
            raise _bad("chat not found")
        return state

    def _check_access(self, state: _ChatState, *, sending: bool = True) -> None:
        if state.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        chat = state.chat
        if chat.type == "private":
            user = self._users.get(chat.id)
            if user is not None and user.is_bot:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if state.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if sending and state.bot_status == "kicked":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if sending and not state.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        kind = {"supergroup": "supergroup chat", "channel": "channel chat"}.get(chat.type, "group chat")
        if state.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if state.bot_status not in _MEMBER_STATUSES:
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _chat_for_send(self, params: _Params) -> _ChatState:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        return state

    def _store_message(self, state: _ChatState, payload: JSONDict, *, sender: JSONDict | None) -> JSONDict:
        message_id = state.next_message_id
        state.next_message_id += 1
        msg: JSONDict = {"message_id": message_id}
        if sender is not None:
            msg["from"] = copy.deepcopy(sender)
        msg["chat"] = state.chat.to_dict()
        msg["date"] = _now()
        msg.update(payload)
        state.messages[message_id] = msg
        return msg

    def _push_update(self, kind: str, payload: JSONDict, *, deliver: bool = True) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        if deliver:
            self._pending.append(update)
        else:
            self.undelivered_updates.append(update)
        self._touch()
        self._notify()
        return copy.deepcopy(update)

    def _is_allowed(self, update: Mapping[str, Any]) -> bool:
        kind = next(k for k in update if k != "update_id")
        allowed = set(self._allowed_updates) if self._allowed_updates else DEFAULT_ALLOWED_UPDATES
        return kind in allowed

    def _member_update(
        self, state: _ChatState, by: FakeUser, old: str, new: str, *, subject: FakeUser | None = None
    ) -> JSONDict:
        who = subject.to_dict() if subject else self.bot_user
        return {
            "chat": state.chat.to_dict(),
            "from": by.to_dict(),
            "date": _now(),
            "old_chat_member": self._member_dict(who, old),
            "new_chat_member": self._member_dict(who, new),
        }

    @staticmethod
    def _member_dict(user: JSONDict, status: str) -> JSONDict:
        data: JSONDict = {"user": copy.deepcopy(user), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                    "can_pin_messages": True,
                }
            )
        elif status == "kicked":
            data["until_date"] = 0
        elif status == "restricted":
            data.update({key: False for key in _RESTRICTED_FLAGS})
            data.update({"is_member": True, "until_date": 0})
        return data
