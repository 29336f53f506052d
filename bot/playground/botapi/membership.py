"""Acting as users on memberships: adding the bot to groups and removing it, blocking and
unblocking it, deleted accounts, users joining and leaving groups, and group -> supergroup
migration (with the ``my_chat_member`` / ``chat_member`` updates and service messages)."""

from __future__ import annotations

import copy
from typing import Literal

from bot.playground.botapi.constants import _ADMIN_STATUSES, _MEMBER_STATUSES, JSONDict
from bot.playground.botapi.models import FakeChat, FakeUser
from bot.playground.botapi.users import UsersMixin


class MembershipMixin(UsersMixin):
    """Membership changes made by users (and Telegram's group migration)."""

    async def add_bot_to_group(
        self,
        by_user: FakeUser,
        chat: FakeChat | int,
        *,
        status: Literal["member", "administrator"] = "member",
    ) -> JSONDict:
        """``by_user`` adds the bot to a group: a ``my_chat_member`` update followed by a
        ``new_chat_members`` service message, like Telegram. Returns the my_chat_member update."""
        state = self._state(chat)
        old = state.bot_status if state.bot_status in ("left", "kicked") else "left"
        state.bot_status = status
        state.members.setdefault(by_user.id, "member")
        update = self._push_update("my_chat_member", self._member_update(state, by_user, old, status))
        bot = self.bot_user
        payload = {"new_chat_members": [bot], "new_chat_member": bot, "new_chat_participant": bot}
        msg = self._store_message(state, payload, sender=by_user.to_dict())
        self._push_update("message", copy.deepcopy(msg))
        return update

    async def remove_bot_from_group(
        self, by_user: FakeUser, chat: FakeChat | int, *, status: Literal["kicked", "left"] = "kicked"
    ) -> JSONDict:
        """``by_user`` removes the bot: ``my_chat_member`` update; afterwards sends answer 403."""
        state = self._state(chat)
        old = state.bot_status
        state.bot_status = status
        return self._push_update("my_chat_member", self._member_update(state, by_user, old, status))

    async def block_bot(self, user: FakeUser) -> JSONDict:
        """The user blocks the bot: ``my_chat_member`` (member → kicked); sends then answer 403.

        Messages the user sends while the bot is blocked are not delivered (see ``unblock_bot``)."""
        state = self._state(user.id)
        state.bot_status = "kicked"
        return self._push_update("my_chat_member", self._member_update(state, user, "member", "kicked"))

    async def unblock_bot(self, user: FakeUser) -> JSONDict:
        """The user unblocks the bot: ``my_chat_member`` (kicked → member)."""
        state = self._state(user.id)
        state.bot_status = "member"
        state.started = True
        return self._push_update("my_chat_member", self._member_update(state, user, "kicked", "member"))

    def deactivate_user(self, user: FakeUser) -> None:
        """The user deletes their account: sends answer 403 "user is deactivated"."""
        self._state(user.id).deactivated = True

    async def join_group(self, user: FakeUser, chat: FakeChat | int) -> JSONDict:
        """The user joins a group: ``new_chat_members`` service message (+ ``chat_member``
        update, delivered only if the bot asked for it in ``allowed_updates``)."""
        state = self._state(chat)
        old = state.members.get(user.id, "left")
        state.members[user.id] = "member"
        if state.bot_status in _ADMIN_STATUSES:
            self._push_update("chat_member", self._member_update(state, user, old, "member", subject=user))
        payload = {"new_chat_members": [user.to_dict()], "new_chat_member": user.to_dict()}
        payload["new_chat_participant"] = user.to_dict()
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def leave_group(self, user: FakeUser, chat: FakeChat | int) -> JSONDict:
        """The user leaves a group: ``left_chat_member`` service message (+ ``chat_member``)."""
        state = self._state(chat)
        old = state.members.get(user.id, "member")
        state.members[user.id] = "left"
        if state.bot_status in _ADMIN_STATUSES:
            self._push_update("chat_member", self._member_update(state, user, old, "left", subject=user))
        payload = {"left_chat_member": user.to_dict(), "left_chat_participant": user.to_dict()}
        msg = self._store_message(state, payload, sender=user.to_dict())
        return self._push_update("message", copy.deepcopy(msg), deliver=self._bot_sees(state, msg))

    async def migrate_group(
        self, chat: FakeChat | int, new_supergroup_id: int, *, by_user: FakeUser | None = None
    ) -> FakeChat:
        """Upgrade a group to a supergroup: service messages ``migrate_to_chat_id`` (old chat) and
        ``migrate_from_chat_id`` (new chat). Afterwards sends to the old id answer 400 with
        ``parameters.migrate_to_chat_id``. Returns the new supergroup."""
        old_state = self._state(chat)
        old_chat = old_state.chat
        new_chat = self.group(
            new_supergroup_id, old_chat.title or "", type="supergroup", bot_status=old_state.bot_status
        )
        new_state = self._chats[new_supergroup_id]
        new_state.members = dict(old_state.members)
        sender = by_user.to_dict() if by_user else None
        visible = old_state.bot_status in _MEMBER_STATUSES
        msg = self._store_message(old_state, {"migrate_to_chat_id": new_supergroup_id}, sender=sender)
        self._push_update("message", copy.deepcopy(msg), deliver=visible)
        old_state.migrated_to = new_supergroup_id
        msg = self._store_message(
            new_state,
            {"migrate_from_chat_id": old_chat.id, "sender_chat": old_chat.to_dict()},
            sender={"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"},
        )
        self._push_update("message", copy.deepcopy(msg), deliver=visible)
        return new_chat
