"""What the sending and editing methods share: formatting texts and captions, validating
``reply_markup`` (inline keyboards, reply keyboards), reply parameters, and storing a bot
message (with flood limits) or a media message."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from bot.playground.botapi.constants import MAX_CAPTION_LENGTH, JSONDict
from bot.playground.botapi.failures import FailuresMixin
from bot.playground.botapi.files import FilesMixin
from bot.playground.botapi.formatting import parse_formatted_text
from bot.playground.botapi.models import _bad, _ChatState
from bot.playground.botapi.parameters import _Params


class ContentMixin(FailuresMixin, FilesMixin):
    """Message content helpers used by the sending and editing methods."""

    def _format(self, params: _Params, text_key: str, entities_key: str) -> tuple[str, list[JSONDict]]:
        text = params.str(text_key, "") or ""
        entities = params.json(entities_key)
        if entities is not None and not isinstance(entities, list):
            raise _bad(f"can't parse {entities_key} JSON object")
        return parse_formatted_text(text, params.str("parse_mode"), entities)

    def _validate_markup(self, markup: Any) -> tuple[JSONDict | None, Callable[[_ChatState], None]]:
        """Returns (inline markup to echo in the message, effect to apply once sent)."""

        def nothing(_state: _ChatState) -> None:
            return None

        if markup is None:
            return None, nothing
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    self._validate_inline_button(button)
            return copy.deepcopy(markup), nothing
        if "keyboard" in markup:
            keyboard = copy.deepcopy(markup)

            def show(state: _ChatState) -> None:
                state.reply_keyboard = keyboard

            return None, show
        if markup.get("remove_keyboard"):

            def remove(state: _ChatState) -> None:
                state.reply_keyboard = None

            return None, remove
        return None, nothing

    @staticmethod
    def _validate_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or "text" not in button:
            raise _bad("can't parse inline keyboard button: Can't find field \"text\"")
        actions = (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        if not any(key in button for key in actions):
            raise _bad(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url, re.IGNORECASE):
                raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_fields(self, state: _ChatState, params: _Params) -> JSONDict:
        reply = params.json("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params.int("reply_to_message_id"),
                "allow_sending_without_reply": params.bool("allow_sending_without_reply"),
            }
        fields: JSONDict = {}
        if isinstance(reply, dict) and reply.get("message_id"):
            target_state = state
            if reply.get("chat_id") is not None:
                target_state = self._lookup_chat(reply["chat_id"])
            target = target_state.messages.get(int(reply["message_id"]))
            if target is None:
                if not reply.get("allow_sending_without_reply"):
                    raise _bad("message to be replied not found")
            else:
                snapshot = copy.deepcopy(target)
                snapshot.pop("reply_to_message", None)
                fields["reply_to_message"] = snapshot
        thread_id = params.int("message_thread_id")
        if thread_id:
            fields["message_thread_id"] = thread_id
            if state.chat.is_forum:
                fields["is_topic_message"] = True
        if params.bool("protect_content"):
            fields["has_protected_content"] = True
        return fields

    def _caption_fields(self, params: _Params) -> JSONDict:
        caption, entities = self._format(params, "caption", "caption_entities")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        fields: JSONDict = {}
        if caption:
            fields["caption"] = caption
            if entities:
                fields["caption_entities"] = entities
        if params.bool("has_spoiler"):
            fields["has_media_spoiler"] = True
        return fields

    def _send_bot_message(
        self, state: _ChatState, params: _Params, content: JSONDict, count: int = 1
    ) -> JSONDict:
        inline, effect = self._validate_markup(params.get("reply_markup"))
        fields = self._reply_fields(state, params)
        self._check_limits(state, count)
        payload = {**fields, **content}
        if inline is not None:
            payload["reply_markup"] = inline
        msg = self._store_message(state, payload, sender=self.bot_user)
        effect(state)
        self._note_sent(state, count)
        return msg

    def _send_media(self, params: _Params, kind: str) -> JSONDict:
        state = self._chat_for_send(params)
        caption = self._caption_fields(params)
        stored = self._input_file(params, kind, kind)
        return self._send_bot_message(state, params, {kind: self._media_object(stored, params), **caption})
