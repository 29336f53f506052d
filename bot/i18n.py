"""Translation lookup over the gettext catalogues in ``bot/locales``.

Message ids are English. Each capability keeps its own catalogue file
(``locales/<lang>/LC_MESSAGES/<capability>.po``); all files of a language are merged.
Catalogues are compiled in memory at first use, so only the ``.po`` sources live in the repository.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "zh_CN"
SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}

Translate = Callable[..., str]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def resolve_language(
    chosen: str | None, telegram_language: str | None, default: str = DEFAULT_LANGUAGE
) -> str:
    """The language to speak: the user's choice, else English for English Telegram clients, else Chinese."""
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    if telegram_language and telegram_language.lower().startswith("en"):
        return "en"
    if telegram_language and telegram_language.lower().startswith("zh"):
        return "zh_CN"
    return default if default in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class Speaker(Protocol):
    """Anyone the bot talks to: a person row carries both the chosen and the Telegram client's language."""

    @property
    def language(self) -> str | None: ...

    @property
    def telegram_language(self) -> str | None: ...


def language_of(person: Speaker | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The language to speak to ``person`` (``default`` for nobody in particular)."""
    if person is None:
        return resolve_language(None, None, default)
    return resolve_language(person.language, person.telegram_language, default)


def translator_for(person: Speaker | None, default: str = DEFAULT_LANGUAGE) -> Translate:
    """``_`` in ``person``'s language: for messages to someone other than the one who wrote."""
    return gettext_for(language_of(person, default))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """All catalogues of ``language`` merged into one translations object."""
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = gettext.GNUTranslations(buffer)
        if isinstance(merged, gettext.GNUTranslations):
            part.add_fallback(merged)
        merged = part
    return merged


def gettext_for(language: str) -> Translate:
    """A ``_(msgid, **fields)`` function for ``language``; fields are filled with ``str.format``."""
    catalogue = translations(language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)

    def translate(message: str, /, **fields: object) -> str:
        text = catalogue.gettext(message)
        return text.format(**fields) if fields else text

    return translate


def ngettext_for(language: str) -> Callable[..., str]:
    """A plural-aware ``ngettext(singular, plural, n, **fields)`` for ``language``."""
    catalogue = translations(language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)

    def translate(singular: str, plural: str, n: int, /, **fields: object) -> str:
        return catalogue.ngettext(singular, plural, n).format(n=n, **fields)

    return translate
