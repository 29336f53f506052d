"""Evaluate the knowledge matcher on the labelled queries in ``bench/kb_queries.tsv``.

    .venv/bin/python bench/kb_eval.py             # figures with the default thresholds
    .venv/bin/python bench/kb_eval.py --sweep     # trade-off tables to choose the thresholds
    .venv/bin/python bench/kb_eval.py --errors    # list every wrong answer and miss

``kb_queries.tsv`` columns: ``query  expected  kind``; ``expected`` is a note id, or ``-`` where the bot
should say it does not know. The figure that matters most is the WRONG-answer rate (a different note
answered, or an answer where ``-`` was expected): a confident wrong procedure is worse than "I don't know".
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.knowledge.matcher import (  # noqa: E402
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    KnowledgeIndex,
    Match,
    SearchResult,
    decide,
)
from bot.knowledge.normalize import han_pinyin  # noqa: E402
from bot.knowledge.notes import Note, load_notes  # noqa: E402


@dataclass
class Case:
    query: str
    expected: str | None
    kind: str


def read_cases(path: Path) -> list[Case]:
    """Rows of the TSV (a header row ``query expected kind`` is skipped; ``#`` lines are comments)."""
    cases = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if row[0] == "query" and row[1:2] == ["expected"]:
                continue
            expected = row[1].strip() if len(row) > 1 else "-"
            kind = row[2].strip() if len(row) > 2 else "?"
            cases.append(Case(row[0].strip(), None if expected in ("-", "") else expected, kind))
    return cases


@dataclass
class Tally:
    """Counts for one group of queries."""

    n: int = 0
    answerable: int = 0
    correct: int = 0  # answerable queries answered with the expected note
    null_ok: int = 0  # '-' queries answered null
    wrong: int = 0  # answered with another note, or answered a '-' query
    unknown: int = 0  # answerable queries with outcome "unknown"
    suggest: int = 0
    rescued: int = 0  # answerable, not answered, but the expected note is among the suggestions
    noise: int = 0  # '-' queries that got suggestions
    top3: int = 0

    def add(self, case: Case, result: SearchResult) -> None:
        self.n += 1
        answer = result.answer.id if result.answer else None
        suggested = [m.note.id for m in result.suggestions]
        self.suggest += result.outcome == "suggest"
        if case.expected is None:
            self.null_ok += answer is None
            self.wrong += answer is not None
            self.noise += bool(suggested)
            return
        self.answerable += 1
        self.correct += answer == case.expected
        self.wrong += answer is not None and answer != case.expected
        self.unknown += result.outcome == "unknown"
        self.rescued += answer is None and case.expected in suggested
        self.top3 += case.expected in [m.note.id for m in result.matches[:3]]

    @property
    def accuracy(self) -> int:
        """Queries whose answer is right: the expected note, or null for '-'."""
        return self.correct + self.null_ok


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    - "


def evaluate(
    cases: list[Case], scored: list[list[Match]], answer: float, suggest: float, margin: float
) -> tuple[Tally, dict[str, Tally], list[tuple[Case, SearchResult]]]:
    """Decide every query from its scored candidates with these thresholds."""
    total = Tally()
    per_kind: dict[str, Tally] = defaultdict(Tally)
    results = []
    for case, matches in zip(cases, scored, strict=True):
        result = decide(
            case.query, matches, answer_threshold=answer, suggest_threshold=suggest, min_margin=margin
        )
        total.add(case, result)
        per_kind[case.kind].add(case, result)
        results.append((case, result))
    return total, per_kind, results


def synthetic_notes(notes: list[Note], count: int) -> list[Note]:
    """``count`` notes made from the real ones, each body's lines rotated differently so that no text
    repeats (caches do not flatter the timing)."""
    out = []
    for k in range(count):
        base = notes[k % len(notes)]
        shift = k // len(notes)
        lines = [line[shift:] + line[:shift] for line in base.body.splitlines()]
        out.append(replace(base, id=f"synthetic/{k}", body="\n".join(lines)))
    return out


def timed_build(
    notes: list[Note], synonyms: list[list[str]], lexical: str
) -> tuple[KnowledgeIndex, float, float]:
    """Build from cold caches; return the index, wall seconds and CPU seconds."""
    han_pinyin.cache_clear()
    wall, cpu = time.perf_counter(), time.process_time()
    index = KnowledgeIndex.build(notes, synonyms, lexical=lexical)
    return index, time.perf_counter() - wall, time.process_time() - cpu


def print_report(total: Tally, per_kind: dict[str, Tally]) -> None:
    print(f"\n{'kind':<12}{'n':>5}{'accuracy':>10}{'wrong':>8}{'top-3':>8}{'suggest':>9}{'unknown':>9}")
    for kind in sorted(per_kind):
        t = per_kind[kind]
        print(
            f"{kind:<12}{t.n:>5}{pct(t.accuracy, t.n):>10}{pct(t.wrong, t.n):>8}{pct(t.top3, t.answerable):>8}"
            f"{pct(t.suggest, t.n):>9}{pct(t.unknown, t.answerable):>9}"
        )
    unanswerable = total.n - total.answerable
    print(
        f"\noverall ({total.n} queries, {total.answerable} answerable):\n"
        f"  correct answers      {pct(total.correct, total.answerable)} of answerable\n"
        f"  WRONG answers        {pct(total.wrong, total.n)} of all ({total.wrong})\n"
        f"  unknown              {pct(total.unknown, total.answerable)} of answerable\n"
        f"  top-3 recall         {pct(total.top3, total.answerable)} of answerable\n"
        f"  rescued by 'did you mean' {pct(total.rescued, total.answerable)} of answerable"
        f" (answered or rescued: {pct(total.correct + total.rescued, total.answerable)})\n"
        f"  '-' answered null    {pct(total.null_ok, unanswerable)}; given suggestions {pct(total.noise, unanswerable)}"
    )


def sweep(cases: list[Case], scored: list[list[Match]], suggest: float) -> None:
    print(f"\nanswer threshold x margin (suggest >= {suggest:g}): correct / WRONG / rescued")
    margins = (0, 2, 4, 6, 8, 10)
    print(f"{'answer':>7}" + "".join(f"{'margin ' + str(m):>22}" for m in margins))
    best = None
    for answer in range(40, 81, 2):
        cells = []
        for margin in margins:
            t, _, _ = evaluate(cases, scored, answer, suggest, margin)
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
            t, _, _ = evaluate(cases, scored, answer, s, margin)
            print(f"  suggest >= {s:>3}: {pct(t.rescued, t.answerable)} / {pct(t.noise, t.n - t.answerable)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "knowledge"))
    parser.add_argument("--queries", default=str(ROOT / "bench" / "kb_queries.tsv"))
    parser.add_argument("--answer", type=float, default=DEFAULT_ANSWER_THRESHOLD)
    parser.add_argument("--suggest", type=float, default=DEFAULT_SUGGEST_THRESHOLD)
    parser.add_argument("--margin", type=float, default=DEFAULT_MIN_MARGIN)
    parser.add_argument("--lexical", choices=("bm25f", "bm25s"), default="bm25f", help="lexical ranker")
    parser.add_argument("--sweep", action="store_true", help="scan thresholds and print the trade-off")
    parser.add_argument("--errors", action="store_true", help="list wrong answers and misses")
    parser.add_argument("--scale", type=int, default=200, help="also time an index of N notes (0: skip)")
    args = parser.parse_args(argv)

    loaded = load_notes(args.dir)
    if loaded.problems:
        print(f"warning: {len(loaded.problems)} problem(s) in the notes (run kb check)", file=sys.stderr)
    cases = read_cases(Path(args.queries))
    if not cases:
        print(f"no queries in {args.queries}", file=sys.stderr)
        return 1

    index, cold_wall, cold_cpu = timed_build(loaded.notes, loaded.synonyms, args.lexical)
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        KnowledgeIndex.build(loaded.notes, loaded.synonyms, lexical=args.lexical)
        warm.append(time.perf_counter() - start)

    latencies = []
    scored: list[list[Match]] = []
    for case in cases:
        start = time.perf_counter()
        result = index.search(case.query, limit=50)
        latencies.append(time.perf_counter() - start)
        scored.append(result.matches)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]

    print(
        f"{len(loaded.notes)} notes, {len(loaded.synonyms)} synonym groups, {len(cases)} queries; "
        f"lexical={args.lexical}; answer >= {args.answer:g}, margin >= {args.margin:g}, "
        f"suggest >= {args.suggest:g}"
    )
    total, per_kind, results = evaluate(cases, scored, args.answer, args.suggest, args.margin)
    print_report(total, per_kind)
    print(
        f"\nindex build: {1000 * cold_wall:.0f} ms cold ({1000 * cold_cpu:.0f} ms CPU), "
        f"{1000 * statistics.median(warm):.0f} ms warm; query latency: mean "
        f"{1000 * statistics.mean(latencies):.2f} ms, p99 {1000 * p99:.2f} ms"
    )
    if args.scale:
        notes = synthetic_notes(loaded.notes, args.scale)
        big, wall, cpu = timed_build(notes, loaded.synonyms, args.lexical)
        start = time.perf_counter()
        for case in cases:
            big.search(case.query)
        per_query = (time.perf_counter() - start) / len(cases)
        print(
            f"{len(notes)} notes (synthetic, distinct bodies): build {1000 * wall:.0f} ms cold "
            f"({1000 * cpu:.0f} ms CPU), query mean {1000 * per_query:.2f} ms"
        )

    if args.errors:
        print("\nwrong answers and misses:")
        for case, result in results:
            answer = result.answer.id if result.answer else None
            if answer == case.expected:
                continue
            tops = ", ".join(f"{m.note.id} {m.score:.0f}" for m in result.matches[:3])
            flag = "WRONG" if answer is not None else result.outcome
            print(f"  [{flag:7}] {case.kind:<11} {case.query!r} expected {case.expected or '-'}: {tops}")

    if args.sweep:
        sweep(cases, scored, args.suggest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
