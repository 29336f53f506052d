"""Loading and validating the Markdown training notes.

A note is a ``*.md`` file at any depth under the knowledge folder, with YAML front matter::

    ---
    title: 顾客要求退货退款
    questions: [客户要退货怎么办]
    tags: [售后, 退款]
    audience: staff
    ---
    Body: the answer or procedure.

    ## 话术
    > 亲，非常抱歉给您带来不便……

``load_notes`` never raises on bad content: every problem is collected as a :class:`Problem`
(``path:line: message``) so that ``kb check`` can list them all at once. The bot and ``kb check`` follow one
policy: every good note is used, every broken one is left out and named.

Notes come from the knowledge folder and, optionally, a second folder of answers saved from chat
(``SAVED_NOTES_DIR``); ids are relative to the folder a note is in. Two notes whose ids differ at most in
letter case are one id: the first one found is used and the other is a problem. The knowledge folder comes
first, and within a folder names run in alphabetical order regardless of case, lower case first
(``return_refund.md`` before ``Return_Refund.md``), as note ids are written in lower case.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

AUDIENCES = ("staff", "public")
SYNONYMS_FILE = "synonyms.yaml"
SCRIPTS_HEADING = "话术"
_KNOWN_FIELDS = ("title", "questions", "tags", "audience")
_FENCE = "---"
#: The longest body a note may have, in characters. The longest training note today is under 900; this is
#: about five Telegram messages. A longer text is a manual, not an answer to read on a phone during a shift:
#: split it into several notes.
MAX_BODY_CHARS = 20_000
#: A file this large is not read at all (a note within the body limit is a few dozen kilobytes).
MAX_FILE_BYTES = 256 * 1024
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Note:
    """One training note. ``id`` is the path under the folder without ``.md`` (``aftersales/refund``)."""

    id: str
    title: str
    questions: list[str]
    tags: list[str]
    audience: str
    body: str
    scripts: list[str]
    path: Path

    def __hash__(self) -> int:
        return hash((self.id, str(self.path)))


@dataclass(frozen=True)
class Problem:
    """A validation problem, printed as ``path:line: message`` (line is 1-based; 0 for a whole folder)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadResult:
    """Notes that loaded, the problems found, and the synonym groups (first term = canonical)."""

    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def display_path(path: Path | str) -> str:
    """``path`` relative to the current directory when it lies below it, else as given."""
    text = str(path)
    try:
        rel = Path(os.path.abspath(text)).relative_to(Path(os.path.abspath(os.getcwd())))
    except ValueError:
        return text
    return rel.as_posix()


def load_notes(folder: Path | str, saved_folder: Path | str | None = None) -> LoadResult:
    """Load every note under ``folder`` and ``saved_folder``, and ``folder``'s ``synonyms.yaml``; collect
    all problems, never raise.

    A note with a minor problem (unknown field, bad ``audience`` — then treated as ``staff``) still loads;
    one without a usable title or body, too long, or with an id already taken does not. A missing
    ``saved_folder`` is not a problem: nothing has been saved yet.
    """
    root = Path(folder)
    result = LoadResult()
    if root.is_dir():
        roots = [root]
    else:
        result.problems.append(Problem(display_path(root), 0, "knowledge folder not found"))
        roots = []
    if (
        saved_folder is not None
        and Path(saved_folder).is_dir()
        and not _same_folder(root, Path(saved_folder))
    ):
        roots.append(Path(saved_folder))

    seen: dict[str, tuple[str, Path]] = {}
    for base in roots:
        for path in _note_files(base):
            note_id = path.relative_to(base).as_posix()[: -len(".md")]
            key = note_id.casefold()
            if key in seen:
                first_id, first = seen[key]
                how = (
                    "duplicate note id" if first_id == note_id else "note id differs only in letter case from"
                )
                message = f"{how} {first_id!r} of {display_path(first)}; this file is left out"
                result.problems.append(Problem(display_path(path), 1, message))
                continue
            seen[key] = (note_id, path)
            note, problems = parse_note_file(path, note_id)
            result.problems.extend(problems)
            if note is not None:
                result.notes.append(note)

    synonyms_path = root / SYNONYMS_FILE
    if synonyms_path.is_file():
        groups, problems = load_synonyms(synonyms_path)
        result.synonyms = groups
        result.problems.extend(problems)
    return result


def _same_folder(one: Path, other: Path) -> bool:
    """Whether two paths name the same folder (a saved folder set to the knowledge folder is read once)."""
    try:
        return one.samefile(other)
    except OSError:
        return False


def _case_order(name: str) -> tuple[str, str]:
    """Alphabetical regardless of case; of names differing only in case, lower case first."""
    return name.casefold(), name.swapcase()


def _note_files(root: Path) -> Iterator[Path]:
    """Note files under ``root`` in a stable order, skipping README.md and hidden/underscored entries."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted((d for d in dirnames if not d.startswith((".", "_"))), key=_case_order)
        for name in sorted(filenames, key=_case_order):
            if name.startswith((".", "_")) or not name.lower().endswith(".md"):
                continue
            if name.lower() == "readme.md":
                continue
            yield Path(dirpath) / name


def parse_note_file(path: Path, note_id: str) -> tuple[Note | None, list[Problem]]:
    """Parse one note file; return the note (None when unusable) and its problems."""
    shown = display_path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Problem(shown, 1, f"cannot read file: {exc.strerror or exc}")]
    if len(data) > MAX_FILE_BYTES:
        message = f"file over {MAX_FILE_BYTES // 1024} KB: too long for a note; split it into several notes"
        return None, [Problem(shown, 1, message)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})")]
    return parse_note_text(text, note_id=note_id, path=path)


def parse_note_text(text: str, *, note_id: str, path: Path) -> tuple[Note | None, list[Problem]]:
    """Parse a note's text (front matter + Markdown body)."""
    shown = display_path(path)
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(shown, line, message))

    lines = text.removeprefix("\ufeff").splitlines()
    if not lines or lines[0].strip() != _FENCE:
        problem(1, "missing front matter: the file must start with a '---' line")
        return None, problems
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if end is None:
        problem(1, "unterminated front matter: no closing '---' line")
        return None, problems

    block = "\n".join(lines[1:end])
    fields = _parse_front_matter(block, first_line=2, problem=problem)
    if fields is None:
        return None, problems

    for key, (line, _node) in fields.items():
        if key not in _KNOWN_FIELDS:
            problem(line, f"unknown field {key!r} (expected one of: {', '.join(_KNOWN_FIELDS)})")

    title: str | None = None
    if "title" not in fields:
        problem(1, "missing required field 'title'")
    else:
        line, node = fields["title"]
        title = _scalar(node)
        if not title:
            problem(line, "'title' must be a non-empty string")
            title = None

    questions = _string_list(fields, "questions", problem)
    tags = _string_list(fields, "tags", problem)

    audience = "staff"
    if "audience" in fields:
        line, node = fields["audience"]
        value = _scalar(node)
        if value and value not in AUDIENCES:
            problem(line, f"'audience' must be 'staff' or 'public', not {value!r}")
        elif value is None and not _is_null(node):
            problem(line, "'audience' must be 'staff' or 'public'")
        elif value:
            audience = value

    body_lines = lines[end + 1 :]
    body = "\n".join(body_lines).strip()
    if not body:
        problem(end + 1, "empty body: the note has no answer text after the front matter")
    elif len(body) > MAX_BODY_CHARS:
        problem(
            end + 2,
            f"body of {len(body):,} characters is over the limit of {MAX_BODY_CHARS:,}: "
            "split it into several notes",
        )

    scripts, script_problem = _parse_scripts(body_lines, first_line=end + 2)
    if script_problem is not None:
        problem(*script_problem)

    if title is None or not body or len(body) > MAX_BODY_CHARS:
        return None, problems
    note = Note(
        id=note_id,
        title=title.strip(),
        questions=questions,
        tags=tags,
        audience=str(audience),
        body=body,
        scripts=scripts,
        path=path,
    )
    return note, problems


def _parse_front_matter(
    block: str, *, first_line: int, problem: Any
) -> dict[str, tuple[int, yaml.Node]] | None:
    """Compose the front matter; return each top-level field's (line, value node), or None if unusable.

    Values are read from the YAML nodes as written, so ``tags: [投诉, 12315]`` gives the string
    ``"12315"`` rather than failing on an integer.
    """
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem(line, f"invalid YAML in front matter: {detail}")
        return None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problem(first_line, "front matter must be a YAML mapping of 'field: value' lines")
        return None
    fields: dict[str, tuple[int, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in fields:
            problem(line, f"duplicate field {key!r} (first on line {fields[key][0]})")
            continue
        fields[key] = (line, value_node)
    return fields


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _scalar(node: yaml.Node) -> str | None:
    """The text of a scalar node as written (stripped), or None for a null, a list or a mapping."""
    if not isinstance(node, yaml.ScalarNode) or _is_null(node):
        return None
    return str(node.value).strip()


def _string_list(fields: dict[str, tuple[int, yaml.Node]], key: str, problem: Any) -> list[str]:
    if key not in fields:
        return []
    line, node = fields[key]
    if _is_null(node):
        return []
    items = [_scalar(item) for item in node.value] if isinstance(node, yaml.SequenceNode) else None
    if items is None or not all(items):
        problem(line, f"{key!r} must be a list of non-empty strings")
        return []
    return [item for item in items if item]


def _parse_scripts(body_lines: list[str], *, first_line: int) -> tuple[list[str], tuple[int, str] | None]:
    """Reply scripts: the ``>`` blockquote paragraphs of the ``## 话术`` section."""
    scripts: list[str] = []
    start: int | None = None
    current: list[str] = []

    def flush() -> None:
        if current:
            text = "\n".join(current).strip()
            if text:
                scripts.append(text)
            current.clear()

    in_section = False
    in_fence = False
    for index, raw in enumerate(body_lines):
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            flush()
            in_section = len(heading.group(1)) == 2 and heading.group(2).strip() == SCRIPTS_HEADING
            if in_section and start is None:
                start = first_line + index
            continue
        if not in_section or in_fence:
            continue
        stripped = line.lstrip()
        if stripped.startswith(">"):
            content = stripped[1:]
            content = content[1:] if content.startswith(" ") else content
            if content.strip():
                current.append(content.rstrip())
            else:
                flush()
        else:
            flush()
    flush()
    if start is not None and not scripts:
        return scripts, (start, f"'## {SCRIPTS_HEADING}' section has no '>' reply scripts")
    return scripts, None


def split_scripts_section(body: str) -> tuple[str, str]:
    """A note's body without its ``## 话术`` section (the procedure), and that section (the reply scripts).

    The section runs from its heading to the next heading of level 1 or 2 outside a code fence, as in
    :func:`parse_note_text`.
    """
    if SCRIPTS_HEADING not in body:
        return body.strip(), ""
    if "```" not in body and "~~~" not in body:  # no code fence: cut at the headings directly
        cuts = [
            (m.start(), m.end(), len(m.group(1)) == 2 and m.group(2).strip() == SCRIPTS_HEADING)
            for m in _TOP_HEADING.finditer(body)
        ]
        kept_parts: list[str] = []
        section_parts: list[str] = []
        position, in_section = 0, False
        for start, end, is_scripts in cuts:
            (section_parts if in_section else kept_parts).append(body[position:start])
            in_section = is_scripts
            position = start if not is_scripts else end + (body[end : end + 1] == "\n")
        (section_parts if in_section else kept_parts).append(body[position:])
        return _join_lines(kept_parts), _join_lines(section_parts)
    kept: list[str] = []
    section: list[str] = []
    in_section = False
    in_fence = False
    for raw in body.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            in_section = len(heading.group(1)) == 2 and heading.group(2).strip() == SCRIPTS_HEADING
            if in_section:
                continue
        (section if in_section else kept).append(raw)
    return "\n".join(kept).strip(), "\n".join(section).strip()


_TOP_HEADING = re.compile(r"^(#{1,2})[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)


def _join_lines(parts: list[str]) -> str:
    """Pieces of a text cut at line starts, joined back as ``split_scripts_section`` joins lines."""
    return "\n".join("".join(parts).splitlines()).strip()


def load_synonyms(path: Path | str) -> tuple[list[list[str]], list[Problem]]:
    """Load ``synonyms.yaml``: a list of lists of strings, the first of each list being canonical."""
    path = Path(path)
    shown = display_path(path)
    problems: list[Problem] = []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [Problem(shown, 1, f"not valid UTF-8 (byte at offset {exc.start})")]
    except OSError as exc:
        return [], [Problem(shown, 1, f"cannot read file: {exc.strerror or exc}")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [], [Problem(shown, line, f"invalid YAML: {detail}")]
    if data is None:
        return [], []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        return [], [Problem(shown, 1, "synonyms must be a YAML list of lists of strings")]

    groups: list[list[str]] = []
    owner: dict[str, int] = {}
    for index, (item, item_node) in enumerate(zip(data, node.value, strict=True)):
        line = item_node.start_mark.line + 1
        if not isinstance(item, list) or not all(isinstance(t, str) and t.strip() for t in item):
            problems.append(Problem(shown, line, f"entry {index + 1} must be a list of non-empty strings"))
            continue
        terms = [t.strip() for t in item]
        if len(terms) < 2:
            problems.append(Problem(shown, line, f"entry {index + 1} needs a canonical term and a synonym"))
            continue
        for term in terms:
            key = term.casefold()
            if key in owner and owner[key] != line:
                problems.append(
                    Problem(shown, line, f"term {term!r} is also in the group on line {owner[key]}")
                )
            owner.setdefault(key, line)
        groups.append(terms)
    return groups, problems
