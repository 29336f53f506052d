"""Evaluate the knowledge matcher on the labelled queries in ``bench/kb_queries.tsv``.

    .venv/bin/python bench/kb_eval.py             # figures with the default thresholds
    .venv/bin/python bench/kb_eval.py --sweep     # trade-off table over thresholds
    .venv/bin/python bench/kb_eval.py --errors    # list every wrong answer and miss

``kb_queries.tsv`` columns: ``query  expected  kind``; ``expected`` is a note id, or ``-`` where the bot
should say it does not know. The figure that matters most is the WRONG-answer rate: a confident wrong
procedure is worse than "I don't know".
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
    n: int = 0
    answerable: int = 0
    correct: int = 0
    wrong: int = 0
    unknown_answerable: int = 0
    suggest: int = 0
    top3: int = 0

    def add(self, case: Case, result: SearchResult) -> None:
        self.n += 1
        answer = result.answer.id if result.answer else None
        if answer == case.expected:
            self.correct += 1
        elif answer is not None:
            self.wrong += 1
        if result.outcome == "suggest":
            self.suggest += 1
        if case.expected is not None:
            self.answerable += 1
            if result.outcome == "unknown":
                self.unknown_answerable += 1
            if case.expected in [m.note.id for m in result.matches[:3]]:
                self.top3 += 1


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


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    - "


def evaluate(
    cases: list[Case], scored: list[list[Match]], answer: float, suggest: float, margin: float
) -> tuple[Tally, dict[str, Tally], list[tuple[Case, SearchResult]]]:
    total = Tally()
    per_kind: dict[str, Tally] = defaultdict(Tally)
    results = []
    for case, matches in zip(cases, scored, strict=True):
        result = decide(
            case.query,
            matches,
            limit=5,
            answer_threshold=answer,
            suggest_threshold=suggest,
            min_margin=margin,
        )
        total.add(case, result)
        per_kind[case.kind].add(case, result)
        results.append((case, result))
    return total, per_kind, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "knowledge"))
    parser.add_argument("--queries", default=str(ROOT / "bench" / "kb_queries.tsv"))
    parser.add_argument("--answer", type=float, default=DEFAULT_ANSWER_THRESHOLD)
    parser.add_argument("--suggest", type=float, default=DEFAULT_SUGGEST_THRESHOLD)
    parser.add_argument("--margin", type=float, default=DEFAULT_MIN_MARGIN)
    parser.add_argument("--lexical", choices=("bm25f", "bm25s"), default="bm25f")
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

    han_pinyin.cache_clear()
    start = time.perf_counter()
    index = KnowledgeIndex.build(loaded.notes, loaded.synonyms, lexical=args.lexical)
    cold_build = time.perf_counter() - start
    builds = []
    for _ in range(5):
        start = time.perf_counter()
        index = KnowledgeIndex.build(loaded.notes, loaded.synonyms, lexical=args.lexical)
        builds.append(time.perf_counter() - start)

    latencies = []
    scored: list[list[Match]] = []
    for case in cases:
        start = time.perf_counter()
        result = index.search(case.query, limit=50)
        latencies.append(time.perf_counter() - start)
        scored.append(result.matches)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]

    total, per_kind, results = evaluate(cases, scored, args.answer, args.suggest, args.margin)
    print(
        f"{len(loaded.notes)} notes, {len(loaded.synonyms)} synonym groups, {len(cases)} queries; "
        f"lexical={args.lexical}; answer>={args.answer:g} margin>={args.margin:g} suggest>={args.suggest:g}"
    )
    print(f"\n{'kind':<12}{'n':>5}{'answer ok':>11}{'wrong':>9}{'top-3':>9}{'suggest':>9}{'unknown':>9}")
    for kind in sorted(per_kind):
        t = per_kind[kind]
        print(
            f"{kind:<12}{t.n:>5}{pct(t.correct, t.n):>11}{pct(t.wrong, t.n):>9}{pct(t.top3, t.answerable):>9}"
            f"{pct(t.suggest, t.n):>9}{pct(t.unknown_answerable, t.answerable):>9}"
        )
    unanswerable = total.n - total.answerable
    correct_answerable = total.correct - sum(1 for c, r in results if c.expected is None and r.answer is None)
    print(
        f"\noverall: correct answers {pct(correct_answerable, total.answerable)} of answerable "
        f"({correct_answerable}/{total.answerable}); WRONG answers {pct(total.wrong, total.n)} of all "
        f"({total.wrong}/{total.n}); unknown {pct(total.unknown_answerable, total.answerable)} of answerable; "
        f"top-3 recall {pct(total.top3, total.answerable)}; "
        f"'-' queries answered null {pct(total.correct - correct_answerable, unanswerable)}"
    )
    print(
        f"index build: {1000 * cold_build:.0f} ms cold, {1000 * statistics.median(builds):.0f} ms warm "
        f"(median of 5); query latency: mean {1000 * statistics.mean(latencies):.2f} ms, p99 {1000 * p99:.2f} ms"
    )
    if args.scale:
        notes = synthetic_notes(loaded.notes, args.scale)
        han_pinyin.cache_clear()
        start = time.perf_counter()
        big = KnowledgeIndex.build(notes, loaded.synonyms, lexical=args.lexical)
        big_build = time.perf_counter() - start
        start = time.perf_counter()
        for case in cases:
            big.search(case.query)
        per_query = (time.perf_counter() - start) / len(cases)
        print(
            f"scaled to {len(notes)} notes (distinct synthetic bodies): build {1000 * big_build:.0f} ms cold, "
            f"query mean {1000 * per_query:.2f} ms"
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
        print(
            f"\n{'answer':>7}{'margin':>7}{'suggest':>8}{'correct':>9}{'wrong':>8}{'unknown':>9}{'suggest%':>9}"
        )
        best = None
        for answer in range(50, 91, 2):
            for margin in (0, 2, 4, 6, 8, 10):
                for suggest in (30, 35, 40, 45, 50):
                    if suggest > answer:
                        continue
                    t, _, res = evaluate(cases, scored, answer, suggest, margin)
                    ok = t.correct - sum(1 for c, r in res if c.expected is None and r.answer is None)
                    row = (ok / t.answerable, t.wrong / t.n, t.unknown_answerable / t.answerable)
                    if suggest == args.suggest:
                        print(
                            f"{answer:>7}{margin:>7}{suggest:>8}{100 * row[0]:>8.1f}%{100 * row[1]:>7.1f}%"
                            f"{100 * row[2]:>8.1f}%{pct(t.suggest, t.n):>9}"
                        )
                    key = (row[1] <= 0.03, row[0] - 2 * row[1])
                    if best is None or key > best[0]:
                        best = (key, answer, margin, suggest, row)
        if best is not None:
            _, answer, margin, suggest, row = best
            print(
                f"\nbest with wrong <= 3% (maximising correct - 2*wrong): answer={answer} margin={margin} "
                f"suggest={suggest}: correct {100 * row[0]:.1f}%, wrong {100 * row[1]:.1f}%, "
                f"unknown {100 * row[2]:.1f}%"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
