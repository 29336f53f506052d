"""Settings from the environment and .env."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import DEFAULT_DATABASE_URL, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS", "TIMEZONE", "KNOWLEDGE_DIR", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.admin_ids == frozenset()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.knowledge_dir == Path("knowledge")
    assert settings.api_base_url == "https://api.telegram.org/bot"


def test_env_file_and_lists(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=123:abc\nADMIN_IDS=11, 22\nTELEGRAM_API_URL=http://127.0.0.1:8081/\n"
    )
    settings = Settings()
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings) and "123:abc" not in str(settings.model_dump())
    assert settings.admin_ids == frozenset({11, 22})
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.api_file_url == "http://127.0.0.1:8081/file/bot"


def test_bad_timezone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Mars/Base")
    with pytest.raises(ValidationError):
        Settings()


def test_knowledge_thresholds_default_to_the_fitted_ones() -> None:
    from bot.knowledge.search import DEFAULT_ANSWER_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.kb_answer_threshold == DEFAULT_ANSWER_THRESHOLD
    assert settings.kb_suggest_threshold == DEFAULT_SUGGEST_THRESHOLD
