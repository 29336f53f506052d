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

A note may carry quiz questions for the training plans (``quiz:`` in the front matter, see
:func:`parse_quiz`); they are never part of the body, so they never reach the answers. Training plans are
YAML files in the ``training`` folder beside the notes (:func:`load_plans`).

``load_notes`` never raises on bad content: every problem is collected as a :class:`Problem`
(``path:line: message``) so that ``kb check`` can list them all at once. The bot and ``kb check`` follow one
policy: every good note is used, every broken one is left out and named.

Notes come from the knowledge folder and, optionally, the notes saved from chat: the texts kept in the
database (``stored``, see ``saved.py``; shown in problems as ``[database]/<id>.md``) and the files of a second
folder (``SAVED_NOTES_DIR``, where older versions saved answers and ``kb export`` writes); ids are relative to
the folder a note is in. Two notes whose ids differ at most in letter case are one id: the first one found is
used and the other is a problem. The knowledge folder comes first, then the database's notes, then the saved
folder's files (a file whose id the database holds exactly is the copy it was imported from, and is passed
over in silence); within each, names run in alphabetical order regardless of case, lower case first
(``return_refund.md`` before ``Return_Refund.md``), as note ids are written in lower case.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

AUDIENCES = ("staff", "public")
SYNONYMS_FILE = "synonyms.yaml"
SCRIPTS_HEADING = "话术"
_KNOWN_FIELDS = ("title", "questions", "tags", "audience", "quiz")
_FENCE = "---"
#: The longest body a note may have, in characters. The longest training note today is under 900; this is
#: about five Telegram messages. A longer text is a manual, not an answer to read on a phone during a shift:
#: split it into several notes.
MAX_BODY_CHARS = 20_000
#: A file this large is not read at all (a note within the body limit is a few dozen kilobytes).
MAX_FILE_BYTES = 256 * 1024
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
#: The front matter starts on the second line of a note file.
_FRONT_MATTER_LINE = 2
#: Where a note kept in the database is said to be, in problems and in :attr:`Note.path` (not a real folder).
DATABASE_FOLDER = Path("[database]")
#: A note id: path parts separated by ``/``, none empty, none starting with a dot or an underscore.
_NOTE_ID = re.compile(r"[^/\\.\x00_][^/\\\x00]*(?:/[^/\\.\x00_][^/\\\x00]*)*")

QUIZ_FIELD = "quiz"
_QUIZ_KEYS = ("question", "options", "answer", "explanation")
#: How many options a quiz question offers.
QUIZ_MIN_OPTIONS, QUIZ_MAX_OPTIONS = 2, 6
#: Telegram's limits for a quiz poll: question, each option, the explanation (and its line breaks).
QUIZ_QUESTION_MAX = 300
QUIZ_OPTION_MAX = 100
QUIZ_EXPLANATION_MAX = 200
QUIZ_EXPLANATION_MAX_BREAKS = 2

TRAINING_FOLDER = "training"
PLAN_SUFFIXES = (".yaml", ".yml")
_PLAN_KEYS = ("title", "default", "lesson_time", "minutes_before_shift", "days")
_DAY_KEYS = ("title", "notes")
PLAN_ID_MAX = 64
DEFAULT_LESSON_TIME = 8 * 60 + 30
DEFAULT_MINUTES_BEFORE_SHIFT = 60
MAX_MINUTES_BEFORE_SHIFT = 240
_CLOCK = re.compile(r"([01]?\d|2[0-3])[:：]([0-5]\d)")


@dataclass(frozen=True)
class QuizQuestion:
    """A quiz question of a note: 2–6 options, ``answer`` the index of the right one (0-based)."""

    question: str
    options: tuple[str, ...]
    answer: int
    explanation: str
    line: int = 0

    @property
    def key(self) -> str:
        """A short, stable key of the question's text: answers are kept under it (a reworded question is a
        new question)."""
        return hashlib.blake2s(self.question.encode(), digest_size=5).hexdigest()


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
    quiz: tuple[QuizQuestion, ...] = ()

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


@dataclass(frozen=True)
class PlanDay:
    """One day of a training plan: its notes, in the order they are taught."""

    title: str
    note_ids: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A training plan (``training/<id>.yaml``): ordered days, each with notes.

    ``lesson_time`` is the local minute of the day a lesson goes out to someone with no shift that day;
    before a shift it goes ``minutes_before_shift`` minutes before the shift starts.
    """

    id: str
    title: str
    days: tuple[PlanDay, ...]
    default: bool = False
    lesson_time: int = DEFAULT_LESSON_TIME
    minutes_before_shift: int = DEFAULT_MINUTES_BEFORE_SHIFT
    path: Path = Path()

    @property
    def key(self) -> str:
        """A short, stable key of the plan's id that fits in button data."""
        return hashlib.blake2s(self.id.encode(), digest_size=5).hexdigest()


@dataclass
class LoadResult:
    """Notes that loaded, the problems found, the synonym groups (first term = canonical) and the training
    plans."""

    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    synonyms: list[list[str]] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def display_path(path: Path | str) -> str:
    """``path`` relative to the current directory when it lies below it, else as given (a note in the
    database as it is named, ``[database]/<id>.md``)."""
    text = str(path)
    if Path(text).parts[:1] == DATABASE_FOLDER.parts:
        return text
    try:
        rel = Path(os.path.abspath(text)).relative_to(Path(os.path.abspath(os.getcwd())))
    except ValueError:
        return text
    return rel.as_posix()


def is_note_id(note_id: str) -> bool:
    """Whether ``note_id`` can name a note file: ``/``-separated parts, none empty or hidden, no ``..``."""
    return len(note_id) <= 255 and _NOTE_ID.fullmatch(note_id) is not None


def stored_path(note_id: str) -> Path:
    """The :attr:`Note.path` of a note kept in the database."""
    return DATABASE_FOLDER / f"{note_id}.md"


def is_stored(note: Note) -> bool:
    """Whether a note was read from the database (not from a file)."""
    return note.path == stored_path(note.id)


def load_notes(
    folder: Path | str,
    saved_folder: Path | str | None = None,
    stored: Sequence[tuple[str, str]] | None = None,
) -> LoadResult:
    """Load every note under ``folder``, in ``stored`` (``(note id, text)`` pairs read from the database)
    and under ``saved_folder``, and ``folder``'s ``synonyms.yaml``; collect all problems, never raise.

    A note with a minor problem (unknown field, bad ``audience`` — then treated as ``staff``) still loads;
    one without a usable title or body, too long, or with an id already taken does not. A missing
    ``saved_folder`` is not a problem: nothing has been saved yet. A stored note is checked exactly as a file.
    """
    root = Path(folder)
    result = LoadResult()
    if not root.is_dir():
        result.problems.append(Problem(display_path(root), 0, "knowledge folder not found"))
    saved = Path(saved_folder) if saved_folder is not None else None
    if saved is not None and (not saved.is_dir() or _same_folder(root, saved)):
        saved = None
    in_database = {note_id for note_id, _text in stored or ()}
    seen: dict[str, tuple[str, Path]] = {}

    def claim(note_id: str, path: Path, what: str) -> bool:
        """Take the id for the note at ``path``, or name the clash as a problem."""
        key = note_id.casefold()
        if key not in seen:
            seen[key] = (note_id, path)
            return True
        first_id, first = seen[key]
        how = "duplicate note id" if first_id == note_id else "note id differs only in letter case from"
        message = f"{how} {first_id!r} of {display_path(first)}; this {what} is left out"
        result.problems.append(Problem(display_path(path), 1, message))
        return False

    def add(found: tuple[Note | None, list[Problem]]) -> None:
        note, problems = found
        result.problems.extend(problems)
        if note is not None:
            result.notes.append(note)

    if root.is_dir():
        for path in _note_files(root):
            note_id = path.relative_to(root).as_posix()[: -len(".md")]
            if claim(note_id, path, "file"):
                add(parse_note_file(path, note_id))
    for note_id, text in sorted(stored or (), key=lambda pair: _case_order(pair[0])):
        if claim(note_id, stored_path(note_id), "note"):
            add(parse_stored_note(note_id, text))
    if saved is not None:
        for path in _note_files(saved):
            note_id = path.relative_to(saved).as_posix()[: -len(".md")]
            if note_id in in_database:
                continue  # imported: the database holds its text now
            if claim(note_id, path, "file"):
                add(parse_note_file(path, note_id))

    synonyms_path = root / SYNONYMS_FILE
    if synonyms_path.is_file():
        groups, problems = load_synonyms(synonyms_path)
        result.synonyms = groups
        result.problems.extend(problems)
    if (root / TRAINING_FOLDER).is_dir():
        plans, problems = load_plans(root / TRAINING_FOLDER, {note.id: note for note in result.notes})
        result.plans = plans
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


def parse_stored_note(note_id: str, text: str) -> tuple[Note | None, list[Problem]]:
    """Parse a note kept in the database, with the checks a file gets (its id, its size, its text)."""
    path = stored_path(note_id)
    if not is_note_id(note_id):
        return None, [Problem(display_path(path), 1, "not a usable note id; this note is left out")]
    if len(text.encode()) > MAX_FILE_BYTES:
        message = f"file over {MAX_FILE_BYTES // 1024} KB: too long for a note; split it into several notes"
        return None, [Problem(display_path(path), 1, message)]
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

    quiz = parse_quiz(fields[QUIZ_FIELD], problem) if QUIZ_FIELD in fields else ()

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
        quiz=quiz,
    )
    return note, problems


def _node_line(node: yaml.Node) -> int:
    """The file line of a node of the front matter."""
    return _FRONT_MATTER_LINE + node.start_mark.line


def parse_quiz(field_value: tuple[int, yaml.Node], problem: Any) -> tuple[QuizQuestion, ...]:
    """The ``quiz:`` field of a note: a list of questions, each written as::

        quiz:
          - question: 无理由退货的寄回运费一般由谁出？
            options: [商家, 顾客, 快递公司]
            answer: 2            # the right option, counted from 1
            explanation: 无理由退货的运费一般由顾客承担；质量问题由商家承担。

    A question with a problem is left out (and named); the others are kept.
    """
    line, node = field_value
    if _is_null(node):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        problem(line, "'quiz' must be a list of questions (question, options, answer, explanation)")
        return ()
    questions: list[QuizQuestion] = []
    seen: dict[str, int] = {}
    for item in node.value:
        question = _quiz_question(item, problem)
        if question is None:
            continue
        if question.question in seen:
            problem(question.line, f"the same quiz question is already on line {seen[question.question]}")
            continue
        seen[question.question] = question.line
        questions.append(question)
    return tuple(questions)


def _quiz_question(node: yaml.Node, problem: Any) -> QuizQuestion | None:
    """One question of ``quiz:``, or None (and its problems reported)."""
    line = _node_line(node)
    if not isinstance(node, yaml.MappingNode):
        problem(line, "a quiz question must have 'question', 'options', 'answer' and 'explanation'")
        return None
    values: dict[str, tuple[int, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _QUIZ_KEYS:
            problem(
                _node_line(key_node), f"unknown quiz field {key!r} (expected one of: {', '.join(_QUIZ_KEYS)})"
            )
            continue
        values[key] = (_node_line(key_node), value_node)
    ok = True
    for key in _QUIZ_KEYS:
        if key not in values:
            problem(line, f"quiz question without {key!r}")
            ok = False
    if not ok:
        return None
    text = _quiz_text(values["question"], "question", QUIZ_QUESTION_MAX, problem)
    explanation = _quiz_text(values["explanation"], "explanation", QUIZ_EXPLANATION_MAX, problem)
    if explanation is not None and explanation.count("\n") > QUIZ_EXPLANATION_MAX_BREAKS:
        problem(
            values["explanation"][0],
            f"'explanation' may have at most {QUIZ_EXPLANATION_MAX_BREAKS} line breaks",
        )
        explanation = None
    options = _quiz_options(values["options"], problem)
    answer = _quiz_answer(values["answer"], options, problem)
    if text is None or explanation is None or options is None or answer is None:
        return None
    return QuizQuestion(text, options, answer, explanation, line)


def _quiz_text(value: tuple[int, yaml.Node], key: str, limit: int, problem: Any) -> str | None:
    line, node = value
    text = _scalar(node)
    if not text:
        problem(line, f"'{key}' must be a non-empty text")
        return None
    if len(text) > limit:
        problem(line, f"'{key}' has {len(text)} characters; Telegram allows {limit}")
        return None
    return text


def _quiz_options(value: tuple[int, yaml.Node], problem: Any) -> tuple[str, ...] | None:
    line, node = value
    items = [_scalar(item) for item in node.value] if isinstance(node, yaml.SequenceNode) else None
    if items is None or not all(items):
        problem(line, "'options' must be a list of non-empty texts")
        return None
    options = tuple(item for item in items if item)
    if not QUIZ_MIN_OPTIONS <= len(options) <= QUIZ_MAX_OPTIONS:
        problem(
            line, f"'options' must have {QUIZ_MIN_OPTIONS} to {QUIZ_MAX_OPTIONS} options, not {len(options)}"
        )
        return None
    for option, item in zip(options, node.value, strict=True):
        if len(option) > QUIZ_OPTION_MAX:
            problem(
                _node_line(item), f"option has {len(option)} characters; Telegram allows {QUIZ_OPTION_MAX}"
            )
            return None
    if len(set(options)) != len(options):
        problem(line, "'options' lists the same option twice")
        return None
    return options


def _quiz_answer(value: tuple[int, yaml.Node], options: tuple[str, ...] | None, problem: Any) -> int | None:
    line, node = value
    raw = _scalar(node)
    count = len(options) if options is not None else QUIZ_MAX_OPTIONS
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= count:
        problem(line, f"'answer' must be the number of the right option, from 1 to {count}")
        return None
    return int(raw) - 1


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


def load_plans(folder: Path | str, notes: Mapping[str, Note]) -> tuple[list[Plan], list[Problem]]:
    """Load the training plans in ``folder`` (``<id>.yaml``), checking their notes against ``notes``::

        title: 新员工售后十日培训
        default: true                 # the plan new staff are enrolled in (one plan at most)
        lesson_time: "08:30"          # for someone with no shift that day (optional)
        minutes_before_shift: 60      # before a shift (optional)
        days:
          - title: 职场规定
            notes: [workplace/attendance, workplace/breaks]

    A plan whose days have a problem (an empty day, an unknown note) is left out and named: its lessons
    wait until it is fixed rather than go out in a wrong order.
    """
    root = Path(folder)
    plans: list[Plan] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return plans, problems
    default_plan: Plan | None = None
    names = sorted(
        (
            p
            for p in root.iterdir()
            if p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith((".", "_"))
        ),
        key=lambda p: _case_order(p.name),
    )
    for path in names:
        plan, found = _parse_plan(path, notes)
        problems.extend(found)
        if plan is None:
            continue
        if plan.default and default_plan is not None:
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    f"'default' is already set by {display_path(default_plan.path)}; only one plan can be the default",
                )
            )
            plan = Plan(
                plan.id, plan.title, plan.days, False, plan.lesson_time, plan.minutes_before_shift, path
            )
        elif plan.default:
            default_plan = plan
        plans.append(plan)
    return plans, problems


def _parse_plan(path: Path, notes: Mapping[str, Note]) -> tuple[Plan | None, list[Problem]]:
    shown = display_path(path)
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(shown, line, message))

    plan_id = path.stem
    if len(plan_id) > PLAN_ID_MAX or ":" in plan_id:
        problem(1, f"plan file name must be at most {PLAN_ID_MAX} characters without ':'")
        return None, problems
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problem(1, f"not valid UTF-8 (byte at offset {exc.start})")
        return None, problems
    except OSError as exc:
        problem(1, f"cannot read file: {exc.strerror or exc}")
        return None, problems
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem(mark.line + 1 if mark is not None else 1, f"invalid YAML: {detail}")
        return None, problems
    if not isinstance(node, yaml.MappingNode):
        problem(1, "a plan must be a YAML mapping with 'title' and 'days'")
        return None, problems

    fields: dict[str, tuple[int, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key not in _PLAN_KEYS:
            problem(line, f"unknown field {key!r} (expected one of: {', '.join(_PLAN_KEYS)})")
        elif key in fields:
            problem(line, f"duplicate field {key!r} (first on line {fields[key][0]})")
        else:
            fields[key] = (line, value_node)

    title = _scalar(fields["title"][1]) if "title" in fields else None
    if "title" in fields and not title:
        problem(fields["title"][0], "'title' must be a non-empty text")
    title = title or plan_id

    default = False
    if "default" in fields:
        raw = _scalar(fields["default"][1])
        if raw not in ("true", "false"):
            problem(fields["default"][0], "'default' must be true or false")
        default = raw == "true"

    lesson_time = DEFAULT_LESSON_TIME
    if "lesson_time" in fields:
        raw = _scalar(fields["lesson_time"][1]) or ""
        clock = _CLOCK.fullmatch(raw)
        if clock is None:
            problem(fields["lesson_time"][0], "'lesson_time' must be a time of day like \"08:30\"")
        else:
            lesson_time = int(clock.group(1)) * 60 + int(clock.group(2))

    before = DEFAULT_MINUTES_BEFORE_SHIFT
    if "minutes_before_shift" in fields:
        raw = _scalar(fields["minutes_before_shift"][1]) or ""
        if not raw.isdigit() or int(raw) > MAX_MINUTES_BEFORE_SHIFT:
            problem(
                fields["minutes_before_shift"][0],
                f"'minutes_before_shift' must be a number of minutes from 0 to {MAX_MINUTES_BEFORE_SHIFT}",
            )
        else:
            before = int(raw)

    if "days" not in fields:
        problem(1, "missing required field 'days'")
        return None, problems
    days = _plan_days(fields["days"], notes, problem)
    if days is None:
        return None, problems
    return Plan(plan_id, title, days, default, lesson_time, before, path), problems


def _plan_days(
    value: tuple[int, yaml.Node], notes: Mapping[str, Note], problem: Any
) -> tuple[PlanDay, ...] | None:
    """The days of a plan, or None if any day has a problem."""
    line, node = value
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problem(line, "'days' must be a list of days, each with 'notes'")
        return None
    days: list[PlanDay] = []
    ok = True
    first_day: dict[str, int] = {}
    for number, day_node in enumerate(node.value, start=1):
        day_line = day_node.start_mark.line + 1
        if not isinstance(day_node, yaml.MappingNode):
            problem(day_line, f"day {number} must have 'notes' (and may have a 'title')")
            ok = False
            continue
        day: dict[str, tuple[int, yaml.Node]] = {}
        for key_node, value_node in day_node.value:
            key = str(key_node.value)
            if key not in _DAY_KEYS:
                problem(
                    key_node.start_mark.line + 1, f"unknown field {key!r} (expected one of: title, notes)"
                )
            else:
                day[key] = (key_node.start_mark.line + 1, value_node)
        title = _scalar(day["title"][1]) if "title" in day else None
        ids_node = day["notes"][1] if "notes" in day else None
        if (
            ids_node is None
            or _is_null(ids_node)
            or (isinstance(ids_node, yaml.SequenceNode) and not ids_node.value)
        ):
            problem(day_line, f"day {number} is empty: list its notes under 'notes'")
            ok = False
            continue
        if not isinstance(ids_node, yaml.SequenceNode):
            problem(day["notes"][0], f"'notes' of day {number} must be a list of note ids")
            ok = False
            continue
        note_ids: list[str] = []
        for id_node in ids_node.value:
            note_id = _scalar(id_node)
            id_line = id_node.start_mark.line + 1
            if not note_id or note_id not in notes:
                problem(id_line, f"unknown note id {note_id!r} in day {number}")
                ok = False
            elif note_id in first_day:
                problem(id_line, f"note {note_id!r} is already taught on day {first_day[note_id]}")
                ok = False
            else:
                first_day[note_id] = number
                note_ids.append(note_id)
        days.append(PlanDay(title or "", tuple(note_ids)))
    return tuple(days) if ok else None
