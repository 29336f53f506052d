"""Evaluate the knowledge matcher on sets of labelled queries, side by side with a naive baseline.

The sets:

* ``ours`` — the shipped notes in ``knowledge/`` and the queries of ``bench/kb_queries.tsv``;
* ``heldout`` — a workplace's own notes in ``bench/heldout/knowledge/`` (HR, IT and another platform's
  after-sales rules, written in another voice) and the queries of ``bench/heldout/queries.tsv``. Nothing is
  ever tuned on this set — no threshold, weight, synonym or rule is chosen by looking at its results: it
  only shows whether the matcher holds on notes it was not built around;
* ``devset`` — a third workplace's notes in ``bench/devset/knowledge/`` (payroll, life at the station, a
  marketplace's shipping rules, live-stream orders) and the queries of ``bench/devset/queries.tsv``: with
  ``ours``, what ``bench/kb_fit.py`` fits the decision on;
* ``thirdset`` — a fourth workplace's notes in ``bench/thirdset/knowledge/`` (a domestic marketplace's
  after-sales, a fresh-produce shop and hard customers, the station's team rules and job seekers) and the
  questions of ``bench/thirdset/queries.tsv``, written blind to the matcher: the third set the decision is
  fitted on (each workplace judged by a model fitted on the others chooses the thresholds);
* ``fourthset`` — a fifth workplace's notes in ``bench/fourthset/knowledge/`` (an electronics shop's
  after-sales, the station's computers and systems, a live-stream clothing shop and job seekers) and the
  questions of ``bench/fourthset/queries.tsv``, written blind to the matcher like ``thirdset``.

    .venv/bin/python bench/kb_eval.py                     # ours and heldout: both matchers, overall and per kind
    .venv/bin/python bench/kb_eval.py --set all           # every set: ours, the development sets, heldout
    .venv/bin/python bench/kb_eval.py --set ours          # one set only
    .venv/bin/python bench/kb_eval.py --errors            # also list every wrong answer and miss of the matcher
    .venv/bin/python bench/kb_eval.py --semantic          # the matcher with the semantic channel (the extra)
    .venv/bin/python bench/kb_eval.py --set ours --sweep  # trade-off tables of the matcher's thresholds
    .venv/bin/python bench/kb_eval.py --set ours --dir DIR --queries FILE   # other notes or queries

Query files have the columns ``query  expected  kind  [audience]``. ``expected`` is a note id, or ``-``
where the bot should say it does not know; ``audience`` is ``staff`` (the default when the column is missing
or empty) or ``public`` (a job seeker, who must only ever see public notes). A header row and ``#`` comment
lines are skipped.

Figures (answerable: the queries with an expected note):

* top-1 accuracy — the top-ranked match is the expected note (answerable);
* top-3 recall — the expected note is among the three best matches (answerable);
* correct answers — the bot answers with the expected note: a confident answer, and the right one
  (answerable);
* WRONG answers — it answers with another note, or answers a ``-`` query (all queries). This matters most:
  a confident wrong procedure is worse than "I don't know";
* out-of-domain rejection — ``-`` queries answered null;
* public leakage — public-audience queries shown a staff note as the answer, a suggestion or a match.

The matcher is judged by the decision ``kb search`` makes (``KnowledgeIndex.search``), unless
``--answer``, ``--suggest`` or ``--margin`` ask to re-decide its ranked matches with other thresholds.

The baseline is what one would write first: rapidfuzz ``fuzz.WRatio`` (with ``utils.default_process``:
lower case, punctuation removed) between the query and each note's raw title and questions; the best note
wins, and answers when its score reaches a threshold. That threshold is tuned for the baseline on each set
separately, on the same queries it is scored on (the held-out set included, which flatters the baseline
there): the one with the most correct answers while WRONG answers stay at or below 3 % (the higher
threshold on a tie). Both matchers search only the notes the query's audience may see.
"""

from __future__ import annotations

import argparse
import csv
import shlex
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.knowledge.notes import Note, load_notes  # noqa: E402
from bot.knowledge.search import (  # noqa: E402
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    Match,
    SearchResult,
    decide,
    load_semantic,
)

AUDIENCES = ("staff", "public")
BASELINE_MAX_WRONG = 0.03
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class EvalSet:
    """A folder of notes and the labelled queries over them."""

    name: str
    notes: Path
    queries: Path
    about: str


def workplace(name: str, about: str) -> EvalSet:
    """A set kept under ``bench/<name>/``: its ``knowledge/`` folder and ``queries.tsv``."""
    return EvalSet(name, ROOT / "bench" / name / "knowledge", ROOT / "bench" / name / "queries.tsv", about)


SETS = {
    "ours": EvalSet(
        "ours", ROOT / "knowledge", ROOT / "bench" / "kb_queries.tsv", "the shipped notes and our own queries"
    ),
    "heldout": workplace("heldout", "a workplace's own notes and queries, never tuned on"),
    "devset": workplace("devset", "a third workplace's notes and queries, fitted on with ours"),
    "thirdset": workplace("thirdset", "a fourth workplace's notes and queries, fitted on with the others"),
    "fourthset": workplace("fourthset", "a fifth workplace's notes and queries, fitted on with the others"),
}


@dataclass
class Case:
    query: str
    expected: str | None
    kind: str
    audience: str = "staff"


def read_cases(path: Path) -> list[Case]:
    """Rows of the TSV: ``query expected kind [audience]`` (header row and ``#`` lines skipped)."""
    cases = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if row[0] == "query" and row[1:2] == ["expected"]:
                continue
            expected = row[1].strip() if len(row) > 1 else "-"
            kind = row[2].strip() if len(row) > 2 else "?"
            audience = row[3].strip() if len(row) > 3 and row[3].strip() else "staff"
            if audience not in AUDIENCES:
                raise ValueError(f"{path}: audience must be staff or public, not {audience!r}: {row}")
            cases.append(Case(row[0].strip(), None if expected in ("-", "") else expected, kind, audience))
    return cases


@dataclass
class Tally:
    """Counts for one group of queries."""

    n: int = 0
    answerable: int = 0
    top1: int = 0  # answerable queries whose best match is the expected note
    top3: int = 0
    correct: int = 0  # answerable queries answered with the expected note
    null_ok: int = 0  # '-' queries answered null
    wrong: int = 0  # answered with another note, or answered a '-' query
    unknown: int = 0  # answerable queries with outcome "unknown"
    suggest: int = 0
    rescued: int = 0  # answerable, not answered, but the expected note is among the suggestions
    noise: int = 0  # '-' queries that got suggestions
    public: int = 0  # public-audience queries
    leaks: int = 0  # public-audience queries shown a staff note

    def add(self, case: Case, result: SearchResult) -> None:
        self.n += 1
        answer = result.answer.id if result.answer else None
        suggested = [m.note.id for m in result.suggestions]
        self.suggest += result.outcome == "suggest"
        if case.audience == "public":
            self.public += 1
            shown = [result.answer] if result.answer else []
            shown += [m.note for m in (*result.suggestions, *result.matches)]
            self.leaks += any(note.audience != "public" for note in shown)
        if case.expected is None:
            self.null_ok += answer is None
            self.wrong += answer is not None
            self.noise += bool(suggested)
            return
        self.answerable += 1
        ranked = [m.note.id for m in result.matches]
        self.top1 += ranked[:1] == [case.expected]
        self.top3 += case.expected in ranked[:3]
        self.correct += answer == case.expected
        self.wrong += answer is not None and answer != case.expected
        self.unknown += result.outcome == "unknown"
        self.rescued += answer is None and case.expected in suggested

    @property
    def accuracy(self) -> int:
        """Queries whose answer is right: the expected note, or null for '-'."""
        return self.correct + self.null_ok

    @property
    def unanswerable(self) -> int:
        return self.n - self.answerable


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    - "


Decider = Callable[[Case, list[Match]], SearchResult]


def matcher_decider(answer: float, suggest: float, margin: float) -> Decider:
    """The matcher's decision re-made from its ranked matches with the given thresholds."""

    def run(case: Case, matches: list[Match]) -> SearchResult:
        return decide(
            case.query,
            matches,
            limit=SEARCH_LIMIT,
            answer_threshold=answer,
            suggest_threshold=suggest,
            min_margin=margin,
        )

    return run


def baseline_decider(threshold: float) -> Decider:
    """The baseline answers its best note at or above the threshold, and never offers suggestions."""

    def run(case: Case, matches: list[Match]) -> SearchResult:
        if matches and matches[0].score >= threshold:
            return SearchResult(case.query, matches[0].note, matches[:5], "answer")
        return SearchResult(case.query, None, matches[:5], "unknown")

    return run


def evaluate(
    cases: list[Case], scored: list[list[Match]], decider: Decider
) -> tuple[Tally, dict[str, Tally], list[tuple[Case, SearchResult]]]:
    """Decide every query from its ranked candidates."""
    return tally([(case, decider(case, matches)) for case, matches in zip(cases, scored, strict=True)])


def tally(
    results: list[tuple[Case, SearchResult]],
) -> tuple[Tally, dict[str, Tally], list[tuple[Case, SearchResult]]]:
    """Count decisions already made, overall and per kind of query."""
    total = Tally()
    per_kind: dict[str, Tally] = defaultdict(Tally)
    for case, result in results:
        total.add(case, result)
        per_kind[case.kind].add(case, result)
    return total, per_kind, results


class WRatioBaseline:
    """Rank notes by the best ``fuzz.WRatio`` between the query and the note's title or a question."""

    def __init__(self, notes: Sequence[Note]) -> None:
        self.notes = list(notes)
        self.texts: dict[str, list[tuple[str, int]]] = {}
        for audience in AUDIENCES:
            allowed = [i for i, n in enumerate(self.notes) if audience == "staff" or n.audience == "public"]
            self.texts[audience] = [
                (t, i) for i in allowed for t in (self.notes[i].title, *self.notes[i].questions)
            ]

    def rank(self, query: str, audience: str) -> list[Match]:
        texts = self.texts[audience]
        found = process.extract(
            query, [t for t, _ in texts], scorer=fuzz.WRatio, processor=utils.default_process, limit=None
        )
        best: dict[int, float] = {}
        for _text, score, k in found:
            note = texts[k][1]
            best[note] = max(best.get(note, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [Match(self.notes[i], round(score, 2)) for i, score in ranked]


def tune_baseline(cases: list[Case], scored: list[list[Match]]) -> tuple[float, list[tuple[float, Tally]]]:
    """The baseline's answer threshold: most correct answers with WRONG <= 3 % (higher one on a tie)."""
    rows = []
    for threshold in range(0, 101):
        total, _, _ = evaluate(cases, scored, baseline_decider(threshold))
        rows.append((float(threshold), total))
    allowed = [(t, tally) for t, tally in rows if tally.wrong <= BASELINE_MAX_WRONG * tally.n]
    threshold = max(allowed, key=lambda r: (r[1].correct, -r[1].wrong, r[0]))[0] if allowed else 100.0
    return threshold, rows


def _wrong_answerable(t: Tally) -> int:
    """Answerable queries answered with another note."""
    return t.wrong - (t.unanswerable - t.null_ok)


def overall_rows(m: Tally, b: Tally) -> list[tuple[str, str, str]]:
    """The overall figures of the matcher and the baseline: (label, matcher, baseline)."""
    return [
        ("top-1 accuracy (answerable)", pct(m.top1, m.answerable), pct(b.top1, b.answerable)),
        ("top-3 recall (answerable)", pct(m.top3, m.answerable), pct(b.top3, b.answerable)),
        ("correct answers (answerable)", pct(m.correct, m.answerable), pct(b.correct, b.answerable)),
        ("WRONG answers (all queries)", pct(m.wrong, m.n), pct(b.wrong, b.n)),
        ("no answer (answerable)", pct(m.answerable - m.correct - _wrong_answerable(m), m.answerable),
         pct(b.answerable - b.correct - _wrong_answerable(b), b.answerable)),
        ("  of which 'did you mean' rescues", pct(m.rescued, m.answerable), "    - "),
        ("out-of-domain rejection ('-')", pct(m.null_ok, m.unanswerable), pct(b.null_ok, b.unanswerable)),
        ("  '-' given suggestions", pct(m.noise, m.unanswerable), "    - "),
        ("public leakage (queries)", f"{m.leaks} of {m.public}", f"{b.leaks} of {b.public}"),
    ]  # fmt: skip


def print_side_by_side(
    ours: tuple[Tally, dict[str, Tally]], baseline: tuple[Tally, dict[str, Tally]]
) -> None:
    (m, m_kinds), (b, b_kinds) = ours, baseline
    print(f"\n{'':34}{'matcher':>12}{'baseline':>12}")
    for label, ours_value, base_value in overall_rows(m, b):
        print(f"{label:34}{ours_value:>12}{base_value:>12}")

    print(f"\n{'':17}{'':5} {'---------- matcher ----------':>30}  {'---------- baseline ---------':>30}")
    header = f"{'top-1':>7}{'right':>9}{'wrong':>7}{'top-3':>7}"
    print(f"{'kind':<17}{'n':>5} {header}  {header}")
    for kind in sorted(m_kinds, key=lambda k: (k in ("unknown", "staffonly"), k)):
        cells = []
        for t in (m_kinds[kind], b_kinds[kind]):
            cells.append(
                f"{pct(t.top1, t.answerable):>7}{f'{t.accuracy}/{t.n}':>9}{pct(t.wrong, t.n):>7}"
                f"{pct(t.top3, t.answerable):>7}"
            )
        print(f"{kind:<17}{m_kinds[kind].n:>5} {cells[0]}  {cells[1]}")
    print(
        "(right: answered with the expected note, or no answer where none is expected; "
        "wrong: answered with another note)"
    )


def print_summary(reports: list[SetReport]) -> None:
    """The overall figures of every set next to each other."""
    print(f"\n=== both sets side by side {'=' * 78}")
    print(f"{'':34}" + "".join(f"  {' ' + r.name + ' ':-^23}" for r in reports))
    print(f"{'':34}" + "".join(f"{f'{r.notes} notes, {r.queries} queries':>25}" for r in reports))
    print(f"{'':34}" + "".join(f"{'matcher':>13}{'baseline':>12}" for _ in reports))
    columns = [overall_rows(r.matcher, r.baseline) for r in reports]
    for i, (label, _, _) in enumerate(columns[0]):
        print(f"{label:34}" + "".join(f"{rows[i][1]:>13}{rows[i][2]:>12}" for rows in columns))
    print(
        f"{'baseline threshold (tuned per set)':34}"
        + "".join(f"{'':>13}{f'>= {r.threshold:g}':>12}" for r in reports)
    )


def sweep(cases: list[Case], scored: list[list[Match]], suggest: float) -> None:
    print(f"\nmatcher: answer threshold x margin (suggest >= {suggest:g}): correct / WRONG / rescued")
    margins = (0, 2, 4, 6, 8, 10)
    print(f"{'answer':>7}" + "".join(f"{'margin ' + str(m):>22}" for m in margins))
    best = None
    for answer in range(40, 81, 2):
        cells = []
        for margin in margins:
            t, _, _ = evaluate(cases, scored, matcher_decider(answer, suggest, margin))
            correct, wrong = t.correct / t.answerable, t.wrong / t.n
            cells.append(f"{100 * correct:5.1f} /{100 * wrong:4.1f} /{100 * t.rescued / t.answerable:5.1f}")
            key = (wrong <= 0.02, correct - 3 * wrong)
            if best is None or key > best[0]:
                best = (key, answer, margin, correct, wrong)
        print(f"{answer:>7}" + "".join(f"{c:>22}" for c in cells))
    if best is not None:
        _, answer, margin, correct, wrong = best
        print(
            f"best (WRONG <= 2%, then max correct - 3 x WRONG): answer={answer} margin={margin}: "
            f"correct {100 * correct:.1f}%, WRONG {100 * wrong:.1f}%"
        )
        print(
            f"\nsuggest threshold (answer={answer}, margin={margin}): rescued answerable / '-' given suggestions"
        )
        for s in range(20, answer + 1, 5):
            t, _, _ = evaluate(cases, scored, matcher_decider(answer, s, margin))
            print(f"  suggest >= {s:>3}: {pct(t.rescued, t.answerable)} / {pct(t.noise, t.unanswerable)}")


def print_errors(results: list[tuple[Case, SearchResult]]) -> None:
    print("\nmatcher: wrong answers and misses:")
    for case, result in results:
        answer = result.answer.id if result.answer else None
        if answer == case.expected:
            continue
        tops = ", ".join(f"{m.note.id} {m.score:.0f}" for m in result.matches[:3])
        flag = "WRONG" if answer is not None else result.outcome
        who = " (public)" if case.audience == "public" else ""
        print(f"  [{flag:7}] {case.kind:<11} {case.query!r}{who} expected {case.expected or '-'}: {tops}")


@dataclass
class SetReport:
    """The overall figures of one set, for the summary of both."""

    name: str
    notes: int
    queries: int
    matcher: Tally
    baseline: Tally
    threshold: float


def run_set(eval_set: EvalSet, args: argparse.Namespace) -> SetReport | None:
    """Evaluate both matchers on one set and print its section; None when it has no queries."""
    loaded = load_notes(eval_set.notes)
    if loaded.problems:
        print(
            f"warning: {len(loaded.problems)} problem(s) in {eval_set.notes} (run kb check)", file=sys.stderr
        )
    cases = read_cases(eval_set.queries)
    if not cases:
        print(f"no queries in {eval_set.queries}", file=sys.stderr)
        return None

    channel = load_semantic(Path(args.cache)) if args.semantic else None
    start = time.perf_counter()
    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms, semantic_channel=channel)
    build = time.perf_counter() - start
    latencies = []
    searched: list[tuple[Case, SearchResult]] = []
    for case in cases:
        start = time.perf_counter()
        result = index.search(case.query, audience=case.audience, limit=SEARCH_LIMIT)  # type: ignore[arg-type]
        latencies.append(time.perf_counter() - start)
        searched.append((case, result))
    scored = [result.matches for _, result in searched]
    baseline = WRatioBaseline(loaded.notes)
    base_scored = [baseline.rank(case.query, case.audience) for case in cases]
    threshold, _ = tune_baseline(cases, base_scored)

    redecide = (args.answer, args.suggest, args.margin) != (None, None, None)
    answer = DEFAULT_ANSWER_THRESHOLD if args.answer is None else args.answer
    suggest = DEFAULT_SUGGEST_THRESHOLD if args.suggest is None else args.suggest
    margin = DEFAULT_MIN_MARGIN if args.margin is None else args.margin
    if redecide:
        total, per_kind, results = evaluate(cases, scored, matcher_decider(answer, suggest, margin))
        how = f"re-decided: answer >= {answer:g} leading by >= {margin:g}, suggest >= {suggest:g}"
    else:
        total, per_kind, results = tally(searched)
        how = "the decision kb search makes"
    b_total, b_per_kind, _ = evaluate(cases, base_scored, baseline_decider(threshold))

    publics = sum(c.audience == "public" for c in cases)
    answerable = sum(c.expected is not None for c in cases)
    public_notes = sum(n.audience == "public" for n in loaded.notes)
    print(
        f"\n=== {eval_set.name}: {eval_set.about} {'=' * max(3, 96 - len(eval_set.name) - len(eval_set.about))}"
    )
    print(
        f"{_shown(eval_set.notes)}: {len(loaded.notes)} notes ({public_notes} public), "
        f"{len(loaded.synonyms)} synonym groups\n"
        f"{_shown(eval_set.queries)}: {len(cases)} queries ({answerable} answerable, "
        f"{len(cases) - answerable} to refuse, {publics} from the public audience)\n"
        f"matcher: {how}{' (with the semantic channel)' if channel else ''}\n"
        f"baseline: WRatio over title + questions, answer >= {threshold:g} (tuned on this set's own "
        f"queries: most correct answers with WRONG <= {100 * BASELINE_MAX_WRONG:g}%)"
    )
    print_side_by_side((total, per_kind), (b_total, b_per_kind))

    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(
        f"\nmatcher: index build {1000 * build:.0f} ms; query latency median "
        f"{1000 * statistics.median(latencies):.2f} ms, p99 {1000 * p99:.2f} ms "
        f"(bench/kb_speed.py measures larger indexes)"
    )
    if args.errors:
        print_errors(results)
    if args.sweep:
        if eval_set.name == "heldout":
            print("\n(held-out set: these tables are for reporting only; never choose thresholds on them)")
        sweep(cases, scored, suggest)
    return SetReport(eval_set.name, len(loaded.notes), len(cases), total, b_total, threshold)


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set",
        choices=("ours", "devset", "thirdset", "fourthset", "heldout", "both", "all"),
        default="both",
        help="which set(s): both is ours and heldout",
    )
    parser.add_argument("--dir", help="notes folder replacing the chosen set's (with one --set)")
    parser.add_argument("--queries", help="queries file replacing the chosen set's (with one --set)")
    parser.add_argument("--answer", type=float, help="re-decide: answer threshold")
    parser.add_argument("--suggest", type=float, help="re-decide: suggest threshold")
    parser.add_argument("--margin", type=float, help="re-decide: lead over the runner-up needed to answer")
    parser.add_argument("--sweep", action="store_true", help="scan the matcher's thresholds")
    parser.add_argument("--errors", action="store_true", help="list the matcher's wrong answers and misses")
    parser.add_argument("--semantic", action="store_true", help="the matcher with the semantic channel")
    parser.add_argument("--cache", default=str(ROOT / "data" / "embeddings"), help="embedding cache folder")
    args = parser.parse_args(argv)
    if args.semantic and load_semantic(None) is None:
        parser.error("--semantic needs the semantic extra: pip install -e '.[semantic]'")
    if args.set in ("both", "all") and (args.dir or args.queries):
        parser.error("--dir and --queries replace one set's notes or queries: choose it with --set")

    command = sys.orig_argv if argv is None else [sys.argv[0], *argv]
    print(f"$ {shlex.join(command)}")
    names = {"both": ("ours", "heldout"), "all": ("ours", "devset", "thirdset", "fourthset", "heldout")}.get(
        args.set, (args.set,)
    )
    reports = []
    for name in names:
        chosen = SETS[name]
        eval_set = EvalSet(
            name,
            Path(args.dir) if args.dir else chosen.notes,
            Path(args.queries) if args.queries else chosen.queries,
            chosen.about if not (args.dir or args.queries) else "notes or queries given on the command line",
        )
        report = run_set(eval_set, args)
        if report is None:
            return 1
        reports.append(report)
    if len(reports) > 1:
        print_summary(reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
