"""Sending messages: ``sendMessage``, the ``send<Media>`` methods and ``sendMediaGroup``,
locations, contacts, chat actions, reactions, ``forwardMessage`` and ``copyMessage``."""

from __future__ import annotations

import copy

from bot.playground.botapi.constants import _CONTENT_KEYS, MAX_TEXT_LENGTH, JSONDict
from bot.playground.botapi.helpers import _is_service
from bot.playground.botapi.methods.content import ContentMixin
from bot.playground.botapi.models import _bad
from bot.playground.botapi.parameters import _api, _Params


class MessagesMixin(ContentMixin):
    """The bot sending messages."""

    @_api("sendMessage")
    def _m_send_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        text, entities = self._format(params, "text", "entities")
        if not text:
            raise _bad("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        preview = params.json("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        return self._send_bot_message(state, params, content)

    @_api("sendPhoto")
    def _m_send_photo(self, params: _Params) -> JSONDict:
        return self._send_media(params, "photo")

    @_api("sendDocument")
    def _m_send_document(self, params: _Params) -> JSONDict:
        return self._send_media(params, "document")

    @_api("sendVoice")
    def _m_send_voice(self, params: _Params) -> JSONDict:
        return self._send_media(params, "voice")

    @_api("sendAudio")
    def _m_send_audio(self, params: _Params) -> JSONDict:
        return self._send_media(params, "audio")

    @_api("sendVideo")
    def _m_send_video(self, params: _Params) -> JSONDict:
        return self._send_media(params, "video")

    @_api("sendAnimation")
    def _m_send_animation(self, params: _Params) -> JSONDict:
        return self._send_media(params, "animation")

    @_api("sendVideoNote")
    def _m_send_video_note(self, params: _Params) -> JSONDict:
        return self._send_media(params, "video_note")

    @_api("sendSticker")
    def _m_send_sticker(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        stored = self._input_file(params, "sticker", "sticker")
        return self._send_bot_message(state, params, {"sticker": self._media_object(stored)})

    @_api("sendMediaGroup")
    def _m_send_media_group(self, params: _Params) -> list[JSONDict]:
        state = self._chat_for_send(params)
        media = params.json("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the album: must be between 2 and 10")
        contents = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "video", "document", "audio"):
                raise _bad("can't parse InputMedia: unsupported media type")
            sub = _Params(
                {"media": item.get("media"), **{k: v for k, v in item.items() if k != "media"}}, params.files
            )
            stored = self._input_file(sub, "media", item["type"])
            caption = self._caption_fields(sub)
            contents.append({item["type"]: self._media_object(stored, sub), **caption})
        self._check_limits(state, len(contents))
        group_id = str(13_000_000_000_000_000 + next(self._file_ids))
        fields = self._reply_fields(state, params)
        messages = []
        for content in contents:
            msg = self._store_message(
                state, {**fields, "media_group_id": group_id, **content}, sender=self.bot_user
            )
            messages.append(msg)
        self._note_sent(state, len(messages))
        return messages

    @_api("sendLocation")
    def _m_send_location(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        location = {"latitude": params.float("latitude"), "longitude": params.float("longitude")}
        return self._send_bot_message(state, params, {"location": location})

    @_api("sendContact")
    def _m_send_contact(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        contact = {"phone_number": params.str("phone_number", ""), "first_name": params.str("first_name", "")}
        if params.get("last_name"):
            contact["last_name"] = params.str("last_name")
        return self._send_bot_message(state, params, {"contact": contact})

    @_api("sendChatAction")
    def _m_send_chat_action(self, params: _Params) -> bool:
        self._chat_for_send(params)
        return True

    @_api("setMessageReaction")
    def _m_set_message_reaction(self, params: _Params) -> bool:
        state = self._chat_for_send(params)
        message_id = params.int("message_id", empty="message identifier is not specified")
        if message_id not in state.messages:
            raise _bad("message to react not found")
        return True

    @_api("forwardMessage")
    def _m_forward_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        source_state = self._lookup_chat(params.get("from_chat_id"))
        source = source_state.messages.get(params.int("message_id", 0) or 0)
        if source is None:
            raise _bad("message to forward not found")
        if _is_service(source):
            raise _bad("message can't be forwarded")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        if "forward_origin" in source:
            origin = copy.deepcopy(source["forward_origin"])
        elif source_state.chat.type == "channel":
            origin = {
                "type": "channel",
                "chat": source_state.chat.to_dict(),
                "message_id": source["message_id"],
                "date": source["date"],
            }
        else:
            origin = {
                "type": "user",
                "sender_user": copy.deepcopy(source.get("from", {})),
                "date": source["date"],
            }
        self._check_limits(state)
        msg = self._store_message(state, {"forward_origin": origin, **content}, sender=self.bot_user)
        self._note_sent(state)
        return msg

    @_api("copyMessage")
    def _m_copy_message(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        source_state = self._lookup_chat(params.get("from_chat_id"))
        source = source_state.messages.get(params.int("message_id", 0) or 0)
        if source is None:
            raise _bad("message to copy not found")
        if _is_service(source):
            raise _bad("message can't be copied")
        content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_fields(params))
        msg = self._send_bot_message(state, params, content)
        return {"message_id": msg["message_id"]}
