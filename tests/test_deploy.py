"""The container setup: the bot comes back by itself, and whatever it writes survives a re-created container."""

from __future__ import annotations

import re
from pathlib import Path

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
