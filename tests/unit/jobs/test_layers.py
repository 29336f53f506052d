"""Only the jobs handlers know Telegram: models, service, outbox, buttons, texts, exports and even the
scheduled tick stay reusable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

JOBS = Path(__file__).resolve().parents[3] / "bot" / "jobs"


@pytest.mark.parametrize(
    "path", sorted(JOBS.glob("*.py")), ids=lambda p: p.name
)  # not recursive: the handlers/ package is the Telegram side
def test_no_telegram_outside_the_handlers(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not [name for name in imported if name == "telegram" or name.startswith("telegram.")]
