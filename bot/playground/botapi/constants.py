"""Constants shared by the fake: the default token, Telegram's size limits, update types and the
message keys and member statuses the method implementations look at."""

from __future__ import annotations

from typing import Any

DEFAULT_TOKEN = "7000000001:AAFakeTokenForXingzhanTests_0123456789"

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096

MAX_CAPTION_LENGTH = 1024

#: Update types delivered when ``allowed_updates`` was never set (or set to an empty list).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "animation",
    "sticker",
    "video_note",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
    "has_media_spoiler",
)

_MEDIA_KEYS = ("photo", "document", "voice", "audio", "video", "animation")

_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})

_ADMIN_STATUSES = frozenset({"creator", "administrator"})

_RESTRICTED_FLAGS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)

_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
