"""Changing sent messages: ``editMessageText``, ``editMessageCaption``,
``editMessageReplyMarkup`` (Telegram's "message is not modified" included), ``deleteMessage``
and ``deleteMessages``."""

from __future__ import annotations

from bot.playground.botapi.constants import _ADMIN_STATUSES, _MEDIA_KEYS, MAX_TEXT_LENGTH, JSONDict
from bot.playground.botapi.helpers import _now
from bot.playground.botapi.methods.content import ContentMixin
from bot.playground.botapi.models import _bad, _ChatState
from bot.playground.botapi.parameters import _api, _Params


class EditingMixin(ContentMixin):
    """The bot editing and deleting messages."""

    def _edit_target(self, params: _Params) -> tuple[_ChatState, JSONDict] | None:
        if params.get("inline_message_id"):
            return None
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state)
        message_id = params.int("message_id", empty="message identifier is not specified")
        msg = state.messages.get(int(message_id or 0))
        if msg is None:
            raise _bad("message to edit not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return state, msg

    def _apply_edit(
        self, state: _ChatState, msg: JSONDict, changes: JSONDict, inline: JSONDict | None
    ) -> JSONDict:
        current = {key: msg.get(key) for key in changes}
        current_markup = msg.get("reply_markup")
        if current == changes and current_markup == inline:
            raise _bad(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        self._check_limits(state)
        for key, value in changes.items():
            if value:
                msg[key] = value
            else:
                msg.pop(key, None)
        if inline is not None:
            msg["reply_markup"] = inline
        else:
            msg.pop("reply_markup", None)
        msg["edit_date"] = _now()
        self._note_sent(state)
        return msg

    @_api("editMessageText")
    def _m_edit_message_text(self, params: _Params) -> JSONDict | bool:
        text, entities = self._format(params, "text", "entities")
        if not text:
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        return self._apply_edit(state, msg, {"text": text, "entities": entities or None}, inline)

    @_api("editMessageCaption")
    def _m_edit_message_caption(self, params: _Params) -> JSONDict | bool:
        caption = self._caption_fields(params)
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        if not any(key in msg for key in _MEDIA_KEYS):
            raise _bad("there is no caption in the message to edit")
        changes = {"caption": caption.get("caption"), "caption_entities": caption.get("caption_entities")}
        return self._apply_edit(state, msg, changes, inline)

    @_api("editMessageReplyMarkup")
    def _m_edit_message_reply_markup(self, params: _Params) -> JSONDict | bool:
        target = self._edit_target(params)
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        if target is None:
            return True
        state, msg = target
        return self._apply_edit(state, msg, {}, inline)

    @_api("deleteMessage")
    def _m_delete_message(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        message_id = params.int("message_id", empty="message identifier is not specified")
        msg = state.messages.get(int(message_id or 0))
        if msg is None:
            raise _bad("message to delete not found")
        by_bot = msg.get("from", {}).get("id") == self.bot_id
        if state.chat.type != "private" and not by_bot and state.bot_status not in _ADMIN_STATUSES:
            raise _bad("message can't be deleted")
        state.deleted[msg["message_id"]] = state.messages.pop(msg["message_id"])
        return True

    @_api("deleteMessages")
    def _m_delete_messages(self, params: _Params) -> bool:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        ids = params.json("message_ids") or []
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must be a non-empty array of at most 100 identifiers")
        for message_id in ids:
            msg = state.messages.get(int(message_id))
            if msg is None:
                continue
            by_bot = msg.get("from", {}).get("id") == self.bot_id
            if state.chat.type == "private" or by_bot or state.bot_status in _ADMIN_STATUSES:
                state.deleted[msg["message_id"]] = state.messages.pop(msg["message_id"])
        return True
