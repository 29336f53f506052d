"""The bot itself: ``getMe``, ``logOut``, ``close``, commands per scope and language
(``setMyCommands`` & co.) and profile settings (name, descriptions, menu button, default
administrator rights)."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.playground.botapi.constants import _SCOPE_TYPES, JSONDict
from bot.playground.botapi.helpers import _scope_key
from bot.playground.botapi.models import _bad
from bot.playground.botapi.parameters import _api, _Params
from bot.playground.botapi.state import _FakeState


class BotMixin(_FakeState):
    """The bot's own profile, commands and settings."""

    @_api("getMe")
    def _m_get_me(self, params: _Params) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_api("logOut")
    def _m_log_out(self, params: _Params) -> bool:
        self.logged_out = True
        return True

    @_api("close")
    def _m_close(self, params: _Params) -> bool:
        self.closed = True
        return True

    @_api("setMyCommands")
    def _m_set_my_commands(self, params: _Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        cleaned = []
        for command in commands:
            for key in ("command", "description"):
                if not isinstance(command, dict) or key not in command:
                    raise _bad(f"can't parse BotCommand: Can't find field \"{key}\"")
            name = str(command["command"])
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name.removeprefix("/")):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(command["description"])
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name.removeprefix("/"), "description": description})
        key = self._commands_key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    @_api("deleteMyCommands")
    def _m_delete_my_commands(self, params: _Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @_api("getMyCommands")
    def _m_get_my_commands(self, params: _Params) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.json("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
                raise _bad("unsupported bot command scope type")
            if "chat_id" in scope:
                self._lookup_chat(scope["chat_id"])
        language = params.str("language_code", "") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return _scope_key(scope), language

    @_api(
        "setMyName",
        "setMyDescription",
        "setMyShortDescription",
        "setChatMenuButton",
        "setMyDefaultAdministratorRights",
    )
    def _m_set_setting(self, params: _Params) -> bool:
        language = params.str("language_code", "") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        for key, value in params.data.items():
            if key != "language_code":
                self.bot_settings[f"{key}:{language}" if language else key] = value
        return True

    @_api("getMyName")
    def _m_get_my_name(self, params: _Params) -> JSONDict:
        return {"name": self._setting("name", params) or self.bot_first_name}

    @_api("getMyDescription")
    def _m_get_my_description(self, params: _Params) -> JSONDict:
        return {"description": self._setting("description", params) or ""}

    @_api("getMyShortDescription")
    def _m_get_my_short_description(self, params: _Params) -> JSONDict:
        return {"short_description": self._setting("short_description", params) or ""}

    @_api("getChatMenuButton")
    def _m_get_chat_menu_button(self, params: _Params) -> JSONDict:
        button = self.bot_settings.get("menu_button")
        return button if isinstance(button, dict) else {"type": "commands"}

    def _setting(self, key: str, params: _Params) -> Any:
        language = params.str("language_code", "") or ""
        return self.bot_settings.get(f"{key}:{language}" if language else key)
