"""The command line front door."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import build_parser, webhook_secret
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _environment(**env: str) -> dict[str, str]:
    """This process's environment without the bot's settings, with the repository importable."""
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS"}}
    clean["PYTHONPATH"] = str(ROOT)
    return clean | env


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = _run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "playground", "db", "kb", "i18n"):
        assert command in result.stdout


def test_run_without_token_prints_one_clear_line(tmp_path: Path) -> None:
    result = _run("run", cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "BOT_TOKEN" in lines[0] and "python -m bot playground" in lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_setting_is_one_line_too(tmp_path: Path) -> None:
    result = _run("run", cwd=tmp_path, BOT_TOKEN="1:x", TIMEZONE="Mars/Base")
    assert result.returncode != 0
    assert "TIMEZONE" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_creates_the_sqlite_file(tmp_path: Path) -> None:
    result = _run("db", "upgrade", cwd=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/d/x.db")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "x.db").exists()


def test_parser_requires_a_command() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade")])
@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///./data/x.db", "sqlite+aiosqlite://"),
        ("postgresql://postgres@127.0.0.1/test", "postgresql+asyncpg://"),
        ("mysql+aiomysql://root@localhost/x", "SQLite or PostgreSQL"),
        ("postgresql+asyncpg://postgres:pw@127.0.0.1:1/test", "start the database server"),
    ],
    ids=["sync-sqlite", "sync-postgres", "mysql", "server-down"],
)
def test_a_bad_database_url_is_one_line_naming_the_setting(
    tmp_path: Path, command: tuple[str, ...], url: str, says: str
) -> None:
    result = _run(*command, cwd=tmp_path, BOT_TOKEN="123456:SECRETSECRETSECRET", DATABASE_URL=url)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "DATABASE_URL" in errors[0] and says in errors[0], result.stderr
    assert "Traceback" not in result.stderr and "pw@" not in result.stderr


def test_an_unknown_default_language_is_refused(tmp_path: Path) -> None:
    result = _run("run", cwd=tmp_path, BOT_TOKEN="1:x", DEFAULT_LANGUAGE="fr")
    assert result.returncode != 0
    assert "DEFAULT_LANGUAGE" in result.stderr and "zh_CN or en" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_a_webhook_secret_every_instance_derives_the_same_one_from_the_token() -> None:
    def settings(token: str, secret: str | None = None) -> Settings:
        return Settings(_env_file=None, bot_token=token, webhook_secret=secret)  # type: ignore[call-arg]

    token = "7000000001:AAFakeTokenForXingzhanTests_0123456789"
    first, second = webhook_secret(settings(token)), webhook_secret(settings(token))
    assert first == second, "two instances behind one load balancer must expect the same secret"
    assert len(first) >= 32 and set(first) <= set("0123456789abcdef")  # Telegram: A-Z a-z 0-9 _ -
    assert token not in first and token.split(":")[1] not in first
    assert webhook_secret(settings("7000000002:AnotherBotsToken_abcdefghijklmnopq")) != first
    assert webhook_secret(settings(token, "chosen-secret")) == "chosen-secret"


def test_a_reader_that_stops_reading_ends_kb_search_quietly(tmp_path: Path) -> None:
    # As `kb search < questions | head -1` does: the first line read, the pipe closed, many lines still to come.
    search = subprocess.Popen(
        [sys.executable, "-m", "bot", "kb", "search", "--dir", str(ROOT / "knowledge")],
        cwd=tmp_path,
        env=_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert search.stdin is not None and search.stdout is not None and search.stderr is not None
    search.stdin.write("怎么请假\n" * 2000)  # less than a pipe holds: the write never waits
    search.stdin.close()
    assert search.stdout.readline().startswith("?")
    search.stdout.close()
    assert search.wait(timeout=120) == 1
    assert "Traceback" not in search.stderr.read()
