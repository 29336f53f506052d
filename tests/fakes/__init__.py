"""Test helpers for external services; the fake Telegram Bot API itself is ``bot.playground.botapi``."""
