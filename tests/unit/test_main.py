"""The command line front door."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import RedactSecrets, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "ADMIN_IDS"}}
    clean["PYTHONPATH"] = str(ROOT)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=60
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = _run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "db", "kb", "i18n"):
        assert command in result.stdout


def test_run_without_token_prints_one_clear_line(tmp_path: Path) -> None:
    result = _run("run", cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "BOT_TOKEN" in lines[0]
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


def test_token_is_redacted_from_logs() -> None:
    import logging

    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", ("https://x/bot123:SECRET/getMe",), None
    )
    assert RedactSecrets("123:SECRET").filter(record)
    assert "SECRET" not in record.getMessage() and "<BOT_TOKEN>" in record.getMessage()
