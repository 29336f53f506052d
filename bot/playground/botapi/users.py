"""Acting as users: registering users and groups, and users sending messages, photos, files,
voice notes, contacts and locations, forwarding, editing, pressing inline buttons, answering polls and
typing inline queries. Also decides which user messages reach the bot (group privacy mode)."""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Mapping
from typing import Any, Literal

from bot.playground.botapi.constants import _ADMIN_STATUSES, _MEMBER_STATUSES, JSONDict
from bot.playground.botapi.files import FilesMixin
from bot.playground.botapi.formatting import parse_formatted_text
from bot.playground.botapi.helpers import _as_mapping, _chat_id_of, _is_service, _markup_buttons, _now
from bot.playground.botapi.models import Call, FakeChat, FakeUser, _ChatState


class UsersMixin(FilesMixin):
    """Users and chats known to the fake, and users' messages to the bot."""

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        last_name: str | None = None,
        started: bool = True,
    ) -> FakeUser:
        """Register a user and their private chat with the bot.

        ``started=False`` models a user who never opened the bot: sending to them answers 403
        "bot can't initiate conversation with a user" until they write to the bot.
        """
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self._users[user_id] = user
        state = self._chats.get(user_id)
        if state is None:
            self._chats[user_id] = _ChatState(chat=user.chat, started=started)
        else:
            state.chat = user.chat
        return user

    def group(
        self,
        chat_id: int,
        title: str,
        *,
        type: Literal["group", "supergroup", "channel"] = "group",
        username: str | None = None,
        bot_status: str = "member",
        is_forum: bool = False,
    ) -> FakeChat:
        """Register a group/supergroup/channel (ids must be negative, as on Telegram).

        The bot starts with ``bot_status`` (``member``, ``administrator``, ``left``, ...).
        """
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative on Telegram (supergroups: -100...)")
        chat = FakeChat(chat_id, type, title=title, username=username, is_forum=is_forum)
        state = self._chats.get(chat_id)
        if state is None:
            self._chats[chat_id] = _ChatState(chat=chat, bot_status=bot_status)
        else:
            state.chat = chat
            state.bot_status = bot_status
        return chat

    def set_member_status(self, chat: FakeChat | int, user: FakeUser | int, status: str) -> None:
        """Set a user's status in a group (``creator``, ``administrator``, ``member``, ``left`` ...)."""
        state = self._state(chat)
        state.members[_chat_id_of(user)] = status

    def set_bot_status(self, chat: FakeChat | int, status: str) -> None:
        """Silently set the bot's own status in a group (no update is produced)."""
        self._state(chat).bot_status = status

    async def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """The user sends a text message (``/commands`` get ``bot_command`` entities)."""
        state = self._user_chat(user, chat)
        plain, found = parse_formatted_text(text, entities=entities)
        payload: JSONDict = {"text": plain}
        if found:
            payload["entities"] = found
        return await self._user_message(user, state, payload, reply_to)

    async def send_photo(
        self,
        user: FakeUser,
        data: bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x05\x00\x00\x00\x03\xc0",
        *,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a photo (message with several ``photo`` sizes)."""
        state = self._user_chat(user, chat)
        stored = self._store_file("photo", data, None, "image/jpeg", by_bot=False)
        payload: JSONDict = {"photo": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def send_document(
        self,
        user: FakeUser,
        data: bytes,
        *,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a file."""
        state = self._user_chat(user, chat)
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._store_file("document", data, file_name, mime, by_bot=False)
        payload: JSONDict = {"document": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def send_voice(
        self,
        user: FakeUser,
        data: bytes = b"OggS\x00\x02fake-voice",
        *,
        duration: int = 3,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: Mapping[str, Any] | int | None = None,
    ) -> JSONDict:
        """The user sends a voice note."""
        state = self._user_chat(user, chat)
        stored = self._store_file("voice", data, None, "audio/ogg", by_bot=False, duration=duration)
        payload: JSONDict = {"voice": self._media_object(stored)}
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, reply_to)

    async def send_sticker(
        self, user: FakeUser, *, emoji: str = "👍", chat: FakeChat | int | None = None
    ) -> JSONDict:
        """The user sends a sticker."""
        state = self._user_chat(user, chat)
        stored = self._store_file(
            "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", None, "image/webp", by_bot=False
        )
        sticker = {
            **self._media_object(stored),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._user_message(user, state, {"sticker": sticker}, None)

    async def share_contact(
        self,
        user: FakeUser,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user shares a contact. By default it is their own (``user_id`` = the user's id,
        as with a ``request_contact`` button); pass ``user_id=0`` for a contact without one."""
        state = self._user_chat(user, chat)
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name or user.first_name}
        last = last_name if last_name is not None else (user.last_name if first_name is None else None)
        if last:
            contact["last_name"] = last
        contact_user_id = user.id if user_id is None else user_id
        if contact_user_id:
            contact["user_id"] = contact_user_id
        return await self._user_message(user, state, {"contact": contact}, None)

    async def share_location(
        self,
        user: FakeUser,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        live_period: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user shares a location."""
        state = self._user_chat(user, chat)
        location: JSONDict = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        if live_period is not None:
            location["live_period"] = live_period
        return await self._user_message(user, state, {"location": location}, None)

    async def forward_message(
        self,
        user: FakeUser,
        *,
        origin: FakeUser | FakeChat | str,
        text: str | None = None,
        caption: str | None = None,
        date: int | None = None,
        chat: FakeChat | int | None = None,
    ) -> JSONDict:
        """The user forwards a text message written by ``origin`` (a user, a channel, or a
        hidden sender's name) to the bot."""
        state = self._user_chat(user, chat)
        when = date if date is not None else _now() - 60
        if isinstance(origin, FakeUser):
            forward_origin: JSONDict = {"type": "user", "sender_user": origin.to_dict(), "date": when}
        elif isinstance(origin, FakeChat):
            if origin.type == "channel":
                forward_origin = {"type": "channel", "chat": origin.to_dict(), "message_id": 1, "date": when}
            else:
                forward_origin = {"type": "chat", "sender_chat": origin.to_dict(), "date": when}
        else:
            forward_origin = {"type": "hidden_user", "sender_user_name": origin, "date": when}
        payload: JSONDict = {"forward_origin": forward_origin}
        if text is not None:
            plain, found = parse_formatted_text(text)
            payload["text"] = plain
            if found:
                payload["entities"] = found
        self._add_user_caption(payload, caption)
        return await self._user_message(user, state, payload, None)

    async def edit_text(self, user: FakeUser, message: Mapping[str, Any] | int, text: str) -> JSONDict:
        """The user edits one of their text messages (``edited_message`` update)."""
        state, msg = self._find_message(message, default_chat=user.id)
        if msg.get("from", {}).get("id") != user.id:
            raise AssertionError("users can only edit their own messages")
        plain, found = parse_formatted_text(text)
        msg["text"] = plain
        if found:
            msg["entities"] = found
        else:
            msg.pop("entities", None)
        msg["edit_date"] = _now()
        return self._push_update("edited_message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def press_button(
        self,
        user: FakeUser,
        message: Mapping[str, Any] | int,
        data: str | None = None,
        *,
        text: str | None = None,
        strict: bool = True,
    ) -> JSONDict:
        """The user presses an inline button of a bot message (by ``callback_data`` or label).

        ``message`` is a message dict (e.g. from :meth:`sent_messages` or a call result) or a
        message id in the user's private chat. With ``strict`` the button must be on the
        message as currently shown, like in a real client; ``strict=False`` allows stale
        presses (the message may even be gone: an inaccessible message is sent).
        """
        default_chat = user.id
        message = _as_mapping(message)
        if isinstance(message, Mapping):
            default_chat = message["chat"]["id"]
            message_id = int(message["message_id"])
        else:
            message_id = int(message)
        state = self._state(default_chat)
        current = state.messages.get(message_id)
        if current is None and strict:
            raise AssertionError(f"message {message_id} in chat {state.chat.id} does not exist (deleted?)")
        if current is not None:
            buttons = _markup_buttons(current)
            match = [
                b
                for b in buttons
                if (data is None or b.get("callback_data") == data)
                and (text is None or b.get("text") == text)
            ]
            if match and "callback_data" in match[0]:
                data = match[0]["callback_data"]
            elif strict:
                shown = [(b.get("text"), b.get("callback_data")) for b in buttons]
                raise AssertionError(
                    f"no button with data={data!r} text={text!r} on message {message_id}; shown: {shown}"
                )
        if data is None:
            raise AssertionError("no callback data to send")
        query_id = self._new_query_id()
        query: JSONDict = {
            "id": query_id,
            "from": user.to_dict(),
            "chat_instance": self._chat_instance(state.chat.id),
            "data": data,
        }
        if current is not None:
            query["message"] = copy.deepcopy(current)
        else:
            query["message"] = {"chat": state.chat.to_dict(), "message_id": message_id, "date": 0}
        self._callback_queries[query_id] = query
        return self._push_update("callback_query", query)

    async def answer_poll(
        self,
        user: FakeUser,
        poll: Mapping[str, Any] | Call | str,
        option_ids: list[int],
        *,
        strict: bool = True,
    ) -> JSONDict | None:
        """The user chooses ``option_ids`` in a poll the bot sent (a message dict, the ``sendPoll`` call, or
        the poll id), as Telegram reports it: a ``poll_answer`` update (non-anonymous polls only; it has no
        chat, only the user) and a ``poll`` update with the new counts. Returns the ``poll_answer`` update
        (None for an anonymous poll).

        With ``strict`` the user must see the poll (their private chat, or a group they are in), it must be
        open, and a quiz takes one answer, once — what a real client allows. ``strict=False`` answers any
        poll id, even one the bot never sent to this user (a forwarded poll, a forged update).
        """
        poll_id = self._poll_id_of(poll)
        known = self._polls.get(poll_id)
        if strict:
            if known is None:
                raise AssertionError(f"the bot sent no poll {poll_id}")
            state = self._state(known.chat_id)
            shown = state.messages.get(known.message_id)
            if shown is None:
                raise AssertionError(f"the message of poll {poll_id} is gone")
            if state.chat.type == "private" and state.chat.id != user.id:
                raise AssertionError(f"{user.first_name} cannot see poll {poll_id} in chat {state.chat.id}")
            if state.chat.type != "private" and state.members.get(user.id) in (None, "left", "kicked"):
                raise AssertionError(f"{user.first_name} is not in chat {state.chat.id}")
            current = shown["poll"]
            if current["is_closed"]:
                raise AssertionError(f"poll {poll_id} is closed")
            if user.id in known.votes and not current["allows_revoting"]:
                raise AssertionError(f"poll {poll_id} takes one answer, once")
            if len(option_ids) > 1 and not current["allows_multiple_answers"]:
                raise AssertionError(f"poll {poll_id} takes one answer")
            if any(not 0 <= option < len(current["options"]) for option in option_ids):
                raise AssertionError(f"poll {poll_id} has no option {option_ids}")
        answer = None
        if known is not None:
            shown = self._state(known.chat_id).messages.get(known.message_id)
            if shown is not None:
                current = shown["poll"]
                for option in known.votes.pop(user.id, []):
                    current["options"][option]["voter_count"] -= 1
                if option_ids:
                    known.votes[user.id] = list(option_ids)
                    for option in option_ids:
                        current["options"][option]["voter_count"] += 1
                current["total_voter_count"] = len(known.votes)
                if not current["is_anonymous"]:
                    answer = self._push_poll_answer(poll_id, user, option_ids)
                self._push_update("poll", copy.deepcopy(current))
                return answer
        return self._push_poll_answer(poll_id, user, option_ids)

    def _push_poll_answer(self, poll_id: str, user: FakeUser, option_ids: list[int]) -> JSONDict:
        payload: JSONDict = {
            "poll_id": poll_id,
            "user": user.to_dict(),
            "option_ids": list(option_ids),
            "option_persistent_ids": [str(option) for option in option_ids],
        }
        return self._push_update("poll_answer", payload)

    @staticmethod
    def _poll_id_of(poll: Mapping[str, Any] | Call | str) -> str:
        if isinstance(poll, str):
            return poll
        if isinstance(poll, Call):
            poll = poll.result
        poll = _as_mapping(poll)
        return str(poll["poll"]["id"] if "poll" in poll else poll["id"])

    async def inline_query(
        self, user: FakeUser, query: str, offset: str = "", *, chat_type: str | None = "sender"
    ) -> JSONDict:
        """The user types ``@bot query`` (``inline_query`` update)."""
        query_id = self._new_query_id()
        payload: JSONDict = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset}
        if chat_type:
            payload["chat_type"] = chat_type
        self._inline_queries[query_id] = payload
        return self._push_update("inline_query", payload)

    def _user_chat(self, user: FakeUser, chat: FakeChat | int | None) -> _ChatState:
        if user.id not in self._users:
            self._users[user.id] = user
        if chat is None:
            state = self._chats.get(user.id)
            if state is None:
                state = self._chats[user.id] = _ChatState(chat=user.chat)
            state.started = True
            return state
        state = self._state(chat)
        if state.migrated_to is not None:
            raise AssertionError(f"chat {state.chat.id} was migrated to {state.migrated_to}")
        if state.members.get(user.id) in (None, "left"):
            state.members[user.id] = "member"
        return state

    def _find_message(
        self, ref: Mapping[str, Any] | int, *, default_chat: int
    ) -> tuple[_ChatState, JSONDict]:
        ref = _as_mapping(ref)
        if isinstance(ref, Mapping):
            state = self._state(ref["chat"]["id"])
            message_id = int(ref["message_id"])
        else:
            state = self._state(default_chat)
            message_id = int(ref)
        msg = state.messages.get(message_id)
        if msg is None:
            raise AssertionError(f"message {message_id} not found in chat {state.chat.id}")
        return state, msg

    def _reply_snapshot(self, state: _ChatState, ref: Mapping[str, Any] | int) -> JSONDict:
        ref = _as_mapping(ref)
        message_id = int(ref["message_id"]) if isinstance(ref, Mapping) else int(ref)
        target = state.messages.get(message_id)
        if target is None:
            raise AssertionError(f"message {message_id} to reply to not found in chat {state.chat.id}")
        snapshot = copy.deepcopy(target)
        snapshot.pop("reply_to_message", None)
        return snapshot

    def _add_user_caption(self, payload: JSONDict, caption: str | None) -> None:
        if caption:
            plain, found = parse_formatted_text(caption)
            payload["caption"] = plain
            if found:
                payload["caption_entities"] = found

    async def _user_message(
        self,
        user: FakeUser,
        state: _ChatState,
        payload: JSONDict,
        reply_to: Mapping[str, Any] | int | None,
    ) -> JSONDict:
        if reply_to is not None:
            payload["reply_to_message"] = self._reply_snapshot(state, reply_to)
        self._use_one_time_keyboard(state, payload)
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    @staticmethod
    def _use_one_time_keyboard(state: _ChatState, payload: Mapping[str, Any]) -> None:
        """A one-time reply keyboard hides once one of its buttons is used, as Telegram's clients do: a button's
        text sent, or the contact or location a request button shares."""
        keyboard = state.reply_keyboard
        if not keyboard or not keyboard.get("one_time_keyboard"):
            return
        for row in keyboard.get("keyboard", []):
            for raw in row:
                button = {"text": raw} if isinstance(raw, str) else raw
                if (
                    payload.get("text") == button.get("text")
                    or ("contact" in payload and button.get("request_contact"))
                    or ("location" in payload and button.get("request_location"))
                ):
                    state.reply_keyboard = None
                    return

    def _bot_sees(self, state: _ChatState, msg: Mapping[str, Any]) -> bool:
        if state.chat.type == "private":
            return state.bot_status != "kicked"
        if state.bot_status not in _MEMBER_STATUSES:
            return False
        if not self.group_privacy or state.bot_status in _ADMIN_STATUSES or _is_service(msg):
            return True
        reply = msg.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        text = msg.get("text") or msg.get("caption") or ""
        for entity in msg.get("entities") or msg.get("caption_entities") or []:
            chunk = text.encode("utf-16-le")[2 * entity["offset"] : 2 * (entity["offset"] + entity["length"])]
            value = chunk.decode("utf-16-le")
            if entity["type"] == "bot_command":
                target = value.partition("@")[2]
                if not target or target.lower() == self.bot_username.lower():
                    return True
            if entity["type"] == "mention" and value[1:].lower() == self.bot_username.lower():
                return True
        return False

    def _new_query_id(self) -> str:
        return str(4_000_000_000_000_000_000 + self.bot_id % 1000 * 1_000_000 + next(self._query_ids))

    def _chat_instance(self, chat_id: int) -> str:
        return str(((chat_id * 2654435761) ^ self.bot_id) % (2**62) - 2**61)
