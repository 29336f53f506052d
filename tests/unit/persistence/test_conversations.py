"""Every form of the bot is kept in the database: each conversation is persistent and named, its states come
back from JSON as states it knows, and only conversations and ``user_data`` are kept (never ``bot_data``)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from telegram.ext import ConversationHandler

from bot.app import build_application
from bot.config import Settings
from bot.conversations import Conversation
from bot.persistence.ptb import DatabasePersistence, timeout_of, user_of

FORMS = {"job_application_form", "job_posting_form", "notice_draft", "kb_answer", "attendance_location"}


@pytest.fixture(scope="module")
def conversations() -> dict[str, ConversationHandler[object]]:
    settings = Settings(_env_file=None, bot_token="123:abc", database_url="sqlite+aiosqlite://")  # type: ignore[call-arg]
    application = build_application(settings)
    persistence = application.persistence
    assert isinstance(persistence, DatabasePersistence)
    found = persistence.conversation_handlers()
    every = [
        h for group in application.handlers.values() for h in group if isinstance(h, ConversationHandler)
    ]
    assert len(found) == len(every), "every conversation is persistent and has a name of its own"
    return found


def test_every_form_is_kept(conversations: dict[str, ConversationHandler[object]]) -> None:
    assert set(conversations) >= FORMS
    assert all(isinstance(handler, Conversation) for handler in conversations.values())


def test_states_come_back_from_json_as_the_same_states(
    conversations: dict[str, ConversationHandler[object]],
) -> None:
    for name, handler in conversations.items():
        for state in handler.states:
            if state in (ConversationHandler.TIMEOUT, ConversationHandler.WAITING):
                continue
            again = json.loads(json.dumps(state))
            assert again == state and again in handler.states, (name, state)


def test_only_conversations_and_user_data_are_kept() -> None:
    data = DatabasePersistence().store_data
    assert (data.user_data, data.chat_data, data.bot_data, data.callback_data) == (True, False, False, False)


def test_whose_conversation_and_how_long_it_waits(
    conversations: dict[str, ConversationHandler[object]],
) -> None:
    form = conversations["job_application_form"]
    assert user_of(form, (7001, 7001)) == 7001 and user_of(form, (-1_005, 7001)) == 7001
    assert timeout_of(form) == timedelta(minutes=30)
    assert timeout_of(conversations["notice_draft"]) is None
