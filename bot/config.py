"""Settings read from environment variables and an optional ``.env`` file."""

from __future__ import annotations

import os
import socket
from functools import cached_property
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/xingzhan.db"
ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
LANGUAGES = {"zh": "zh_CN", "en": "en"}


class Settings(BaseSettings):
    """Everything the bot can be configured with; see the README for the table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Token from @BotFather")
    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default=frozenset())
    timezone: str = Field(default="Asia/Shanghai")
    knowledge_dir: Path = Field(default=Path("./knowledge"))
    saved_notes_dir: Path = Field(
        default=Path("./data/notes"),
        description="Folder of answers saved as files by older versions (imported at start) and of kb export",
    )
    telegram_api_url: str = Field(default="https://api.telegram.org")
    default_language: str = Field(default="zh_CN")
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 90)
    error_report_interval_seconds: int = Field(default=300, ge=0)
    webhook_url: str | None = Field(default=None, description="Public HTTPS URL; unset means long polling")
    webhook_listen: str = Field(default="0.0.0.0")
    webhook_port: int = Field(default=8443)
    webhook_secret: SecretStr | None = Field(default=None)
    webapp_url: str | None = Field(
        default=None, description="Public HTTPS URL of the dashboard (Mini App); unset means no dashboard"
    )
    # With WEBHOOK_URL also set, one server on WEBHOOK_LISTEN:WEBHOOK_PORT serves both and these are unused.
    webapp_listen: str = Field(default="0.0.0.0")
    webapp_port: int = Field(default=8080, ge=1, le=65535)
    # The estimated probability (%) that the best note is right, needed to answer / to suggest: the defaults are
    # the fitted ones of bot/knowledge/search/fitted.py (tests/unit/test_config.py keeps them equal).
    kb_answer_threshold: float = Field(default=80.0, ge=0, le=100)
    kb_suggest_threshold: float = Field(default=51.0, ge=0, le=100)
    kb_semantic: bool = Field(
        default=False,
        description="Use the semantic channel of the knowledge search (needs the semantic extra)",
    )
    kb_embeddings_dir: Path = Field(
        default=Path("./data/embeddings"),
        description="Where the semantic channel keeps the notes' embeddings",
    )
    log_level: str = Field(default="INFO")
    attendance_summary_time: str = Field(
        default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local time of the daily summary"
    )
    instance_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        max_length=50,
        description="This instance's name in the logs of a leader election (PostgreSQL)",
    )
    application_retention_days: int = Field(
        default=180, ge=1, le=3650, description="Job applications untouched this long are deleted"
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(
                "not a database URL; use sqlite+aiosqlite:///./data/xingzhan.db "
                "or postgresql+asyncpg://user:password@host/database"
            ) from None
        backend = driver.split("+", 1)[0]
        if backend not in ASYNC_DRIVERS:
            raise ValueError(f"{backend} is not supported; use SQLite or PostgreSQL")
        if driver != ASYNC_DRIVERS[backend]:
            raise ValueError(
                f"{driver}:// cannot be used by the bot; write {ASYNC_DRIVERS[backend]}:// instead"
            )
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        language = LANGUAGES.get(value.strip().lower().replace("-", "_").split("_", 1)[0])
        if language is None:
            raise ValueError(f"{value!r} is not a language of the bot; use zh_CN or en")
        return language

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @cached_property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def api_base_url(self) -> str:
        """Bot API method root as PTB wants it (the token is appended)."""
        return f"{self.telegram_api_url}/bot"

    @property
    def api_file_url(self) -> str:
        """Bot API file root as PTB wants it (the token is appended)."""
        return f"{self.telegram_api_url}/file/bot"
