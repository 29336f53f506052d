"""One chat as one person sees it: its messages, the bot's command menu there, and the reply keyboard.

The menu is resolved as Telegram resolves ``setMyCommands`` scopes: in a private chat the chat's own scope,
then all private chats, then the default; in a group the member's scope, the chat's, all chat administrators
(for admins), all group chats, then the default — at each scope the person's language first, then the list
without a language.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from bot.playground import render
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.playground.cast import GROUP_BY_ID

JSON = dict[str, Any]
_ADMIN_STATUSES = ("creator", "administrator")


def _scopes(api: FakeBotAPI, user: FakeUser, chat_id: int) -> list[JSON | None]:
    if chat_id == user.id:
        return [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}, None]
    scopes: list[JSON | None] = [
        {"type": "chat_member", "chat_id": chat_id, "user_id": user.id},
        {"type": "chat", "chat_id": chat_id},
    ]
    if api.member_status(chat_id, user) in _ADMIN_STATUSES:
        scopes.append({"type": "all_chat_administrators"})
    scopes += [{"type": "all_group_chats"}, None]
    return scopes


def commands(api: FakeBotAPI, user: FakeUser, chat_id: int) -> list[JSON]:
    """The bot's menu for ``user`` in this chat."""
    language = (user.language_code or "")[:2].lower()
    for scope in _scopes(api, user, chat_id):
        for code in dict.fromkeys((language, "")):
            found = api.commands(scope, code)
            if found:
                return [{"command": c["command"], "description": c["description"]} for c in found]
    return []


def chat(api: FakeBotAPI, user: FakeUser, chat_id: int, tz: tzinfo) -> JSON:
    """The chat as ``user`` sees it (the contract's ``GET /api/chats/<chat_id>``)."""
    group = GROUP_BY_ID.get(chat_id)
    messages = []
    for msg in api.chat_history(chat_id):
        if not render.is_shown(msg):
            continue
        chosen = api.poll_choice(msg["poll"]["id"], user) if "poll" in msg else []
        messages.append(render.message(msg, bot_id=api.bot_id, tz=tz, chosen=chosen))
    return {
        "chat": {
            "id": chat_id,
            "type": "group" if group else "private",
            "title": group.title if group else api.bot_first_name,
        },
        "messages": messages,
        "commands": commands(api, user, chat_id),
        "reply_keyboard": render.reply_keyboard(api.reply_keyboard(chat_id)),
    }
