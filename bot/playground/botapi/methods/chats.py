"""Chats and their members: ``getChat``, ``getChatMember``, ``getChatAdministrators``,
``getChatMemberCount``, ``leaveChat``, banning/restricting/promoting members and pinning."""

from __future__ import annotations

import copy

from bot.playground.botapi.constants import _ADMIN_STATUSES, _MEMBER_STATUSES, JSONDict
from bot.playground.botapi.helpers import _now
from bot.playground.botapi.models import _bad, _ChatState
from bot.playground.botapi.parameters import _api, _Params
from bot.playground.botapi.state import _FakeState


class ChatsMixin(_FakeState):
    """Chat information, member management and pinned messages."""

    @_api("getChat")
    def _m_get_chat(self, params: _Params) -> JSONDict:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        info = state.chat.to_dict()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        if state.pinned:
            pinned = state.messages.get(state.pinned[-1])
            if pinned:
                info["pinned_message"] = copy.deepcopy(pinned)
        return info

    @_api("getChatMember")
    def _m_get_chat_member(self, params: _Params) -> JSONDict:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        user_id = params.int("user_id", empty="user_id is empty")
        if user_id == self.bot_id:
            return self._member_dict(self.bot_user, state.bot_status)
        user = self._users.get(int(user_id or 0))
        if user is None:
            raise _bad("user not found")
        if state.chat.type == "private":
            if user.id != state.chat.id:
                raise _bad("user not found")
            return self._member_dict(user.to_dict(), "member")
        return self._member_dict(user.to_dict(), state.members.get(user.id, "left"))

    @_api("getChatAdministrators")
    def _m_get_chat_administrators(self, params: _Params) -> list[JSONDict]:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        admins = [
            self._member_dict(self._users[uid].to_dict(), status)
            for uid, status in state.members.items()
            if status in _ADMIN_STATUSES and uid in self._users
        ]
        if state.bot_status in _ADMIN_STATUSES:
            admins.append(self._member_dict(self.bot_user, state.bot_status))
        return admins

    @_api("getChatMemberCount")
    def _m_get_chat_member_count(self, params: _Params) -> int:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        if state.chat.type == "private":
            return 2
        members = sum(1 for status in state.members.values() if status in _MEMBER_STATUSES)
        return members + (1 if state.bot_status in _MEMBER_STATUSES else 0)

    @_api("leaveChat")
    def _m_leave_chat(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        if state.chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        self._check_access(state, sending=False)
        old = state.bot_status
        state.bot_status = "left"
        update = {
            "chat": state.chat.to_dict(),
            "from": self.bot_user,
            "date": _now(),
            "old_chat_member": self._member_dict(self.bot_user, old),
            "new_chat_member": self._member_dict(self.bot_user, "left"),
        }
        self._push_update("my_chat_member", update)
        return True

    def _admin_target(self, params: _Params) -> tuple[_ChatState, int]:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        if state.chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        if state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to restrict/unrestrict chat member")
        return state, int(params.int("user_id", empty="user_id is empty") or 0)

    @_api("banChatMember")
    def _m_ban_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        state.members[user_id] = "kicked"
        return True

    @_api("unbanChatMember")
    def _m_unban_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        if state.members.get(user_id) == "kicked" or not params.bool("only_if_banned"):
            state.members[user_id] = "left"
        return True

    @_api("restrictChatMember")
    def _m_restrict_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        state.members[user_id] = "restricted"
        return True

    @_api("promoteChatMember")
    def _m_promote_chat_member(self, params: _Params) -> bool:
        state, user_id = self._admin_target(params)
        rights = [k for k, v in params.data.items() if k.startswith("can_") and v in (True, "true")]
        state.members[user_id] = "administrator" if rights else "member"
        return True

    @_api("pinChatMessage")
    def _m_pin_chat_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        message_id = int(params.int("message_id", empty="message identifier is not specified") or 0)
        msg = state.messages.get(message_id)
        if msg is None:
            raise _bad("message to pin not found")
        if message_id in state.pinned:
            state.pinned.remove(message_id)
        state.pinned.append(message_id)
        if state.chat.type != "private":
            snapshot = copy.deepcopy(msg)
            snapshot.pop("reply_to_message", None)
            self._store_message(state, {"pinned_message": snapshot}, sender=self.bot_user)
        return True

    @_api("unpinChatMessage")
    def _m_unpin_chat_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        message_id = params.int("message_id")
        if message_id is None:
            if state.pinned:
                state.pinned.pop()
        elif message_id in state.pinned:
            state.pinned.remove(message_id)
        return True

    @_api("unpinAllChatMessages")
    def _m_unpin_all_chat_messages(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        if state.chat.type != "private" and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("not enough rights to manage pinned messages in the chat")
        state.pinned.clear()
        return True
