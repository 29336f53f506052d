"""Speed and memory of the knowledge index at 1,000, 10,000 and 50,000 notes.

    .venv/bin/python bench/kb_speed.py                       # the table (sizes 1000, 10000, 50000)
    .venv/bin/python bench/kb_speed.py --compare HEAD        # ... and the matcher of a git revision beside it
    .venv/bin/python bench/kb_speed.py --sizes 500,2000      # other sizes
    .venv/bin/python bench/kb_speed.py --profile 10000       # cProfile of one build + the queries

The notes are generated from the real ones in ``knowledge/``: titles, questions, tags and body lines are
recombined across notes, and new terms drawn from a Chinese word list (pypinyin's phrase dictionary) with a
Zipf distribution are written into them, so that the vocabulary keeps growing with the number of notes as
in a real corpus (a few terms everywhere, most terms rare). Each size runs in a fresh process, so that the
build starts from cold caches and the resident-memory growth belongs to that index alone.

Queries: the labelled queries of ``bench/kb_queries.tsv`` (all kinds, both audiences), questions of the
generated notes (every other one with a character dropped), and long chatty messages of several clauses (a
greeting, some context, two or three questions of the notes or labelled chatty questions, a closing; up to
the 200 characters a search reads), which are the slowest. Each query is timed three times after a short
warm-up, and its median counts (a shared machine's other work shows in single runs). Memory: RSS growth of
the process over the build (index + caches it fills), and the tracemalloc size of what the index keeps
(measured in a second build, as tracemalloc slows Python down).

``--compare REV`` runs the same notes and queries against the ``bot`` package of a git revision (extracted
with ``git archive`` into a temporary folder), in rows marked with the revision. ``--semantic`` measures the
index with the semantic channel (the ``semantic`` extra): the build embeds every note's title and questions
into an empty cache, and a second build reads them back, as after a restart; no tracemalloc figures. The
latency targets are for the default install (lexical only).

Columns: notes; bigrams (distinct Han character bigrams of the notes: how the vocabulary grows); build
wall and CPU seconds (cold: the first index of the process, pinyin tables included); queries timed; search
p50, p99 and max in ms (long: p99 of the long chatty messages alone); RSS growth over the build; tracemalloc
size of the index and peak while building it. Targets (issue 14): p99 <= 10 ms at 10,000 notes and <= 15 ms
at 50,000, build <= 5 s at 10,000.
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
import tempfile
import time
import tracemalloc
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code measured: this checkout's, or a revision's extracted elsewhere (``--root``, set by ``--compare``).
CODE = Path(sys.argv[sys.argv.index("--root") + 1]) if "--root" in sys.argv[:-1] else ROOT
if str(CODE) not in sys.path:
    sys.path.insert(0, str(CODE))

from bot.knowledge.notes import SCRIPTS_HEADING, Note, load_notes, parse_note_text  # noqa: E402
from bot.knowledge.search import KnowledgeIndex, is_han  # noqa: E402

TARGETS = {10_000: (10.0, 5.0), 50_000: (15.0, None)}  # notes: (p99 ms, build s)
GENERATED_QUERIES = 300
LONG_QUERIES = 100
MAX_QUERY_CHARS = 200
RUNS = 3  # timings of each query; the median counts

OPENERS = ("老师好", "在吗在吗", "不好意思打扰一下", "救命😫", "急急急！！", "姐妹们", "那个…", "hello")
CONTEXT = (
    "我今天第一天上班",
    "我这边有个顾客",
    "组长现在不在",
    "刚刚又来了一个买家",
    "他说已经等了好几天了",
    "顾客一直在催我",
    "我查了半天也没查到",
    "系统里显示的跟他说的不一样",
)
CLOSERS = ("我该怎么回啊", "怎么办啊急", "谢谢老师🙏", "在线等", "求助🥲", "能告诉我一下吗")


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

    def long_queries(self, notes: list[Note], chatty: list[str], count: int) -> list[str]:
        """Chatty messages of several clauses: a greeting, context, two or three questions, a closing."""
        rng = self.rng
        out = []
        for _ in range(count):
            asked = [rng.choice([n.title, *n.questions]) for n in rng.sample(notes, rng.randint(1, 2))]
            asked += rng.sample(chatty, rng.randint(1, 2))
            clauses = [
                rng.choice(OPENERS),
                *rng.sample(CONTEXT, rng.randint(1, 3)),
                *asked,
                rng.choice(CLOSERS),
            ]
            out.append("，".join(clauses)[:MAX_QUERY_CHARS])
        return out

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


def labelled_queries() -> list[tuple[str, str, str]]:
    """(query, audience, kind) of ``bench/kb_queries.tsv``."""
    out = []
    with (ROOT / "bench" / "kb_queries.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or not row[0].strip() or row[0].startswith("#") or row[0] == "query":
                continue
            audience = row[3].strip() if len(row) > 3 and row[3].strip() else "staff"
            out.append((row[0].strip(), audience, row[2].strip() if len(row) > 2 else ""))
    return out


def rss_bytes() -> int:
    """Resident set size of this process (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def workload(size: int, seed: int) -> tuple[list[Note], list[tuple[str, str]], list[str], list[list[str]]]:
    """The generated notes, the queries (query, audience), the long ones, and the synonyms."""
    loaded = load_notes(ROOT / "knowledge")
    generator = Generator(loaded.notes, seed)
    notes = generator.notes(size)
    labelled = labelled_queries()
    chatty = [q for q, _audience, kind in labelled if kind == "chatty"]
    long = generator.long_queries(notes, chatty, LONG_QUERIES)
    queries = [(q, a) for q, a, _kind in labelled]
    queries += [(q, "staff") for q in generator.queries(notes, GENERATED_QUERIES)]
    queries += [(q, "staff") for q in long]
    return notes, queries, long, loaded.synonyms


def measure(size: int, seed: int, traced: bool, cache: Path | None = None) -> dict[str, float]:
    """Build an index of ``size`` generated notes and time queries against it (run in a fresh process);
    with ``cache``, with the semantic channel, its embeddings kept there (the build embeds every note, a
    second build, as after a restart, reads them back)."""
    notes, queries, long, synonyms = workload(size, seed)
    vocabulary = len({c for n in notes for text in (n.title, *n.questions, n.body) for c in _bigrams(text)})
    channel = None
    if cache is not None:
        from bot.knowledge.search import load_semantic

        channel = load_semantic(cache)
        if channel is None:
            raise SystemExit("--semantic needs the semantic extra: pip install -e '.[semantic]'")
    gc.collect()
    rss0 = rss_bytes()
    wall, cpu = time.perf_counter(), time.process_time()
    index = (
        KnowledgeIndex(notes, synonyms, semantic_channel=channel)
        if channel
        else KnowledgeIndex(notes, synonyms)
    )
    build_wall, build_cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.collect()
    rss1 = rss_bytes()
    restart = None
    if channel is not None:
        start = time.perf_counter()
        KnowledgeIndex(notes, synonyms, semantic_channel=channel)
        restart = time.perf_counter() - start

    for query, audience in queries[:20]:  # warm-up
        index.search(query, audience=audience)  # type: ignore[arg-type]
    runs: list[list[float]] = [[] for _ in queries]
    for _ in range(RUNS):
        for k, (query, audience) in enumerate(queries):
            start = time.perf_counter()
            index.search(query, audience=audience)  # type: ignore[arg-type]
            runs[k].append(time.perf_counter() - start)
    latencies = sorted(statistics.median(r) for r in runs)
    long_set = set(long)
    long_latencies = sorted(
        statistics.median(r) for r, (q, _a) in zip(runs, queries, strict=True) if q in long_set
    )

    result = {
        "notes": size,
        "bigrams": vocabulary,
        "build_s": build_wall,
        "build_cpu_s": build_cpu,
        "queries": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * _p99(latencies),
        "max_ms": 1000 * latencies[-1],
        "long_p99_ms": 1000 * _p99(long_latencies),
        "rss_mb": (rss1 - rss0) / 2**20,
    }
    if restart is not None:
        result["restart_s"] = restart
    if traced:
        del index
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        index = KnowledgeIndex(notes, synonyms)
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["kept_mb"] = (current - before) / 2**20
        result["peak_mb"] = (peak - before) / 2**20
    return result


def _p99(sorted_values: list[float]) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(0.99 * len(sorted_values)))]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if is_han(text[i]) and is_han(text[i + 1])}


def profile(size: int, seed: int) -> None:
    notes, queries, _long, synonyms = workload(size, seed)
    profiler = cProfile.Profile()
    profiler.enable()
    index = KnowledgeIndex(notes, synonyms)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    profiler = cProfile.Profile()
    profiler.enable()
    for query, audience in queries:
        index.search(query, audience=audience)  # type: ignore[arg-type]
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def run_child(size: int, args: argparse.Namespace, root: Path | None) -> dict[str, float]:
    """``measure`` in a fresh process (with the code of ``root``, or this checkout's)."""
    command = [sys.executable, __file__, "--child", str(size), "--seed", str(args.seed)]
    if args.no_tracemalloc:
        command.append("--no-tracemalloc")
    if args.semantic:
        command.append("--semantic")
    if root is not None:
        command += ["--root", str(root)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def extract(revision: str, folder: Path) -> None:
    """The ``bot`` package of a git revision, into ``folder``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "bot"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated numbers of notes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", metavar="REV", help="also measure the matcher of this git revision")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced second build")
    parser.add_argument(
        "--semantic", action="store_true", help="with the semantic channel (the extra; embeds every note)"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="profile a build of N notes and the queries")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.profile:
        profile(args.profile, args.seed)
        return 0
    if args.child:
        if args.semantic:
            with tempfile.TemporaryDirectory() as cache:
                print(json.dumps(measure(args.child, args.seed, False, Path(cache))))
        else:
            print(json.dumps(measure(args.child, args.seed, not args.no_tracemalloc)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as temporary:
        before = None
        if args.compare:
            before = Path(temporary)
            extract(args.compare, before)
        for size in sizes:
            rows.append(("", run_child(size, args, None)))
            if before is not None:
                rows.append((args.compare, run_child(size, args, before)))

    print(
        f"{'':>8}{'notes':>7}{'bigrams':>9}{'build s':>9}{'CPU s':>8}{'queries':>9}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}{'long':>8}{'RSS +MB':>9}{'index MB':>10}{'peak MB':>9}"
    )
    for label, r in rows:
        kept = f"{r['kept_mb']:>10.1f}{r['peak_mb']:>9.1f}" if "kept_mb" in r else f"{'-':>10}{'-':>9}"
        long = f"{r['long_p99_ms']:>8.2f}" if "long_p99_ms" in r else f"{'-':>8}"
        print(
            f"{label[:8]:>8}{r['notes']:>7}{r['bigrams']:>9}{r['build_s']:>9.2f}{r['build_cpu_s']:>8.2f}"
            f"{r['queries']:>9}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['max_ms']:>8.2f}{long}"
            f"{r['rss_mb']:>9.1f}" + kept
        )
    for label, r in rows:
        if "restart_s" in r:
            print(
                f"{label[:8]:>8}{r['notes']:>7}: semantic channel; build again from the embedding cache "
                f"(a restart) {r['restart_s']:.2f} s"
            )
    print()
    for label, r in rows:
        target = TARGETS.get(int(r["notes"]))
        if label or target is None:
            continue
        p99, build = target
        ok = r["p99_ms"] <= p99 and (build is None or r["build_s"] <= build)
        wanted = f"p99 <= {p99:g} ms" + (f", build <= {build:g} s" if build is not None else "")
        print(f"target at {r['notes']} notes: {wanted}: " + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
