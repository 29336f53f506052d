"""Keep the translation catalogues in step with the code: ``python -m bot i18n update | check``.

Messages of ``bot/<capability>/`` go to ``locales/<lang>/LC_MESSAGES/<capability>.po``; messages of
the top-level modules go to ``core.po``.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from bot.i18n import LOCALES_DIR, SUPPORTED_LANGUAGES

PACKAGE_DIR = Path(__file__).resolve().parent
CORE_DOMAIN = "core"


def domain_of(path: Path) -> str:
    """The catalogue a source file's messages belong to."""
    relative = path.relative_to(PACKAGE_DIR)
    return relative.parts[0] if len(relative.parts) > 1 else CORE_DOMAIN


MessageId = str | tuple[str, str]  # a plain message, or (singular, plural)


def extract_messages() -> dict[str, dict[MessageId, list[tuple[str, int]]]]:
    """``{domain: {msgid: [(file, line), ...]}}`` for every translatable string in the package."""
    found: dict[str, dict[MessageId, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "locales" in path.parts or "migrations" in path.parts:
            continue
        for lineno, message, _comments, _context in extract_from_file("python", str(path)):
            msgid: MessageId = tuple(message[:2]) if isinstance(message, tuple) else message  # type: ignore[assignment]
            if msgid and (msgid if isinstance(msgid, str) else msgid[0]):
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
    """Merge the messages of the code into every catalogue with Babel's ``Catalog.update``: new messages
    come in untranslated, a message whose English changed keeps its old translation marked *fuzzy* (to be
    checked, and counted as missing until then), plural forms are kept, vanished messages are dropped."""
    written = []
    for domain, messages in extract_messages().items():
        template = Catalog(domain=domain, project="xingzhan-bot")
        for msgid, locations in messages.items():
            template.add(msgid, locations=locations)
        for language in SUPPORTED_LANGUAGES:
            catalogue = load_catalogue(language, domain)
            dates = catalogue.creation_date, catalogue.revision_date
            catalogue.update(template, update_header_comment=False, update_creation_date=False)
            catalogue.creation_date, catalogue.revision_date = (
                dates  # stable headers: diffs show real changes
            )
            path = po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as target:
                write_po(
                    target, catalogue, width=0, sort_output=False, include_lineno=False, ignore_obsolete=True
                )
            written.append(path)
    return written


def _translated(entry: Message | None) -> bool:
    if entry is None or entry.fuzzy:
        return False
    strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
    return all(strings)


def missing_translations(language: str = "zh_CN") -> list[tuple[str, str]]:
    """``(location, msgid)`` of every message used in code without a checked translation in ``language``
    (fuzzy entries — an old translation of a changed message — count as missing)."""
    missing = []
    for domain, messages in extract_messages().items():
        catalogue = load_catalogue(language, domain)
        for msgid, locations in messages.items():
            if not _translated(catalogue.get(msgid)):
                file, line = locations[0]
                missing.append((f"{file}:{line}", msgid if isinstance(msgid, str) else msgid[0]))
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
