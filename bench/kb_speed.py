"""Speed and memory of the knowledge index at 100, 1,000 and 10,000 notes.

    .venv/bin/python bench/kb_speed.py                      # the table (sizes 100, 1000, 10000)
    .venv/bin/python bench/kb_speed.py --sizes 500,2000     # other sizes
    .venv/bin/python bench/kb_speed.py --profile 10000      # cProfile of one build + the queries

The notes are generated from the real ones in ``knowledge/``: titles, questions, tags and body lines are
recombined across notes, and new terms drawn from a Chinese word list (pypinyin's phrase dictionary) with a
Zipf distribution are written into them, so that the vocabulary keeps growing with the number of notes as
in a real corpus (a few terms everywhere, most terms rare). Each size runs in a fresh process, so that the
build starts from cold caches and the resident-memory growth belongs to that index alone.

Queries: the labelled queries of ``bench/kb_queries.tsv`` (all kinds, both audiences) and questions of the
generated notes, some with a character dropped. Latency is per ``search()`` call, after a short warm-up.
Memory: RSS growth of the process over the build (index + caches it fills), and the tracemalloc size of
what the index keeps (measured in a second build, as tracemalloc slows Python down).

Columns: notes; bigrams (distinct Han character bigrams of the notes: how the vocabulary grows); build
wall and CPU seconds (cold: the first index of the process, pinyin tables included); queries timed;
search p50, p99 and max in ms; RSS growth over the build; tracemalloc size of the index and peak while
building it. On a shared machine the wall times vary by a fifth or more from run to run.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.knowledge.notes import SCRIPTS_HEADING, Note, load_notes, parse_note_text  # noqa: E402
from bot.knowledge.search import KnowledgeIndex, is_han  # noqa: E402

TARGET_P99_MS = 10.0
TARGET_BUILD_S = 5.0
GENERATED_QUERIES = 300


def _word_list(seed: int) -> list[str]:
    """Two- and three-character Chinese words, in a random order (their Zipf rank)."""
    from pypinyin.phrases_dict import phrases_dict

    words = sorted(w for w in phrases_dict if len(w) in (2, 3) and all(is_han(c) for c in w))
    random.Random(seed).shuffle(words)
    return words


class Generator:
    """Realistic notes composed from the real notes' phrases plus Zipf-distributed new terms."""

    def __init__(self, notes: list[Note], seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.real = notes
        self.questions = [q for n in notes for q in (n.title, *n.questions)]
        self.tags = sorted({t for n in notes for t in n.tags})
        self.lines = [line for n in notes for line in _plain_lines(n.body) if not line.startswith("#")]
        self.scripts = [s for n in notes for s in n.scripts]
        self.words = _word_list(seed)
        self._cumulative = list(accumulate(1.0 / (rank + 2) for rank in range(len(self.words))))

    def term(self) -> str:
        """A word drawn with a Zipf distribution: a few are everywhere, most are rare."""
        x = self.rng.random() * self._cumulative[-1]
        return self.words[min(bisect(self._cumulative, x), len(self.words) - 1)]

    def _with_term(self, text: str, term: str) -> str:
        """``text`` with ``term`` put in: as a qualifier in front, or in place of a two-character run.

        A Markdown list or quote marker stays in front."""
        rng = self.rng
        marker, text = _MARKER.match(text).groups()  # type: ignore[union-attr]
        choice = rng.random()
        runs = [i for i in range(len(text) - 1) if is_han(text[i]) and is_han(text[i + 1])]
        if choice < 0.4:
            text = term + text
        elif choice < 0.8 and runs:
            i = rng.choice(runs)
            text = text[:i] + term + text[i + 2 :]
        else:
            text = f"{text}（{term}）"
        return marker + text

    def note(self, k: int) -> Note:
        rng = self.rng
        base = self.real[k % len(self.real)]
        topic = [self.term() for _ in range(rng.randint(1, 3))]
        title = self._with_term(base.title, topic[0])
        questions = [
            self._with_term(rng.choice([*base.questions, *rng.sample(self.questions, 2)]), rng.choice(topic))
            for _ in range(rng.randint(0, 5))
        ]
        tags = sorted({*rng.sample(self.tags, rng.randint(0, 3)), *topic[:2]})
        lines = [
            self._with_term(line, self.term()) if rng.random() < 0.5 and not line.startswith("#") else line
            for line in (
                *_plain_lines(base.body)[: rng.randint(2, 12)],
                *rng.sample(self.lines, rng.randint(1, 8)),
            )
        ]
        if self.scripts and rng.random() < 0.5:
            lines += ["", f"## {SCRIPTS_HEADING}"]
            for script in rng.sample(self.scripts, rng.randint(1, 3)):
                lines += [f"> {self._with_term(script, rng.choice(topic))}", ""]
        front = {"title": title, "questions": questions, "tags": tags, "audience": base.audience}
        text = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + "\n".join(lines) + "\n"
        note_id = f"generated/{base.id}/{k}"
        note, problems = parse_note_text(text, note_id=note_id, path=Path(f"{note_id}.md"))
        assert note is not None, problems
        return note

    def notes(self, count: int) -> list[Note]:
        return [self.note(k) for k in range(count)]

    def queries(self, notes: list[Note], count: int) -> list[str]:
        """Questions of the generated notes; every other one with a character dropped (a typo)."""
        out = []
        for k in range(count):
            note = self.rng.choice(notes)
            text = self.rng.choice([note.title, *note.questions])
            if k % 2 and len(text) > 3:
                i = self.rng.randrange(len(text))
                text = text[:i] + text[i + 1 :]
            out.append(text)
        return out


_MARKER = re.compile(r"^(\s*(?:[-*>]|\d+\.)?\s*)(.*)$", re.S)


def _plain_lines(body: str) -> list[str]:
    """The body's non-empty lines before its reply scripts (``## 话术``), without quotes."""
    lines = []
    for line in body.splitlines():
        if line.startswith("## ") and line[3:].strip() == SCRIPTS_HEADING:
            break
        if line.strip() and not line.lstrip().startswith(">"):
            lines.append(line)
    return lines


def labelled_queries() -> list[tuple[str, str]]:
    """(query, audience) of ``bench/kb_queries.tsv``."""
    out = []
    with (ROOT / "bench" / "kb_queries.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or not row[0].strip() or row[0].startswith("#") or row[0] == "query":
                continue
            audience = row[3].strip() if len(row) > 3 and row[3].strip() else "staff"
            out.append((row[0].strip(), audience))
    return out


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def measure(size: int, seed: int, traced: bool) -> dict[str, float]:
    """Build an index of ``size`` generated notes and time queries against it (run in a fresh process)."""
    loaded = load_notes(ROOT / "knowledge")
    generator = Generator(loaded.notes, seed)
    notes = generator.notes(size)
    queries = labelled_queries() + [(q, "staff") for q in generator.queries(notes, GENERATED_QUERIES)]
    vocabulary = len({c for n in notes for text in (n.title, *n.questions, n.body) for c in _bigrams(text)})
    gc.collect()
    rss0 = rss_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    index = KnowledgeIndex(notes, loaded.synonyms)
    build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.collect()
    rss1 = rss_bytes()

    for query, audience in queries[:20]:  # warm-up
        index.search(query, audience=audience)  # type: ignore[arg-type]
    latencies = []
    for query, audience in queries:
        start = time.perf_counter()
        index.search(query, audience=audience)  # type: ignore[arg-type]
        latencies.append(time.perf_counter() - start)
    latencies.sort()

    result = {
        "notes": size,
        "bigrams": vocabulary,
        "build_s": build_wall,
        "build_cpu_s": build_cpu,
        "queries": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "max_ms": 1000 * latencies[-1],
        "rss_mb": (rss1 - rss0) / 2**20,
    }
    if traced:
        del index
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        index = KnowledgeIndex(notes, loaded.synonyms)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["kept_mb"] = (current - before) / 2**20
        result["peak_mb"] = (peak - before) / 2**20
    return result


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if is_han(text[i]) and is_han(text[i + 1])}


def profile(size: int, seed: int) -> None:
    loaded = load_notes(ROOT / "knowledge")
    generator = Generator(loaded.notes, seed)
    notes = generator.notes(size)
    queries = labelled_queries()
    profiler = cProfile.Profile()
    profiler.enable()
    index = KnowledgeIndex(notes, loaded.synonyms)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    profiler = cProfile.Profile()
    profiler.enable()
    for query, audience in queries:
        index.search(query, audience=audience)  # type: ignore[arg-type]
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated numbers of notes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced second build")
    parser.add_argument("--profile", type=int, metavar="N", help="profile a build of N notes and the queries")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.profile:
        profile(args.profile, args.seed)
        return 0
    if args.child:
        print(json.dumps(measure(args.child, args.seed, not args.no_tracemalloc)))
        return 0

    rows = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        command = [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)]
        if args.no_tracemalloc:
            command.append("--no-tracemalloc")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))

    print(
        f"{'notes':>7}{'bigrams':>9}{'build s':>9}{'CPU s':>8}{'queries':>9}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}{'RSS +MB':>9}{'index MB':>10}{'peak MB':>9}"
    )
    for r in rows:
        kept = f"{r['kept_mb']:>10.1f}{r['peak_mb']:>9.1f}" if "kept_mb" in r else f"{'-':>10}{'-':>9}"
        print(
            f"{r['notes']:>7}{r['bigrams']:>9}{r['build_s']:>9.2f}{r['build_cpu_s']:>8.2f}{r['queries']:>9}"
            f"{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['max_ms']:>8.2f}{r['rss_mb']:>9.1f}" + kept
        )
    largest = max(rows, key=lambda r: r["notes"])
    ok = largest["p99_ms"] <= TARGET_P99_MS and largest["build_s"] <= TARGET_BUILD_S
    print(
        f"\ntargets at {largest['notes']} notes: p99 <= {TARGET_P99_MS:g} ms, build <= {TARGET_BUILD_S:g} s: "
        + ("met" if ok else "NOT met")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
