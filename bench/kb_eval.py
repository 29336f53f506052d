"""Evaluate the knowledge matcher on the labelled queries in ``bench/kb_queries.tsv``, side by side with a
naive baseline.

    .venv/bin/python bench/kb_eval.py             # both matchers, overall and per kind of query
    .venv/bin/python bench/kb_eval.py --errors    # also list every wrong answer and miss of the matcher
    .venv/bin/python bench/kb_eval.py --sweep     # trade-off tables to choose the matcher's thresholds

``kb_queries.tsv`` columns: ``query  expected  kind  [audience]``. ``expected`` is a note id, or ``-`` where
the bot should say it does not know; ``audience`` is ``staff`` (the default when the column is missing or
empty) or ``public`` (a job seeker, who must only ever see public notes). A header row and ``#`` comment
lines are skipped.

Figures (answerable: the queries with an expected note):

* top-1 accuracy — the top-ranked match is the expected note (answerable);
* top-3 recall — the expected note is among the three best matches (answerable);
* correct answers — the bot answers with the expected note (answerable);
* WRONG answers — it answers with another note, or answers a ``-`` query (all queries). This matters most:
  a confident wrong procedure is worse than "I don't know";
* out-of-domain rejection — ``-`` queries answered null;
* public leakage — public-audience queries shown a staff note as the answer, a suggestion or a match.

The baseline is what one would write first: rapidfuzz ``fuzz.WRatio`` (with ``utils.default_process``:
lower case, punctuation removed) between the query and each note's raw title and questions; the best note
wins, and answers when its score reaches a threshold. That threshold is tuned for the baseline here, on
the same queries: the one with the most correct answers while WRONG answers stay at or below 3 % (the
higher threshold on a tie). Both matchers search only the notes the query's audience may see.
"""

from __future__ import annotations

import argparse
import csv
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
)

AUDIENCES = ("staff", "public")
BASELINE_MAX_WRONG = 0.03


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
    def run(case: Case, matches: list[Match]) -> SearchResult:
        return decide(
            case.query, matches, answer_threshold=answer, suggest_threshold=suggest, min_margin=margin
        )

    return run


def baseline_decider(threshold: float) -> Decider:
    """The baseline answers its best note at or above the threshold, and never offers suggestions."""

    def run(case: Case, matches: list[Match]) -> SearchResult:
        return decide(
            case.query, matches, answer_threshold=threshold, suggest_threshold=threshold, min_margin=0
        )

    return run


def evaluate(
    cases: list[Case], scored: list[list[Match]], decider: Decider
) -> tuple[Tally, dict[str, Tally], list[tuple[Case, SearchResult]]]:
    """Decide every query from its ranked candidates."""
    total = Tally()
    per_kind: dict[str, Tally] = defaultdict(Tally)
    results = []
    for case, matches in zip(cases, scored, strict=True):
        result = decider(case, matches)
        total.add(case, result)
        per_kind[case.kind].add(case, result)
        results.append((case, result))
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


def print_side_by_side(
    ours: tuple[Tally, dict[str, Tally]], baseline: tuple[Tally, dict[str, Tally]]
) -> None:
    (m, m_kinds), (b, b_kinds) = ours, baseline
    rows = [
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
    print(f"\n{'':34}{'matcher':>12}{'baseline':>12}")
    for label, ours_value, base_value in rows:
        print(f"{label:34}{ours_value:>12}{base_value:>12}")

    print(f"\n{'':17}{'':5} {'--------- matcher ---------':>28}  {'-------- baseline ---------':>28}")
    header = f"{'top-1':>7}{'right':>7}{'wrong':>7}{'top-3':>7}"
    print(f"{'kind':<17}{'n':>5} {header}  {header}")
    for kind in sorted(m_kinds, key=lambda k: (k in ("unknown", "staffonly"), k)):
        cells = []
        for t in (m_kinds[kind], b_kinds[kind]):
            cells.append(
                f"{pct(t.top1, t.answerable):>7}{pct(t.accuracy, t.n):>7}{pct(t.wrong, t.n):>7}"
                f"{pct(t.top3, t.answerable):>7}"
            )
        print(f"{kind:<17}{m_kinds[kind].n:>5} {cells[0]}  {cells[1]}")
    print("(right: answered with the expected note, or no answer where none is expected)")


def _wrong_answerable(t: Tally) -> int:
    """Answerable queries answered with another note."""
    return t.wrong - (t.unanswerable - t.null_ok)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "knowledge"))
    parser.add_argument("--queries", default=str(ROOT / "bench" / "kb_queries.tsv"))
    parser.add_argument("--answer", type=float, default=DEFAULT_ANSWER_THRESHOLD)
    parser.add_argument("--suggest", type=float, default=DEFAULT_SUGGEST_THRESHOLD)
    parser.add_argument("--margin", type=float, default=DEFAULT_MIN_MARGIN)
    parser.add_argument("--lexical", choices=("bm25f", "bm25s"), default="bm25f", help="lexical ranker")
    parser.add_argument("--sweep", action="store_true", help="scan the matcher's thresholds")
    parser.add_argument("--errors", action="store_true", help="list the matcher's wrong answers and misses")
    args = parser.parse_args(argv)

    loaded = load_notes(args.dir)
    if loaded.problems:
        print(f"warning: {len(loaded.problems)} problem(s) in the notes (run kb check)", file=sys.stderr)
    cases = read_cases(Path(args.queries))
    if not cases:
        print(f"no queries in {args.queries}", file=sys.stderr)
        return 1

    start = time.perf_counter()
    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms, lexical=args.lexical)
    build = time.perf_counter() - start
    latencies = []
    scored: list[list[Match]] = []
    for case in cases:
        start = time.perf_counter()
        result = index.search(case.query, audience=case.audience, limit=50)  # type: ignore[arg-type]
        latencies.append(time.perf_counter() - start)
        scored.append(result.matches)
    baseline = WRatioBaseline(loaded.notes)
    base_scored = [baseline.rank(case.query, case.audience) for case in cases]
    threshold, _ = tune_baseline(cases, base_scored)

    publics = sum(c.audience == "public" for c in cases)
    answerable = sum(c.expected is not None for c in cases)
    print(
        f"{len(cases)} queries ({answerable} answerable, {publics} from the public audience), "
        f"{len(loaded.notes)} notes, {len(loaded.synonyms)} synonym groups\n"
        f"matcher: answer >= {args.answer:g} leading by >= {args.margin:g}, suggest >= {args.suggest:g} "
        f"(lexical={args.lexical})\n"
        f"baseline: WRatio over title + questions, answer >= {threshold:g} (tuned here: most correct "
        f"answers with WRONG <= {100 * BASELINE_MAX_WRONG:g}%)"
    )
    total, per_kind, results = evaluate(
        cases, scored, matcher_decider(args.answer, args.suggest, args.margin)
    )
    b_total, b_per_kind, _ = evaluate(cases, base_scored, baseline_decider(threshold))
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
        sweep(cases, scored, args.suggest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
