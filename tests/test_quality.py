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


CAPABILITIES = (
    "people",
    "knowledge",
    "delivery",
    "notices",
    "jobs",
    "attendance",
    "training",
    "dashboard",
    "persistence",
)


def _speaks_telegram(path: Path) -> bool:
    """Where a capability may import ``telegram``: its handlers, its scheduled work, its keyboards, the
    outbox's sender (the one piece of delivery that calls the Bot API), attendance's request cards (edited
    in the admins' chats whether the request is decided there or on the dashboard), and the form state's
    ``BasePersistence`` and its two handlers."""
    relative = path.relative_to(ROOT / "bot")
    return (
        "handlers" in relative.parts
        or path.name in {"scheduled.py", "keyboards.py"}
        or relative.as_posix()
        in {"delivery/sender.py", "attendance/cards.py", "persistence/ptb.py", "persistence/handlers.py"}
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


def _handlers_imported(path: Path) -> set[str]:
    """The capabilities whose ``handlers`` package ``path`` imports (in any spelling of the import)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for module in modules:
            parts = module.split(".")
            if len(parts) >= 3 and parts[0] == "bot" and parts[1] in CAPABILITIES and parts[2] == "handlers":
                found.add(parts[1])
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (ROOT / "bot").rglob("*.py") if p != ROOT / "bot" / "app.py"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_composition_root_imports_another_capabilitys_handlers(path: Path) -> None:
    """A capability's handlers are its own Telegram glue: others reach it through its public modules, and
    only ``bot/app.py`` wires the handlers in."""
    relative = path.relative_to(ROOT / "bot").parts
    own = relative[0] if len(relative) > 1 else None
    offending = sorted(cap for cap in _handlers_imported(path) if cap != own)
    assert offending == [], f"{path.relative_to(ROOT)} imports the handlers of {offending}"
