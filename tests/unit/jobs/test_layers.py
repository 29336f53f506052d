"""Only the jobs handlers know Telegram: models, service, outbox, texts and exports stay reusable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

JOBS = Path(__file__).resolve().parents[3] / "bot" / "jobs"


@pytest.mark.parametrize(
    "path", sorted(p for p in JOBS.glob("*.py") if p.name != "handlers.py"), ids=lambda p: p.name
)
def test_no_telegram_outside_the_handlers(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not [name for name in imported if name == "telegram" or name.startswith("telegram.")]
