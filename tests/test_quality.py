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


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in (ROOT / "bot").rglob("*.py")
        if p.name in {"models.py", "service.py"} or "service" in p.parts
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_models_and_services_do_not_import_telegram(path: Path) -> None:
    offending = sorted(name for name in _imports(path) if name == "telegram" or name.startswith("telegram."))
    assert offending == [], f"{path.relative_to(ROOT)} imports {offending}"
