"""`python -m bot i18n update | check`: translations survive changes of the English text."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import catalogues


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny package with its own locales folder in place of the bot's."""
    root = tmp_path / "bot"
    (root / "shop").mkdir(parents=True)
    monkeypatch.setattr(catalogues, "PACKAGE_DIR", root)
    monkeypatch.setattr(catalogues, "LOCALES_DIR", root / "locales")
    return root


def _write(package: Path, source: str) -> None:
    (package / "shop" / "flow.py").write_text(source, encoding="utf-8")


def _entry(package: Path, msgid: str) -> object:
    with (package / "locales" / "zh_CN" / "LC_MESSAGES" / "shop.po").open("rb") as file:
        return read_po(file, locale="zh_CN").get(msgid)


def test_a_changed_message_keeps_its_translation_as_fuzzy_and_counts_as_missing(package: Path) -> None:
    _write(package, 'def hi(_):\n    return _("Hello, {name}!")\n')
    catalogues.update_catalogues()
    path = package / "locales" / "zh_CN" / "LC_MESSAGES" / "shop.po"
    text = path.read_text(encoding="utf-8").replace(
        'msgid "Hello, {name}!"\nmsgstr ""', 'msgid "Hello, {name}!"\nmsgstr "你好，{name}！"'
    )
    path.write_text(text, encoding="utf-8")
    assert catalogues.missing_translations("zh_CN") == []

    _write(package, 'def hi(_):\n    return _("Hello again, {name}!")\n')
    catalogues.update_catalogues()
    entry = _entry(package, "Hello again, {name}!")
    assert entry is not None and entry.string == "你好，{name}！" and entry.fuzzy  # type: ignore[attr-defined]
    assert [msgid for _where, msgid in catalogues.missing_translations("zh_CN")] == ["Hello again, {name}!"]
    assert _entry(package, "Hello, {name}!") is None, "the vanished message is dropped"


def test_plural_forms_are_kept(package: Path) -> None:
    _write(package, 'def count(ngettext, n):\n    return ngettext("{n} apple", "{n} apples", n)\n')
    catalogues.update_catalogues()
    entry = _entry(package, "{n} apple")
    assert entry is not None and entry.pluralizable  # type: ignore[attr-defined]
    assert entry.id == ("{n} apple", "{n} apples")  # type: ignore[attr-defined]
