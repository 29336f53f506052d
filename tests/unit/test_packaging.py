"""The package as installed, not as checked out: an installed wheel migrates; Alembic works from the root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL", "PYTHONPATH"}}
    env.update(extra)
    return env


def test_an_installed_wheel_carries_and_applies_the_migrations(tmp_path: Path) -> None:
    source, wheels = tmp_path / "source", tmp_path / "wheels"  # built from a copy: the checkout stays clean
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("xingzhan_bot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/migrations/env.py" in names
    assert any(name.startswith("bot/migrations/versions/0001_") for name in names)
    assert any(name.startswith("bot/locales/zh_CN/LC_MESSAGES/") for name in names)

    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import bot, sys; from bot.__main__ import main; print(bot.__file__); sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", code, "db", "upgrade"],
        cwd=elsewhere,
        env=_env(PYTHONPATH=str(installed), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/installed.db"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(installed)), "the installed copy ran, not the checkout"
    assert "database upgraded" in result.stdout
    assert (tmp_path / "installed.db").exists()


def test_alembic_works_from_the_repository_root(tmp_path: Path) -> None:
    alembic = Path(sys.executable).parent / "alembic"
    env = _env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/alembic.db")
    upgrade = subprocess.run(
        [str(alembic), "upgrade", "heads"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run(
        [str(alembic), "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
