"""The page's files: small, all shipped in the wheel, no network beyond the bot, no HTML from data."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bot.dashboard.routes import STATIC_DIR

ROOT = Path(__file__).resolve().parents[3]
FIRST_LOAD_LIMIT = 300 * 1024


def _files() -> set[Path]:
    return {path for path in STATIC_DIR.rglob("*") if path.is_file()}


def test_the_whole_first_load_is_at_most_300_kb() -> None:
    """Everything under static/ counts, whether the first screen needs it or not."""
    assert sum(path.stat().st_size for path in _files()) <= FIRST_LOAD_LIMIT


def test_every_file_ships_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["bot.dashboard"]
    package = STATIC_DIR.parent
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert shipped == _files()


def test_nothing_is_fetched_from_elsewhere_and_no_data_becomes_html() -> None:
    for path in _files():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path  # no CDN: stations have poor internet
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path  # names are people's text
