"""Matching a question against the training notes.

Three signals, computed on the units and features of :mod:`bot.knowledge.normalize`:

* **coverage** — the share of the query's informative content (fillers and question words gone, each unit
  weighted by its rarity across the notes, function characters and unused English words weighing little)
  that a note *explains*: a character whose bigram — as characters, or as pinyin for homophone slips and
  typed pinyin — occurs in the note's title, questions or tags counts fully; a match only in the body, or
  only as a lone character, counts partly. A salient term the note does not explain (预支 in 工资能不能预支
  against the payday note) keeps coverage low.
* **similarity** — rapidfuzz ``ratio`` between the query and the closest title/question/tag, as characters
  and as pinyin: high when the query *is* one of the ways the note is asked.
* **lexical** — BM25F over the character and pinyin n-grams (title and questions weigh most, then tags,
  then body), divided by the query's own best possible score.

They combine into a 0–100 confidence, with a small bonus for the note whose title ends with a short query
(the note that "owns" the term: 退款 → 顾客要求退货退款). A chatty message is also scored clause by clause.
The best note is the answer when its confidence reaches ``answer_threshold`` and leads the runner-up by
``min_margin``; otherwise up to three notes above ``suggest_threshold`` are offered ("did you mean");
below that the bot says it does not know. Thresholds were chosen with ``bench/kb_eval.py --sweep``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rapidfuzz import fuzz

from bot.knowledge.normalize import STOP_CHARS, Analysis, Analyzer, Unit, features
from bot.knowledge.notes import Note

Audience = Literal["staff", "public"]
Outcome = Literal["answer", "suggest", "unknown"]

# Chosen with `bench/kb_eval.py --sweep` on the labelled queries (see that script).
DEFAULT_ANSWER_THRESHOLD = 50.0
DEFAULT_SUGGEST_THRESHOLD = 40.0
DEFAULT_MIN_MARGIN = 4.0
MAX_SUGGESTIONS = 3
MAX_QUERY_CHARS = 200
CLAUSE_FACTOR = 0.9
MIN_CLAUSE_UNITS = 3

# Signal weights in the confidence (they sum to 1).
W_COVERAGE = 0.6
W_SIMILARITY = 0.25
W_LEXICAL = 0.15
W_TITLE_END = 0.06

# Coverage credit of a query unit, by where and how a note matches it.
_HEAD, _BODY = 0, 1
_CREDIT = {
    # (field, kind): credit
    (_HEAD, "cbi"): 1.0,
    (_HEAD, "pbi"): 0.9,
    (_HEAD, "word"): 1.0,
    (_HEAD, "cuni"): 0.3,
    (_HEAD, "puni"): 0.25,
    (_HEAD, "cuni1"): 1.0,
    (_HEAD, "puni1"): 0.8,
    (_BODY, "cbi"): 0.5,
    (_BODY, "pbi"): 0.45,
    (_BODY, "word"): 0.25,
    (_BODY, "cuni"): 0.2,
    (_BODY, "puni"): 0.1,
    (_BODY, "cuni1"): 0.5,
    (_BODY, "puni1"): 0.4,
}
STOP_WEIGHT = 0.15
FOREIGN_WORD_WEIGHT = 0.4

# BM25F parameters: field weight and length normalisation.
K1 = 1.2
_FIELDS = {"head": (3.0, 0.3), "tags": (2.0, 0.0), "body": (1.0, 0.75)}
# Query feature weights by kind: bigrams say more than single characters, characters more than pinyin.
_FEATURE_WEIGHT = {"cbi": 1.0, "cuni": 0.3, "pbi": 0.7, "puni": 0.15, "word": 1.0}
_CANDIDATES = 20


@dataclass(frozen=True)
class Match:
    """A note and the confidence (0–100) that it answers the query."""

    note: Note
    score: float


@dataclass(frozen=True)
class SearchResult:
    """What the bot should do with a query.

    ``outcome`` is ``"answer"`` (reply with ``answer``), ``"suggest"`` (offer ``suggestions``, "did you
    mean …?") or ``"unknown"``. ``matches`` lists the best candidates whatever the outcome.
    """

    query: str
    answer: Note | None
    matches: list[Match]
    outcome: Outcome
    suggestions: list[Match] = field(default_factory=list)


def _feature_kind(feat: str) -> str:
    prefix, body = feat[0], feat[2:]
    if prefix == "w":
        return "word"
    if prefix == "c":
        return "cbi" if len(body) > 1 else "cuni"
    return "pbi" if "_" in body else "puni"


class _Postings:
    """Feature id -> (note indices, values), as one array sorted by feature with offsets (CSR)."""

    def __init__(self, n_features: int, fids: np.ndarray, notes: np.ndarray, values: np.ndarray) -> None:
        # Sum duplicates of (feature, note), then sort by feature.
        fids = np.asarray(fids, dtype=np.int64)
        notes = np.asarray(notes, dtype=np.int64)
        n_notes = int(notes.max()) + 1 if len(notes) else 1
        keys, inverse = np.unique(fids * n_notes + notes, return_inverse=True)
        sums = np.bincount(inverse, weights=values, minlength=len(keys))
        self._idx = (keys % n_notes).astype(np.intp)
        self._values = sums
        counts = np.bincount(keys // n_notes, minlength=n_features)
        self._offsets = np.concatenate(([0], np.cumsum(counts)))

    def get(self, fid: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        if fid is None:
            return None
        start, end = self._offsets[fid], self._offsets[fid + 1]
        if start == end:
            return None
        return self._idx[start:end], self._values[start:end]


@dataclass
class _NoteData:
    note: Note
    head_strings: list[tuple[str, str]]  # (chars, pinyin) of title, questions, tags
    title_pinyin: str


class KnowledgeIndex:
    """An in-memory index of the notes; build once, search many times."""

    def __init__(
        self,
        notes: Sequence[Note],
        synonyms: Iterable[Sequence[str]] = (),
        *,
        answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
        suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
        min_margin: float = DEFAULT_MIN_MARGIN,
        lexical: Literal["bm25f", "bm25s"] = "bm25f",
    ) -> None:
        self.notes: list[Note] = list(notes)
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.min_margin = min_margin
        self.lexical = lexical
        self._by_id = {n.id: n for n in self.notes}
        self._public = np.array([n.audience == "public" for n in self.notes], dtype=bool)

        # Latin words the notes use are words, not typed pinyin.
        self.analyzer = Analyzer(synonyms)
        self.analyzer.learn_vocabulary(
            text for note in self.notes for text in (note.title, *note.questions, *note.tags, note.body)
        )
        self._build()
        self.analyzer.forget_texts()

    @classmethod
    def build(
        cls,
        notes: Sequence[Note],
        synonyms: Iterable[Sequence[str]] = (),
        **options: float | str,
    ) -> KnowledgeIndex:
        """Build the index (see the constructor for the threshold options)."""
        return cls(notes, synonyms, **options)  # type: ignore[arg-type]

    def get(self, note_id: str) -> Note | None:
        """The note with this id, if any."""
        return self._by_id.get(note_id)

    # --- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        n = len(self.notes)
        self._data: list[_NoteData] = []
        vocab: dict[str, int] = {}
        # (feature id, note index, value) columns for the postings
        cover: dict[int, tuple[list[int], list[int]]] = {_HEAD: ([], []), _BODY: ([], [])}
        field_tf: dict[str, tuple[list[int], list[int], list[float]]] = {
            name: ([], [], []) for name in _FIELDS
        }
        field_len: dict[str, list[int]] = {name: [] for name in _FIELDS}

        for i, note in enumerate(self.notes):
            head = [self.analyzer.analyze(t) for t in (note.title, *note.questions)]
            tags = [self.analyzer.analyze(t) for t in note.tags]
            counters: dict[str, Counter[str]] = {
                "head": Counter(),
                "tags": Counter(),
                "body": self.analyzer.features_of(note.body),
            }
            for a in head:
                counters["head"].update(features(a))
            for a in tags:
                counters["tags"].update(features(a))
            for name, counter in counters.items():
                fids, notes, tfs = field_tf[name]
                fids.extend([vocab.setdefault(feat, len(vocab)) for feat in counter])
                notes.extend([i] * len(counter))
                tfs.extend(counter.values())
                field_len[name].append(counter.total())
            head_set = {vocab[f] for f in counters["head"]} | {vocab[f] for f in counters["tags"]}
            body_set = {vocab[f] for f in counters["body"]} - head_set
            for fld, fset in ((_HEAD, head_set), (_BODY, body_set)):
                cover[fld][0].extend(fset)
                cover[fld][1].extend([i] * len(fset))
            self.analyzer.synonyms.block_homophones(seg for a in (*head, *tags) for seg in a.segments)
            strings = [(a.chars, a.pinyin) for a in (*head, *tags) if a.segments]
            self._data.append(_NoteData(note, strings, head[0].pinyin))

        self._n = n
        self._vocab = vocab
        self._max_idf = self._idf(0)
        v = len(vocab)

        # Coverage postings: which notes have a feature in their head (title, questions, tags) / only body.
        self._cover_post = {}
        for fld, (fids, notes) in cover.items():
            self._cover_post[fld] = _Postings(v, np.asarray(fids), np.asarray(notes), np.ones(len(fids)))
        all_fids = np.asarray(cover[_HEAD][0] + cover[_BODY][0], dtype=np.intp)
        self._df = np.bincount(all_fids, minlength=v) if len(all_fids) else np.zeros(v, dtype=np.int64)

        # BM25F postings: feature -> (note indices, saturated pseudo term frequency).
        parts_f, parts_n, parts_v = [], [], []
        for name, (weight, b) in _FIELDS.items():
            fid_arr, note_arr, tf_arr = (np.asarray(c) for c in field_tf[name])
            lengths = np.asarray(field_len[name], dtype=np.float64)
            avg = max(1.0, float(lengths.mean())) if len(lengths) else 1.0
            norm = 1.0 - b + b * lengths / avg
            if len(fid_arr):
                parts_f.append(fid_arr)
                parts_n.append(note_arr)
                parts_v.append(weight * tf_arr / norm[note_arr])
        if parts_f:
            bm = _Postings(v, np.concatenate(parts_f), np.concatenate(parts_n), np.concatenate(parts_v))
            bm._values = bm._values / (K1 + bm._values)
        else:
            bm = _Postings(v, np.zeros(0), np.zeros(0), np.zeros(0))
        self._bm25_post = bm

        self._bm25s = None
        if self.lexical == "bm25s" and n:
            import bm25s

            names = {fid: feat for feat, fid in vocab.items()}
            corpus: list[list[str]] = [[] for _ in range(n)]
            for name, (weight, _b) in _FIELDS.items():
                fids, notes, tfs = field_tf[name]
                for fid, i, tf in zip(fids, notes, tfs, strict=True):
                    corpus[i].extend([names[fid]] * int(tf * weight))
            self._bm25s = bm25s.BM25()
            self._bm25s.index(corpus, show_progress=False)

    def _idf(self, df: int) -> float:
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    # --- searching ------------------------------------------------------------------------------

    def search(self, query: str, *, audience: Audience = "staff", limit: int = 5) -> SearchResult:
        """Find the note answering ``query``; ``public`` audience sees only public notes."""
        query = query.strip()
        text = query[:MAX_QUERY_CHARS]
        if not self.notes:
            return SearchResult(query, None, [], "unknown")
        allowed = self._public if audience == "public" else np.ones(self._n, dtype=bool)
        best = self._score(self.analyzer.analyze(text), allowed)
        # Chatty messages wrap the question in other clauses ("救命 … 客户一直在骂我 … 我该咋回"): a clause
        # that matches a note well counts too, a little less than the whole message would.
        for clause in _clauses(text):
            analysis = self.analyzer.analyze(clause)
            if sum(1 for u in analysis.units if u.char not in STOP_CHARS) < MIN_CLAUSE_UNITS:
                continue
            for i, confidence in self._score(analysis, allowed).items():
                best[i] = max(best.get(i, 0.0), CLAUSE_FACTOR * confidence)
        scored = [Match(self.notes[i], round(100.0 * min(1.0, float(c)), 2)) for i, c in best.items()]
        scored.sort(key=lambda m: -m.score)
        return self._decide(query, scored, limit)

    def _score(self, analysis: Analysis, allowed: np.ndarray) -> dict[int, float]:
        """Confidence (0..1) of the best candidate notes for one analysed text."""
        units = _indexed_units(analysis)
        if not any(u.char not in STOP_CHARS for u, _feats in units):
            return {}  # nothing but function characters: no topic to match
        coverage = self._coverage(units)
        lexical = self._lexical(analysis)
        pre = W_COVERAGE * coverage + W_LEXICAL * lexical
        pre[~allowed] = -1.0
        order = [int(i) for i in np.argsort(-pre, kind="stable")[:_CANDIDATES] if pre[i] > 0]
        out: dict[int, float] = {}
        q_pinyin = analysis.pinyin
        for i in order:
            data = self._data[i]
            similarity = self._similarity(analysis, data)
            confidence = W_COVERAGE * coverage[i] + W_SIMILARITY * similarity + W_LEXICAL * lexical[i]
            # A note "owns" a short query that its title ends with: in Chinese the head of a phrase comes
            # last, so 退款 is the subject of 顾客要求退货退款 but only a qualifier in 退款多久到账.
            if len(q_pinyin) >= 4 and data.title_pinyin.endswith(q_pinyin):
                confidence += W_TITLE_END
            out[i] = confidence / (1.0 + W_TITLE_END)
        return out

    def _decide(self, query: str, scored: list[Match], limit: int) -> SearchResult:
        return decide(
            query,
            scored,
            limit=limit,
            answer_threshold=self.answer_threshold,
            suggest_threshold=self.suggest_threshold,
            min_margin=self.min_margin,
        )

    def _feature_idf(self, feat: str) -> float:
        fid = self._vocab.get(feat)
        return self._idf(int(self._df[fid]) if fid is not None else 0)

    def _unit_weight(self, unit: Unit, feats: list[tuple[str, str]]) -> float:
        """How much a query unit says (0..1): the rarity of the unit or of a pinyin bigram it is part of.

        Pinyin bigrams make 退款, 退宽 and typed ``tuikuan`` weigh the same; a term the notes never use
        (预支) weighs most. Function characters weigh little, and so do Latin words no title, question or
        tag uses (in English questions they are mostly untranslatable context, not the topic).
        """
        if unit.word:
            weight = self._feature_idf(f"w:{unit.word}") / self._max_idf
            if self._cover_post[_HEAD].get(self._vocab.get(f"w:{unit.word}")) is None:
                weight *= FOREIGN_WORD_WEIGHT
            return weight
        idf = self._feature_idf(f"c:{unit.char}" if unit.char else f"p:{unit.py}")
        for feat, kind in feats:
            if kind == "pbi":
                idf = max(idf, self._feature_idf(feat))
        weight = idf / self._max_idf
        if unit.char and unit.char in STOP_CHARS:
            weight *= STOP_WEIGHT
        return weight

    def _coverage(self, units: list[tuple[Unit, list[tuple[str, str]]]]) -> np.ndarray:
        """Weighted share of the query's units that each note explains (0..1)."""
        total = np.zeros(self._n)
        weight_sum = 0.0
        for unit, feats in units:
            weight = self._unit_weight(unit, feats)
            credit = np.zeros(self._n)
            for fld in (_HEAD, _BODY):
                postings = self._cover_post[fld]
                for feat, kind in feats:
                    hit = postings.get(self._vocab.get(feat))
                    if hit is not None:
                        idx = hit[0]
                        credit[idx] = np.maximum(credit[idx], _CREDIT[(fld, kind)])
            total += weight * credit
            weight_sum += weight
        return total / weight_sum if weight_sum else total

    def _lexical(self, analysis: Analysis) -> np.ndarray:
        """BM25F of each note, divided by the query's own best possible score (0..1)."""
        feats = features(analysis)
        scores = np.zeros(self._n)
        ceiling = 0.0
        if self._bm25s is not None:
            weighted = [f for f in feats if f in self._vocab]
            raw = self._bm25s.get_scores(weighted) if weighted else np.zeros(self._n)
            top = float(raw.max()) if len(raw) else 0.0
            return raw / top * 0.8 if top > 0 else scores
        for feat in feats:
            qweight = _FEATURE_WEIGHT[_feature_kind(feat)]
            post = self._bm25_post.get(self._vocab.get(feat))
            idf = self._idf(len(post[0]) if post is not None else 0)
            ceiling += qweight * idf
            if post is not None:
                idx, sat = post
                scores[idx] += qweight * idf * sat
        return scores / ceiling if ceiling else scores

    def _similarity(self, analysis: Analysis, data: _NoteData) -> float:
        """Best rapidfuzz ratio (0..1) between the query and one of the note's title/questions/tags."""
        q_chars, q_pinyin = analysis.chars, analysis.pinyin
        best = 0.0
        for chars, pinyin in data.head_strings:
            if q_chars and chars:
                best = max(best, fuzz.ratio(q_chars, chars))
            if q_pinyin and pinyin:
                best = max(best, 0.95 * fuzz.ratio(q_pinyin, pinyin))
        return best / 100.0


def decide(
    query: str,
    scored: list[Match],
    *,
    limit: int = 5,
    answer_threshold: float = DEFAULT_ANSWER_THRESHOLD,
    suggest_threshold: float = DEFAULT_SUGGEST_THRESHOLD,
    min_margin: float = DEFAULT_MIN_MARGIN,
) -> SearchResult:
    """Turn candidates sorted by descending score into an answer, suggestions, or "unknown"."""
    matches = scored[: max(limit, 0)]
    if not scored or scored[0].score < suggest_threshold:
        return SearchResult(query, None, matches, "unknown")
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    if best.score >= answer_threshold and best.score - runner_up >= min_margin:
        return SearchResult(query, best.note, matches, "answer")
    suggestions = [m for m in scored[:MAX_SUGGESTIONS] if m.score >= suggest_threshold]
    return SearchResult(query, None, matches, "suggest", suggestions)


_CLAUSE_SPLIT = re.compile(r"[^\w]+|_+")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _clauses(text: str) -> list[str]:
    """The clauses of a message with several (split at punctuation, emoji and spaces), each with at least
    three Han characters; empty for a single clause."""
    parts = [p for p in _CLAUSE_SPLIT.split(text) if len(_HAN_CHAR.findall(p)) >= 3]
    return parts if len(parts) > 1 else []


def _indexed_units(analysis: Analysis) -> list[tuple[Unit, list[tuple[str, str]]]]:
    """Each query unit with the features that can explain it (feature, credit kind)."""
    out: list[tuple[Unit, list[tuple[str, str]]]] = []
    for seg in analysis.segments:
        alone = len(seg) == 1
        for k, unit in enumerate(seg):
            feats: list[tuple[str, str]] = []
            pairs = [(seg[j], seg[j + 1]) for j in (k - 1, k) if j >= 0 and j + 1 < len(seg)]
            for left, right in pairs:
                if left.char and right.char:
                    feats.append((f"c:{left.char}{right.char}", "cbi"))
                if left.py and right.py:
                    feats.append((f"p:{left.py}_{right.py}", "pbi"))
            if unit.char:
                feats.append((f"c:{unit.char}", "cuni1" if alone else "cuni"))
            if unit.py:
                feats.append((f"p:{unit.py}", "puni1" if alone else "puni"))
            if unit.word:
                feats.append((f"w:{unit.word}", "word"))
            out.append((unit, feats))
    return out
