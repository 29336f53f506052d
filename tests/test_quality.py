"""Repository-wide checks: lint, the Dockerfile, and Telegram kept out of the domain layers."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; install the test extras: pip install -e '.[test]'")
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run([_tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


CAPABILITIES = ("people", "knowledge", "delivery", "notices", "jobs", "attendance", "training", "dashboard")


def _speaks_telegram(path: Path) -> bool:
    """Where a capability may import ``telegram``: its handlers, its scheduled work, its keyboards, and the
    outbox's sender (the one piece of delivery that calls the Bot API)."""
    relative = path.relative_to(ROOT / "bot")
    return (
        "handlers" in relative.parts
        or path.name in {"scheduled.py", "keyboards.py"}
        or relative.as_posix() == "delivery/sender.py"
    )


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for capability in CAPABILITIES
        for p in (ROOT / "bot" / capability).rglob("*.py")
        if not _speaks_telegram(p)
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_telegram_stays_in_handlers_scheduled_work_and_keyboards(path: Path) -> None:
    offending = sorted(name for name in _imports(path) if name == "telegram" or name.startswith("telegram."))
    assert offending == [], f"{path.relative_to(ROOT)} imports {offending}"


@pytest.mark.parametrize(
    "path",
    [ROOT / "bot" / "buttons.py", ROOT / "bot" / "usage.py", ROOT / "bot" / "i18n.py"],
    ids=lambda p: p.name,
)
def test_shared_vocabulary_does_not_import_telegram(path: Path) -> None:
    offending = sorted(name for name in _imports(path) if name == "telegram" or name.startswith("telegram."))
    assert offending == [], f"{path.relative_to(ROOT)} imports {offending}"
