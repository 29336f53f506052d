"""Test doubles for external services (see ``bot_api`` for the fake Telegram Bot API)."""

from tests.fakes.bot_api import ApiError, Call, FakeBotAPI, FakeChat, FakeUser, StoredFile

__all__ = ["ApiError", "Call", "FakeBotAPI", "FakeChat", "FakeUser", "StoredFile"]
