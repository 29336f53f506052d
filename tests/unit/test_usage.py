"""Usage answers quote what was typed escaped and cut short."""

from __future__ import annotations

from bot.i18n import gettext_for
from bot.usage import UsageError


def test_a_huge_argument_is_quoted_short_and_escaped() -> None:
    text = UsageError("There is no shift called {name}. See /shifts.", name="<b>" + "a" * 10_000).text(
        gettext_for("en")
    )
    assert len(text) < 200 and "&lt;b&gt;" in text and text.count("a") < 100 and "…" in text
