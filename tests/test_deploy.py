"""The container setup: the bot comes back by itself, and whatever it writes survives a re-created container."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            found.update(re.findall(r"(\w+)=(\S+)", line))
    return found


def test_compose_restarts_the_bot_and_keeps_its_data() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["restart"] in {"always", "unless-stopped", "on-failure"}
    assert any(volume.endswith(":/app/data") for volume in bot["volumes"])


def test_everything_the_bot_writes_is_in_the_data_volume() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'VOLUME ["/app/data"]' in dockerfile
    env = _dockerfile_env()
    assert env["DATABASE_URL"].startswith("sqlite+aiosqlite:////app/data/")
    assert env["MPLCONFIGDIR"].startswith("/app/"), "the chart cache must be writable by the bot's user"
    assert env["SAVED_NOTES_DIR"].startswith("/app/data/"), (
        "answers saved as notes must outlive the container"
    )


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8")))


def _active(compose: dict[str, Any], profiles: set[str]) -> set[str]:
    """The services ``docker compose up`` starts with these profiles active."""
    return {
        name
        for name, service in compose["services"].items()
        if not service.get("profiles") or profiles & set(service["profiles"])
    }


def test_by_default_one_bot_on_sqlite() -> None:
    compose = _compose()
    assert _active(compose, set()) == {"bot"}
    assert "DATABASE_URL" not in compose["services"]["bot"].get("environment", {}), (
        "the image's SQLite default (or .env) decides"
    )
    dependency = compose["services"]["bot"]["depends_on"]["postgres"]
    assert dependency["required"] is False, "without the failover profile there is no postgres to wait for"


def test_the_failover_profile_runs_postgres_and_two_bots_that_wait_for_it() -> None:
    compose = _compose()
    services = compose["services"]
    assert _active(compose, {"failover"}) == {"bot", "bot-2", "postgres"}
    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert postgres["restart"] == "unless-stopped"
    names = set()
    for name in ("bot", "bot-2"):
        bot = services[name]
        assert bot["restart"] == "unless-stopped"
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert bot["env_file"] == ".env"
        names.add(bot["environment"]["INSTANCE_NAME"])
    assert len(names) == 2, "each instance has a name of its own in the election's log lines"
    assert "ports" not in postgres, "the database is not published outside the compose network"


def test_the_readme_shows_the_lines_that_turn_failover_on() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in (
        "COMPOSE_PROFILES=failover",
        "POSTGRES_PASSWORD=",
        "DATABASE_URL=postgresql+asyncpg://xingzhan:",
    ):
        assert line in readme
    assert "@postgres:5432/xingzhan" in readme
    compose = _compose()
    assert compose["services"]["postgres"]["environment"]["POSTGRES_USER"] == "xingzhan"
    assert compose["services"]["postgres"]["environment"]["POSTGRES_DB"] == "xingzhan"
