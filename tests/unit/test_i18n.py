"""Translation catalogues: every string used in code has a zh_CN translation."""

from __future__ import annotations

from bot.catalogues import extract_messages, missing_translations
from bot.i18n import gettext_for, resolve_language


def test_every_message_in_code_has_a_chinese_translation() -> None:
    missing = missing_translations("zh_CN")
    assert missing == [], "\n".join(f"{where}: {msgid!r}" for where, msgid in missing)


def test_extraction_finds_messages() -> None:
    people = extract_messages()["people"]
    assert "Sorry, only admins can do that." not in people  # lives in core (bot/access.py)
    assert any("invite" in msgid for msgid in people)


def test_language_resolution() -> None:
    assert resolve_language(None, "en-US") == "en"
    assert resolve_language(None, "zh-hans") == "zh_CN"
    assert resolve_language(None, "ru") == "zh_CN"
    assert resolve_language("en", "zh-hans") == "en"


def test_translation_with_fields() -> None:
    assert gettext_for("zh_CN")("Hello, {name}!", name="小梅") == "你好，小梅！"
    assert gettext_for("en")("Hello, {name}!", name="Mei") == "Hello, Mei!"
