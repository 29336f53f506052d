"""Scoring: how confident the index is that each note answers a question.

Four signals, computed on the units and features of :mod:`~bot.knowledge.search.analysis`:

* **coverage** — the share of the query's informative content (fillers and question words gone, each unit
  weighted by its rarity across the notes, function characters and unused English words weighing little)
  that a note *explains*: a character whose bigram — as characters, or as pinyin for homophone slips and
  typed pinyin — occurs in the note's title, questions or tags counts fully; a match only in the body, or
  only as a lone character, counts partly, and a match only in the reply scripts (the ``## 话术`` section,
  what to tell the customer, often in English) half as much as in the body. A salient term the note does
  not explain (预支 in 工资能不能预支 against the payday note) keeps coverage low.
* **reverse coverage** — the other way round: the largest share of one of the note's title or questions
  that the query restates (a chatty message that contains a whole question, plus context, scores high).
  It counts up to the coverage (both directions must agree).
* **similarity** — rapidfuzz ``ratio`` between the query and the closest title/question/tag, as characters
  and as pinyin: high when the query *is* one of the ways the note is asked.
* **lexical** — BM25F over the character and pinyin n-grams (title and questions weigh most, then tags,
  then body, then reply scripts), divided by the query's own best possible score.

They combine into a 0–100 confidence (:mod:`~bot.knowledge.search.weights`), with a small bonus for the
note whose title ends with a short query (the note that "owns" the term: 退款 → 顾客要求退货退款). A chatty
message is also scored clause by clause.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.search.analysis import Analysis, Analyzer, Unit
from bot.knowledge.search.building import Feature, IndexTables
from bot.knowledge.search.features import KIND_NAME, KIND_SHIFT, offsets_of, query_features, unit_features
from bot.knowledge.search.weights import (
    CANDIDATES,
    CLAUSE_FACTOR,
    CODE_SCALE,
    CREDIT_CODES,
    FEATURE_WEIGHT,
    FOREIGN_WORD_WEIGHT,
    MIN_CLAUSE_UNITS,
    STOP_CHARS,
    STOP_WEIGHT,
    W_COVERAGE,
    W_LEXICAL,
    W_REVERSE,
    W_SIMILARITY,
    W_TITLE_END,
    W_TOTAL,
)


def rank(tables: IndexTables, analyzer: Analyzer, text: str, allowed: np.ndarray | None) -> dict[int, float]:
    """Confidence (0..1) of the best candidate notes for a question, by note index (``allowed``: the notes
    this audience may see, None for all)."""
    clauses = _clauses(text)
    # The clauses share most features with the whole message: each feature's scores are computed once.
    cache: dict[object, np.ndarray | None] | None = {} if clauses else None
    best = _score(tables, analyzer.analyze(text), allowed, cache)
    # Chatty messages wrap the question in other clauses ("救命 … 客户一直在骂我 … 我该咋回"): a clause
    # that matches a note well counts too, a little less than the whole message would.
    for clause in clauses:
        analysis = analyzer.analyze(clause)
        if sum(1 for u in analysis.units if u.char not in STOP_CHARS) < MIN_CLAUSE_UNITS:
            continue
        for i, confidence in _score(tables, analysis, allowed, cache).items():
            best[i] = max(best.get(i, 0.0), CLAUSE_FACTOR * confidence)
    return best


def _score(
    tables: IndexTables,
    analysis: Analysis,
    allowed: np.ndarray | None,
    cache: dict[object, np.ndarray | None] | None = None,
) -> dict[int, float]:
    """Confidence (0..1) of the best candidate notes for one analysed text (``cache``: the per-unit and
    per-feature score vectors of the texts scored so far, for texts that share them)."""
    raw_units = unit_features(analysis, tables.word_code)
    if not any(u.char not in STOP_CHARS for u, _feats in raw_units):
        return {}  # nothing but function characters: no topic to match
    feats = query_features(analysis, tables.word_code)
    wanted = {c for _unit, unit_feats in raw_units for c, _kind in unit_feats if c is not None}
    wanted.update(f for f in feats if isinstance(f, int))
    known = dict(zip(wanted, tables.lookup(list(wanted)), strict=True))
    unknown = Feature(-1, tables.max_idf, -1, 0, 0, 0)
    units = [
        (unit, [Feature(*known.get(code, unknown)[:6], kind) for code, kind in unit_feats])
        for unit, unit_feats in raw_units
    ]
    coverage = _coverage(tables, units, cache)
    found = [known.get(f, unknown) if isinstance(f, int) else unknown for f in feats]
    lexical = _lexical(tables, feats, found, cache)
    pre = W_COVERAGE * coverage + W_LEXICAL * lexical
    if allowed is not None:
        pre[~allowed] = -1.0
    order = [i for i in _top(pre, CANDIDATES) if pre[i] > 0]
    codes = np.array(sorted({f for f in feats if isinstance(f, int)}), dtype=np.int64)
    reverse = tables.questions.reverse_coverage(order, codes)
    out: dict[int, float] = {}
    q_pinyin = analysis.pinyin
    similarities = _similarities(tables, analysis.chars, q_pinyin, order)
    for i, similarity in zip(order, similarities, strict=True):
        data = tables.note_data[i]
        confidence = (
            W_COVERAGE * coverage[i]
            + W_SIMILARITY * similarity
            + W_LEXICAL * lexical[i]
            + W_REVERSE * min(reverse.get(i, 0.0), coverage[i])
        )
        # A note "owns" a short query that its title ends with: in Chinese the head of a phrase comes
        # last, so 退款 is the subject of 顾客要求退货退款 but only a qualifier in 退款多久到账.
        if len(q_pinyin) >= 4 and data.title_pinyin.endswith(q_pinyin):
            confidence += W_TITLE_END
        out[i] = confidence / W_TOTAL
    return out


def _unit_weight(tables: IndexTables, unit: Unit, feats: list[Feature]) -> float:
    """How much a query unit says (0..1): the rarity of the unit or of a pinyin bigram it is part of.

    Pinyin bigrams make 退款, 退宽 and typed ``tuikuan`` weigh the same; a term the notes never use
    (预支) weighs most. Function characters weigh little, and so do Latin words no title, question or
    tag uses (in English questions they are mostly untranslatable context, not the topic).
    """
    if unit.word:
        word = next((f for f in feats if f.kind == "word"), None)
        if word is None:
            return FOREIGN_WORD_WEIGHT
        return word.idf / tables.max_idf * (1.0 if word.heads else FOREIGN_WORD_WEIGHT)
    own = "cuni" if unit.char else "puni"
    idf = max((f.idf for f in feats if f.kind.startswith(own)), default=tables.max_idf)
    idf = max([idf, *(f.idf for f in feats if f.kind == "pbi")])
    weight = idf / tables.max_idf
    if unit.char and unit.char in STOP_CHARS:
        weight *= STOP_WEIGHT
    return weight


def _coverage(
    tables: IndexTables,
    units: list[tuple[Unit, list[Feature]]],
    cache: dict[object, np.ndarray | None] | None,
) -> np.ndarray:
    """Weighted share of the query's units that each note explains (0..1).

    Each unit's credit in each note (the best over the features that explain it) is a row of byte
    codes; the coverage is the weighted sum of the rows.
    """
    weights = np.array([_unit_weight(tables, unit, feats) for unit, feats in units], dtype=np.float64)
    total_weight = float(weights.sum())
    if not units or not total_weight:
        return np.zeros(tables.n)
    postings = tables.postings
    credits = np.zeros((len(units), tables.n), dtype=np.uint8)
    for k, (_unit, feats) in enumerate(units):
        key = tuple((f.fid, f.kind) for f in feats)
        if cache is not None and key in cache:
            cached = cache[key]
            if cached is not None:
                credits[k] = cached
            continue
        row = credits[k]
        dense = [postings.dense_codes[int(f.kind.endswith("1")), f.row] for f in feats if f.row >= 0]
        if len(dense) > 1:
            np.maximum.reduce(dense, out=row)
        elif dense:
            row[:] = dense[0]
        for f in feats:
            if f.row < 0 and f.end > f.start:
                idx = postings.idx[f.start : f.end]
                codes = CREDIT_CODES[f.kind][postings.where[f.start : f.end]]
                row[idx] = np.maximum(row[idx], codes)
        if cache is not None:
            cache[key] = row.copy()
    return (weights.astype(np.float32) @ credits.astype(np.float32)).astype(np.float64) / (
        CODE_SCALE * total_weight
    )


def _lexical(
    tables: IndexTables,
    feats: list[int | str],
    found: list[Feature],
    cache: dict[object, np.ndarray | None] | None,
) -> np.ndarray:
    """BM25F of each note for the query's features (``found``: what the index knows of them), divided
    by the query's own best possible score (0..1)."""
    scores = np.zeros(tables.n)
    if tables.bm25s is not None:
        known = [str(c) for c, f in zip(feats, found, strict=True) if f.fid >= 0]
        raw = tables.bm25s.get_scores(known) if known else np.zeros(tables.n)
        top = float(raw.max()) if len(raw) else 0.0
        return raw / top * 0.8 if top > 0 else scores
    ceiling = 0.0
    postings = tables.postings
    rows: list[int] = []  # dense rows, added at once
    factors: list[float] = []
    for code, f in zip(feats, found, strict=True):
        kind = KIND_NAME[code >> KIND_SHIFT] if isinstance(code, int) else "word"
        if kind == "puni":  # nearly every note has each syllable: they would only add noise (and time)
            continue
        qweight = FEATURE_WEIGHT[kind]
        ceiling += qweight * f.idf
        if f.row >= 0:
            rows.append(f.row)
            factors.append(qweight * f.idf)
        elif f.end > f.start:
            if cache is not None and f.fid in cache:
                vector = cache[f.fid]
                if vector is not None:
                    scores += vector
                continue
            idx = postings.idx[f.start : f.end]
            values = (qweight * f.idf) * postings.values[f.start : f.end]
            if cache is None:
                scores[idx] += values
                continue
            vector = cache[f.fid] = np.zeros(tables.n)
            vector[idx] = values
            scores += vector
    if rows:
        scores += np.asarray(factors, dtype=np.float32) @ np.take(postings.dense_values, rows, axis=0)
    return scores / ceiling if ceiling else scores


def _similarities(tables: IndexTables, q_chars: str, q_pinyin: str, notes: list[int]) -> list[float]:
    """Best rapidfuzz ratio (0..1) between the query and one of each note's titles, questions and
    tags, as characters or (a little less) as pinyin."""
    strings = [pair for i in notes for pair in tables.note_data[i].head_strings]
    counts = [len(tables.note_data[i].head_strings) for i in notes]
    if not strings:
        return [0.0] * len(notes)
    best = np.zeros(len(strings))
    for k, (query, weight) in enumerate(((q_chars, 1.0), (q_pinyin, 0.95))):
        if not query:
            continue
        texts = [pair[k] for pair in strings]
        scores = process.cdist([query], texts, scorer=fuzz.ratio, dtype=np.float64)[0]
        scores[[not t for t in texts]] = 0.0  # an empty text matches nothing
        np.maximum(best, weight * scores, out=best)
    starts = offsets_of(np.asarray(counts))[:-1]
    out = np.zeros(len(notes))
    has = np.asarray(counts) > 0
    out[has] = np.maximum.reduceat(best, starts[has]) / 100.0
    return out.tolist()


def _top(values: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` largest values, largest first, ties in index order (a stable argsort's
    first ``k``, without sorting everything)."""
    if len(values) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        above = np.flatnonzero(values > kth)
        candidates = np.concatenate([above, np.flatnonzero(values == kth)[: k - len(above)]])
    else:
        candidates = np.arange(len(values))
    return candidates[np.lexsort((candidates, -values[candidates]))].tolist()


_CLAUSE_SPLIT = re.compile(r"[^\w]+|_+")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _clauses(text: str) -> list[str]:
    """The clauses of a message with several (split at punctuation, emoji and spaces), each with at least
    three Han characters; empty for a single clause."""
    parts = [p for p in _CLAUSE_SPLIT.split(text) if len(_HAN_CHAR.findall(p)) >= 3]
    return parts if len(parts) > 1 else []
