"""Keep the translation catalogues in step with the code: ``python -m bot i18n update | check``.

Messages of ``bot/<capability>/`` go to ``locales/<lang>/LC_MESSAGES/<capability>.po``; messages of
the top-level modules go to ``core.po``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES

PACKAGE_DIR = Path(__file__).resolve().parent
CORE_DOMAIN = "core"


def domain_of(path: Path) -> str:
    """The catalogue a source file's messages belong to."""
    relative = path.relative_to(PACKAGE_DIR)
    return relative.parts[0] if len(relative.parts) > 1 else CORE_DOMAIN


def extract_messages() -> dict[str, dict[str, list[tuple[str, int]]]]:
    """``{domain: {msgid: [(file, line), ...]}}`` for every translatable string in the package."""
    found: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "locales" in path.parts:
            continue
        for lineno, message, _comments, _context in extract_from_file("python", str(path)):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found[domain_of(path)][msgid].append((str(path.relative_to(PACKAGE_DIR.parent)), lineno))
    return found


def po_path(language: str, domain: str) -> Path:
    """Where the catalogue of ``domain`` in ``language`` lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def load_catalogue(language: str, domain: str) -> Catalog:
    """Read a catalogue, or an empty one if it does not exist yet."""
    path = po_path(language, domain)
    if not path.exists():
        return Catalog(locale=language, domain=domain, project="xingzhan-bot")
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=domain)


def update_catalogues() -> list[Path]:
    """Add new messages (untranslated) and drop vanished ones, keeping existing translations."""
    written = []
    for domain, messages in extract_messages().items():
        for language in SUPPORTED_LANGUAGES:
            old = load_catalogue(language, domain)
            new = Catalog(
                locale=language,
                domain=domain,
                project="xingzhan-bot",
                creation_date=old.creation_date,  # stable headers keep the diffs to real changes
                revision_date=old.revision_date,
            )
            for msgid, locations in messages.items():
                previous = old.get(msgid)
                new.add(msgid, previous.string if previous else "", locations=locations)
            path = po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as target:
                write_po(target, new, width=0, sort_output=False, include_lineno=False)
            written.append(path)
    return written


def missing_translations(language: str = "zh_CN") -> list[tuple[str, str]]:
    """``(location, msgid)`` of every message used in code without a translation in ``language``."""
    missing = []
    for domain, messages in extract_messages().items():
        catalogue = load_catalogue(language, domain)
        for msgid, locations in messages.items():
            entry = catalogue.get(msgid)
            if entry is None or not entry.string:
                file, line = locations[0]
                missing.append((f"{file}:{line}", msgid))
    return missing


def _update(args: argparse.Namespace) -> int:
    for path in update_catalogues():
        print(path)
    return _check(args)


def _check(args: argparse.Namespace) -> int:
    missing = missing_translations()
    for location, msgid in missing:
        print(f"{location}: no zh_CN translation for {msgid!r}")
    return 1 if missing else 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``i18n`` sub-command."""
    parser = subparsers.add_parser("i18n", help="translation catalogues")
    actions = parser.add_subparsers(dest="i18n_command", metavar="ACTION", required=True)
    actions.add_parser("update", help="merge new messages from the code into the .po files").set_defaults(
        func=_update
    )
    actions.add_parser("check", help="list messages without a zh_CN translation").set_defaults(func=_check)
