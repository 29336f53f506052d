"""``kb check`` and ``kb search``: the knowledge base from the command line.

Both read the bot's two folders (``KNOWLEDGE_DIR`` and ``SAVED_NOTES_DIR``) unless ``--dir`` names one
folder to read alone. ``register(subparsers)`` adds the ``kb`` command to the bot's own argument parser;
``main(argv)`` runs it standalone (``python -m bot.knowledge.cli search 退款 --json``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from bot.knowledge.notes import load_notes
from bot.knowledge.search import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    SearchResult,
)

DEFAULT_DIR = "./knowledge"
DEFAULT_SAVED_DIR = "./data/notes"
DIR_HELP = "knowledge folder (default: $KNOWLEDGE_DIR or ./knowledge)"
SAVED_DIR_HELP = (
    "folder of the answers saved as notes from chat (default: $SAVED_NOTES_DIR or ./data/notes, as the bot; "
    "with --dir, none unless given)"
)


def default_dir() -> str:
    """``KNOWLEDGE_DIR`` or ``./knowledge``: the same default as the bot's settings."""
    return os.environ.get("KNOWLEDGE_DIR") or DEFAULT_DIR


def folders(args: argparse.Namespace) -> tuple[str, str | None]:
    """The knowledge folder and the saved notes' folder to read. Without ``--dir``, the bot's two folders;
    ``--dir DIR`` alone means the notes in DIR only."""
    if args.dir:
        return args.dir, args.saved_dir
    return default_dir(), args.saved_dir or os.environ.get("SAVED_NOTES_DIR") or DEFAULT_SAVED_DIR


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


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``kb`` with ``check`` and ``search`` to an argparse sub-parser collection."""
    kb = subparsers.add_parser("kb", help="check and search the knowledge notes")
    _add_commands(kb)
    return kb


def _add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="kb_command", metavar="{check,search}")
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


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print every problem; exit status 1 if any, else a one-line summary and 0."""
    out = out or sys.stdout
    result = load_notes(*folders(args))
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
    loaded = load_notes(folder, saved_folder)
    if loaded.problems:
        print(f"warning: {len(loaded.problems)} problem(s) in the notes; run 'kb check'", file=sys.stderr)
    index = KnowledgeIndex.build(
        loaded.notes,
        loaded.synonyms,
        answer_threshold=_env_float("KB_ANSWER_THRESHOLD", DEFAULT_ANSWER_THRESHOLD),
        suggest_threshold=_env_float("KB_SUGGEST_THRESHOLD", DEFAULT_SUGGEST_THRESHOLD),
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
