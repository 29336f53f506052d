"""``kb check``, ``kb search``, ``kb export`` and ``kb learned export``: the knowledge base from the command
line.

All read the notes as the bot does — the knowledge folder (``KNOWLEDGE_DIR``), the notes saved from chat in
its database (``DATABASE_URL``, when it can be reached) and the files of ``SAVED_NOTES_DIR`` the database does
not hold — unless ``--dir`` names one folder to read alone (no database then). ``kb export [--to DIR]``
writes the notes saved in the database as ``.md`` files (default: ``SAVED_NOTES_DIR``). ``kb search``
searches the notes alone, as they are written: phrasings the bot learned
from questions live in its database and are left out. ``kb learned export [--note ID]`` reads them from
``DATABASE_URL`` and prints, for each note with phrasings it does not have yet, the note's ``questions:``
block with them added, to paste over the block in the note file (then ``/reload``). It never writes into the
notes: they are the workplace's own files, often hand-formatted and kept under version control, and a
rewritten front matter would lose their comments and layout. A learned phrasing keeps answering whether or
not it was exported.

``register(subparsers)`` adds the ``kb`` command to the bot's own argument parser; ``main(argv)`` runs it
standalone (``python -m bot.knowledge.cli search 退款 --json``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.knowledge.models import LearnedPhrasing
from bot.knowledge.notes import Note, load_notes
from bot.knowledge.search import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    SearchResult,
    load_semantic,
    normalize_query,
)
from bot.knowledge.search.semantic import SemanticChannel

DEFAULT_DIR = "./knowledge"
DEFAULT_SAVED_DIR = "./data/notes"
DIR_HELP = "knowledge folder (default: $KNOWLEDGE_DIR or ./knowledge)"
SAVED_DIR_HELP = (
    "folder of notes saved as files, by older versions or kb export (default: $SAVED_NOTES_DIR or "
    "./data/notes, as the bot; with --dir, none unless given)"
)
#: How long ``kb check`` and ``kb search`` wait for the database before going on without its notes.
DATABASE_TIMEOUT_SECONDS = 5.0


def default_dir() -> str:
    """``KNOWLEDGE_DIR`` or ``./knowledge``: the same default as the bot's settings."""
    return os.environ.get("KNOWLEDGE_DIR") or DEFAULT_DIR


def folders(args: argparse.Namespace) -> tuple[str, str | None]:
    """The knowledge folder and the saved notes' folder to read. Without ``--dir``, the bot's two folders;
    ``--dir DIR`` alone means the notes in DIR only."""
    if args.dir:
        return args.dir, args.saved_dir
    return default_dir(), args.saved_dir or saved_dir()


def saved_dir() -> str:
    """``SAVED_NOTES_DIR`` or ``./data/notes``: the same default as the bot's settings."""
    return os.environ.get("SAVED_NOTES_DIR") or DEFAULT_SAVED_DIR


def stored_notes(args: argparse.Namespace) -> list[tuple[str, str]] | None:
    """The notes saved in the bot's database, as ``(id, text)``, when the notes are read as the bot reads
    them (no ``--dir``) and the database can be reached; else None (a warning on stderr when it cannot)."""
    if args.dir:
        return None
    url = _database_url()
    if url is None:
        return None
    try:
        return asyncio.run(_read_stored(url))
    except Exception as exc:
        from bot.startup import database_error

        if database_error(exc, url) is None and not isinstance(exc, TimeoutError):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"warning: notes saved in the database are left out: cannot read it ({first})", file=sys.stderr)
        return None


def _database_url() -> str | None:
    """The bot's ``DATABASE_URL``; None for a SQLite file that does not exist (nothing saved in it)."""
    from pydantic import ValidationError
    from sqlalchemy.engine import make_url

    from bot.config import Settings

    try:
        url = Settings().database_url
    except ValidationError:
        return None
    if url.startswith("sqlite"):
        database = make_url(url).database
        if not database or database == ":memory:" or not os.path.isfile(database):
            return None
    return url


async def _read_stored(url: str) -> list[tuple[str, str]] | None:
    """The saved notes, or None when the database has no table for them yet (not migrated)."""
    from sqlalchemy import inspect
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine, create_session_factory
    from bot.knowledge import saved
    from bot.knowledge.models import SavedNote

    extra = {} if url.startswith("sqlite") else {"connect_args": {"timeout": DATABASE_TIMEOUT_SECONDS}}
    engine = create_engine(url, poolclass=NullPool, **extra)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS * 2):
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            if SavedNote.__tablename__ not in names:
                return None
            async with create_session_factory(engine)() as session:
                return [(note.note_id, note.text) for note in await saved.all_notes(session)]
    finally:
        await engine.dispose()


def _at_least_one(raw: str) -> int:
    """``--limit``: a whole number, 1 or more."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"error: {name} must be a number, not {raw!r}") from None


def _semantic_channel() -> SemanticChannel | None:
    """The semantic channel where ``KB_SEMANTIC`` asks for it (as the bot does) and the extra is installed."""
    if os.environ.get("KB_SEMANTIC", "").strip().lower() not in {"1", "true", "yes", "on"}:
        return None
    channel = load_semantic(Path(os.environ.get("KB_EMBEDDINGS_DIR") or "./data/embeddings"))
    if channel is None:
        print("warning: KB_SEMANTIC is set but the semantic extra is not installed", file=sys.stderr)
    return channel


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kb`` with ``check``, ``search`` and ``learned export`` to an argparse sub-parser collection."""
    kb = subparsers.add_parser("kb", help="check and search the knowledge notes")
    _add_commands(kb)
    return kb


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="kb_command", metavar="{check,search,export,learned}")
    commands.required = True

    check = commands.add_parser("check", help="validate the notes; print problems as path:line: message")
    check.add_argument("--dir", help=DIR_HELP)
    check.add_argument("--saved-dir", help=SAVED_DIR_HELP)
    check.set_defaults(func=run_check)

    search = commands.add_parser("search", help="find the note answering a question")
    search.add_argument("query", nargs="?", help="the question; without it, read one per line from stdin")
    search.add_argument("--dir", help=DIR_HELP)
    search.add_argument("--saved-dir", help=SAVED_DIR_HELP)
    search.add_argument("--audience", choices=("staff", "public"), default="staff")
    search.add_argument(
        "--limit", type=_at_least_one, default=5, help="number of matches to list, 1 or more (default 5)"
    )
    search.add_argument("--json", action="store_true", help="one JSON object per query, on one line")
    search.set_defaults(func=run_search)

    notes_export = commands.add_parser(
        "export", help="write the notes saved from chat (the bot's database) as .md files"
    )
    notes_export.add_argument(
        "--to", help="folder to write them into (default: $SAVED_NOTES_DIR or ./data/notes, as the bot)"
    )
    notes_export.set_defaults(func=run_notes_export)

    learned = commands.add_parser(
        "learned", help="the phrasings the bot learned from questions (its database)"
    )
    learned_commands = learned.add_subparsers(dest="learned_command", metavar="{export}")
    learned_commands.required = True
    export = learned_commands.add_parser(
        "export",
        help="print each note's questions: block with its learned phrasings added, to paste into the note",
    )
    export.add_argument("--note", help="only this note's phrasings (its id, e.g. aftersales/return_refund)")
    export.add_argument("--dir", help=DIR_HELP)
    export.add_argument("--saved-dir", help=SAVED_DIR_HELP)
    export.set_defaults(func=run_export)


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print every problem; exit status 1 if any, else a one-line summary and 0."""
    out = out or sys.stdout
    result = load_notes(*folders(args), stored_notes(args))
    for problem in result.problems:
        print(problem, file=out)
    if result.problems:
        return 1
    synonyms = f", {len(result.synonyms)} synonym groups" if result.synonyms else ""
    print(f"{len(result.notes)} notes OK{synonyms}", file=out)
    return 0


def run_search(args: argparse.Namespace, out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """Answer one query, or each line of stdin (the index is built once)."""
    out = out or sys.stdout
    folder, saved_folder = folders(args)
    if not os.path.isdir(folder):
        print(f"error: knowledge folder not found: {folder}", file=sys.stderr)
        return 2
    loaded = load_notes(folder, saved_folder, stored_notes(args))
    if loaded.problems:
        print(f"warning: {len(loaded.problems)} problem(s) in the notes; run 'kb check'", file=sys.stderr)
    index = KnowledgeIndex.build(
        loaded.notes,
        loaded.synonyms,
        answer_threshold=_env_float("KB_ANSWER_THRESHOLD", DEFAULT_ANSWER_THRESHOLD),
        suggest_threshold=_env_float("KB_SUGGEST_THRESHOLD", DEFAULT_SUGGEST_THRESHOLD),
        semantic_channel=_semantic_channel(),
    )
    if args.query is not None:
        queries: Sequence[str] = [args.query]
    else:
        queries = (line.strip() for line in (stdin or sys.stdin))  # type: ignore[assignment]
    for query in queries:
        if not query:
            continue
        result = index.search(query, audience=args.audience, limit=args.limit)
        if args.json:
            print(json.dumps(result_to_json(result), ensure_ascii=False), file=out, flush=True)
        else:
            print(format_result(result), file=out, flush=True)
    return 0


def result_to_json(result: SearchResult) -> dict[str, Any]:
    """The ``kb search --json`` object for one query (see DESIGN.md)."""
    return {
        "query": result.query,
        "answer": result.answer.id if result.answer else None,
        "matches": [
            {"id": m.note.id, "title": m.note.title, "score": round(m.score, 1)} for m in result.matches
        ],
    }


def format_result(result: SearchResult) -> str:
    """A short human-readable result."""
    lines = [f"? {result.query}"]
    if result.outcome == "answer" and result.answer is not None:
        lines.append(f"= {result.answer.id}  {result.answer.title}  [{result.matches[0].score:.1f}]")
        others = result.matches[1:]
        header = "  also:"
    elif result.outcome == "suggest":
        lines.append("~ not sure; did you mean:")
        others = result.suggestions
        header = ""
    else:
        lines.append("- no answer in the notes")
        others = result.matches[:3]
        header = "  closest:" if others else ""
    if header:
        lines.append(header)
    lines.extend(f"    {m.note.id}  {m.note.title}  [{m.score:.1f}]" for m in others)
    return "\n".join(lines)


def run_export(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the learned phrasings (of one note with ``--note``) as ``questions:`` blocks of their notes."""
    from pydantic import ValidationError

    from bot.config import Settings
    from bot.startup import database_error

    out = out or sys.stdout
    try:
        url = Settings().database_url
    except ValidationError as exc:
        print(f"error: invalid settings: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    try:
        phrasings = asyncio.run(_read_learned(url, args.note))
    except Exception as exc:
        problem = database_error(exc, url)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 2
    loaded = load_notes(*folders(args), stored_notes(args))
    text = export_blocks(phrasings, {note.id: note for note in loaded.notes})
    if not text:
        of = f" of {args.note}" if args.note else ""
        print(f"no learned phrasings{of} that the notes do not have already", file=sys.stderr)
        return 0
    print(text, file=out)
    return 0


def run_notes_export(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Write the notes saved in the database into ``--to`` (default: the saved notes' folder)."""
    from bot.knowledge import saved
    from bot.knowledge.models import SavedNote
    from bot.startup import database_error

    out = out or sys.stdout
    folder = Path(args.to or saved_dir())
    url = _database_url()
    stored: list[tuple[str, str]] | None = None
    if url is not None:
        try:
            stored = asyncio.run(_read_stored(url))
        except Exception as exc:
            problem = database_error(exc, url)
            if problem is None and not isinstance(exc, TimeoutError):
                raise
            print(f"error: {problem or exc}", file=sys.stderr)
            return 2
    notes = [SavedNote(note_id=note_id, text=text) for note_id, text in stored or ()]
    try:
        written = saved.export(notes, folder)
    except OSError as exc:
        print(f"error: cannot write into {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"exported {len(written)} notes saved from chat to {folder}", file=out)
    return 0


async def _read_learned(url: str, note_id: str | None) -> list[LearnedPhrasing]:
    from sqlalchemy.pool import NullPool

    from bot.db import create_engine, create_session_factory
    from bot.knowledge import learned

    engine = create_engine(url, poolclass=NullPool)
    try:
        async with create_session_factory(engine)() as session:
            return await learned.of_notes(session, note_id)
    finally:
        await engine.dispose()


def export_blocks(phrasings: Sequence[LearnedPhrasing], notes: Mapping[str, Note]) -> str:
    """For each note with phrasings it does not have yet (``phrasings`` sorted by note), a comment naming the
    note and its file, then its ``questions:`` block: the note's own questions, then the new ones."""
    blocks = []
    for note_id, group in itertools.groupby(phrasings, key=lambda p: p.note_id):
        note = notes.get(note_id)
        own = list(note.questions) if note else []
        known = {normalize_query(text) for text in [*own, *([note.title] if note else [])]}
        new = []
        for phrasing in group:
            if phrasing.normalized not in known:
                known.add(phrasing.normalized)
                new.append(phrasing.text)
        if not new:
            continue
        head = f"# {note_id} — {note.title} ({note.path})" if note else f"# {note_id} (note missing)"
        items = yaml.safe_dump([*own, *new], allow_unicode=True, default_flow_style=False, width=1000)
        blocks.append(f"{head}\nquestions:\n{textwrap.indent(items, '  ').rstrip()}")
    return "\n\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``main(["search", "退款", "--json"])`` (a leading ``kb`` is accepted)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["kb"]:
        args_list = args_list[1:]
    parser = argparse.ArgumentParser(prog="kb", description="Check and search the knowledge notes.")
    _add_commands(parser)
    args = parser.parse_args(args_list)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
