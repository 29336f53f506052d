"""Scoring: the signals that say how well each note answers a question.

Four signals, computed on the units and features of :mod:`~bot.knowledge.search.analysis`:

* **coverage** — the share of the query's informative content (fillers and question words gone, each unit
  weighted by its rarity across the notes, function characters and unused English words weighing little)
  that a note *explains*: a character whose bigram — as characters, or as pinyin for homophone slips and
  typed pinyin — occurs in the note's title, questions or tags counts fully; a match only in the body, or
  only as a lone character, counts partly, and a match only in the reply scripts (the ``## 话术`` section,
  what to tell the customer, often in English) half as much as in the body. A salient term the note does
  not explain (预支 in 工资能不能预支 against the payday note) keeps coverage low, and the largest share of the
  query one such unit says is kept too (``missing``). Coverage is also kept for the character and the pinyin
  channels apart (a word counts in both), so that the decision can see whether they agree.
* **reverse coverage** — the other way round: the largest share of one of the note's title or questions
  that the query restates (a chatty message that contains a whole question, plus context, scores high).
  It counts up to the coverage (both directions must agree).
* **similarity** — rapidfuzz ``ratio`` between the query and the closest title/question/tag, as characters
  and as pinyin: high when the query *is* one of the ways the note is asked.
* **lexical** — BM25F over the character and pinyin n-grams (title and questions weigh most, then tags,
  then body, then reply scripts), divided by the query's own best possible score.

They combine into a 0..1 ``confidence`` (:mod:`~bot.knowledge.search.weights`), with a small bonus for the
note whose title ends with a short query (the note that "owns" the term: 退款 → 顾客要求退货退款); the
calibrated decision (:mod:`~bot.knowledge.search.calibration`) takes it from there. A chatty message is
also scored clause by clause (the clause that asks, else the last one, always): a clause's match to a note
counts half by the clause, half by the whole message's match to the same note (``CLAUSE_SHARE``), and each
candidate keeps the share of those clauses that rank it first.

Speed: the lexical score from the posting lists is computed for every note, for the whole message and for
each of (at most ``MAX_CLAUSES``) clauses; everything else only for a pool of the notes it ranks best
(``POOL``, ``CLAUSE_POOL``), the closest comparisons (reverse coverage, similarity) for the ``CANDIDATES``
(``CLAUSE_CANDIDATES``) best of those. The query's units and features are resolved once per distinct
segment, and each feature's credits over the pool are one row of bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.search.analysis import Analysis, Analyzer, Unit
from bot.knowledge.search.building import Feature, IndexTables
from bot.knowledge.search.features import (
    KIND_NAME,
    KIND_SHIFT,
    offsets_of,
    segment_features,
    segment_unit_features,
    typo_codes,
)
from bot.knowledge.search.postings import Postings
from bot.knowledge.search.text import to_simplified
from bot.knowledge.search.weights import (
    CANDIDATES,
    CHAR_KINDS,
    CLAUSE_CANDIDATES,
    CLAUSE_FACTOR,
    CLAUSE_POOL,
    CLAUSE_SHARE,
    CODE_SCALE,
    CREDIT_CODES,
    FEATURE_WEIGHT,
    FOREIGN_WORD_WEIGHT,
    MAX_CLAUSES,
    MIN_CLAUSE_UNITS,
    PINYIN_KINDS,
    POOL,
    STOP_CHARS,
    STOP_WEIGHT,
    TYPO_CREDIT,
    TYPO_KINDS,
    TYPO_MAX_UNITS,
    W_COVERAGE,
    W_LEXICAL,
    W_REVERSE,
    W_SIMILARITY,
    W_TITLE_END,
    W_TOTAL,
)


@dataclass(frozen=True)
class Candidate:
    """A note that may answer the query, with the signals of the text (the whole message, or one of its
    clauses) that matched it best; all in 0..1."""

    note: int  # index of the note
    confidence: float  # the signals combined (a clause's scaled by CLAUSE_FACTOR)
    coverage: float
    reverse: float  # reverse coverage, counted up to the coverage
    similarity: float
    lexical: float
    char_coverage: float  # coverage by characters and words only
    pinyin_coverage: float  # coverage by pinyin and words only
    clause: bool  # matched best by one clause of a longer message
    support: float = 0.0  # share of the clauses of a longer message that rank this note first (0: none)
    missing: float = 0.0  # the largest share of the text one unit says and the note leaves unexplained


@dataclass
class _Text:
    """One text of the query (the whole message or a clause), its features resolved against the index."""

    analysis: Analysis
    units: list[tuple[Unit, list[Feature]]]
    feats: list[int | str]
    found: list[Feature]
    factor: float  # 1 for the whole message, CLAUSE_FACTOR for a clause
    codes: set[int]  # the feature codes a note's title or question may share (reverse coverage)


@dataclass(frozen=True)
class Ranking:
    """The candidate notes for a question, most confident first, and how much the question says."""

    candidates: list[Candidate]
    units: int  # units of the whole message that are not function characters


def rank(
    tables: IndexTables,
    analyzer: Analyzer,
    text: str,
    allowed: np.ndarray | None,
    extra: Sequence[int] = (),
) -> Ranking:
    """The best candidate notes for a question: the best of all notes, and the best of those this audience
    may see (``allowed``, None for all: the others are there to tell how far ahead of the rest of the
    notes each of these is); ``extra``: notes to score as candidates too, such as the semantic channel's
    best."""
    whole = analyzer.analyze(text)
    units = _content_units(whole)
    # Chatty messages wrap the question in other clauses ("救命 … 客户一直在骂我 … 我该咋回"): a clause
    # that matches a note well counts too, a little less than the whole message would. Of a longer
    # message, the clause that asks (a question particle or word; else the last clause, where a chat
    # message puts its question) and those with the most content are scored.
    parts = _clauses(text)
    asking_clause = _question_clause(parts)
    clauses = [
        (analysis, _content_units(analysis), k == asking_clause)
        for k, analysis in enumerate(map(analyzer.analyze, parts))
    ]
    clauses = [(analysis, n, question) for analysis, n, question in clauses if n >= MIN_CLAUSE_UNITS]
    if len(clauses) > MAX_CLAUSES:
        # The clause that asks (else the last one), and those with the most content.
        kept = next((k for k, c in enumerate(clauses) if c[2]), len(clauses) - 1)
        most = sorted((k for k in range(len(clauses)) if k != kept), key=lambda k: -clauses[k][1])
        clauses = [clauses[k] for k in sorted([*most[: MAX_CLAUSES - 1], kept])]
    texts = _resolve(tables, [whole, *(analysis for analysis, _n, _q in clauses)])
    if not texts or not tables.n:
        return Ranking([], units)
    lexical = _Lexical.of(texts)
    sparse = lexical.sparse_scores(tables)
    pool = _pool(sparse, allowed, extra)
    if not len(pool):
        return Ranking([], units)
    pooled = lexical.pooled(tables, sparse, pool)
    coverage, char_coverage, pinyin_coverage, missing = _coverage(tables, texts, pool)
    best: dict[int, Candidate] = {}
    firsts: dict[int, int] = {}  # note -> clauses that rank it first
    orders = [
        _candidates(pooled[t] * W_LEXICAL + W_COVERAGE * coverage[t], t, pool, allowed, extra)
        for t in range(len(texts))
    ]
    # The whole message is compared with every note a clause puts forward too: a clause's match counts
    # only in part by itself (CLAUSE_SHARE), the rest by the whole message's match to the same note.
    orders[0] = list(dict.fromkeys(k for order in orders for k in order))
    whole_confidence: dict[int, float] = {}
    for t, (item, order) in enumerate(zip(texts, orders, strict=True)):
        pooled_lexical = pooled[t]
        notes = pool[order].tolist()
        codes = np.array(sorted(item.codes), dtype=np.int64)
        reverse = tables.questions.reverse_coverage(notes, codes)
        q_pinyin = item.analysis.pinyin
        similarities = _similarities(tables, item.analysis.chars, q_pinyin, notes)
        leader, leading = -1, -1.0
        for k, i, similarity in zip(order, notes, similarities, strict=True):
            cov = float(coverage[t, k])
            rev = min(reverse.get(i, 0.0), cov)
            lex = float(pooled_lexical[k])
            confidence = W_COVERAGE * cov + W_SIMILARITY * similarity + W_LEXICAL * lex + W_REVERSE * rev
            # A note "owns" a short query that its title ends with: in Chinese the head of a phrase comes
            # last, so 退款 is the subject of 顾客要求退货退款 but only a qualifier in 退款多久到账.
            if len(q_pinyin) >= 4 and tables.note_data[i].title_pinyin.endswith(q_pinyin):
                confidence += W_TITLE_END
            confidence *= item.factor / W_TOTAL
            if t == 0:
                whole_confidence[i] = confidence
            else:
                confidence = CLAUSE_SHARE * confidence + (1 - CLAUSE_SHARE) * whole_confidence[i]
            if confidence > leading:
                leader, leading = i, confidence
            if i not in best or confidence > best[i].confidence:
                best[i] = Candidate(
                    i,
                    confidence,
                    cov,
                    rev,
                    similarity,
                    lex,
                    float(char_coverage[t, k]),
                    float(pinyin_coverage[t, k]),
                    clause=t > 0,
                    missing=float(missing[t, k]),
                )
        if leader >= 0 and t > 0:
            firsts[leader] = firsts.get(leader, 0) + 1
    clauses_scored = max(len(texts) - 1, 1)
    candidates = [replace(c, support=firsts.get(c.note, 0) / clauses_scored) for c in best.values()]
    return Ranking(sorted(candidates, key=lambda c: -c.confidence), units)


def _candidates(
    pre: np.ndarray, t: int, pool: np.ndarray, allowed: np.ndarray | None, extra: Sequence[int]
) -> list[int]:
    """The pool positions to compare closely with text ``t`` (0: the whole message): the best by the
    cheap signals, the same among the notes the audience may see (``allowed``, to compare them with the
    best of all), and for the whole message the ``extra`` notes."""
    size = CANDIDATES if t == 0 else CLAUSE_CANDIDATES
    order = [k for k in _top(pre, size) if pre[k] > 0]
    if allowed is not None:
        order += [k for k in _top(np.where(allowed[pool], pre, -1.0), size) if pre[k] > 0 and k not in order]
    if t == 0 and len(extra):
        order += [k for k in np.flatnonzero(np.isin(pool, extra)).tolist() if k not in order]
    return order


def _content_units(analysis: Analysis) -> int:
    """The units of a text that are not function characters."""
    return sum(1 for u in analysis.units if u.char not in STOP_CHARS)


def _resolve(tables: IndexTables, analyses: list[Analysis]) -> list[_Text]:
    """The texts with some topic (not only function characters), their features looked up: first the
    n-grams, then what explains each unit. A short message (``TYPO_MAX_UNITS``) is also read for typos,
    where a pair is no phrase of the notes' titles, questions or tags; its clauses are read alike. A clause
    is mostly segments of the whole message: each distinct segment is read once."""
    word_code = tables.word_code
    segment_feats: dict[tuple[Unit, ...], list[int | str]] = {}
    for analysis in analyses:
        for seg in analysis.segments:
            if (key := tuple(seg)) not in segment_feats:
                segment_feats[key] = segment_features(seg, word_code)
    feats = [
        list(dict.fromkeys(f for seg in analysis.segments for f in segment_feats[tuple(seg)]))
        for analysis in analyses
    ]
    codes = list({f for text_feats in segment_feats.values() for f in text_feats if isinstance(f, int)})
    known = dict(zip(codes, tables.lookup(codes), strict=True))

    def phrase(code: int) -> bool:
        found = known.get(code)
        return found is not None and found.heads > 0

    typos = phrase if analyses and len(analyses[0].units) <= TYPO_MAX_UNITS else None
    segment_units: dict[tuple[Unit, ...], list[tuple[Unit, list[tuple[int | None, str]]]]] = {}
    for key in segment_feats:
        segment_units[key] = segment_unit_features(key, word_code, typos)
    more = list(
        {c for units in segment_units.values() for _u, unit_feats in units for c, _kind in unit_feats}
        - known.keys()
        - {None}
    )
    known.update(zip(more, tables.lookup(more), strict=True))  # type: ignore[arg-type]
    unknown = Feature(-1, tables.max_idf, -1, 0, 0, 0)
    made: dict[tuple[int | None, str], Feature] = {}

    def feature(code: int | None, kind: str) -> Feature:
        found = made.get((code, kind))
        if found is None:
            found = made[(code, kind)] = Feature(*known.get(code, unknown)[:6], kind)  # type: ignore[arg-type]
        return found

    resolved = {
        key: [(unit, [feature(code, kind) for code, kind in unit_feats]) for unit, unit_feats in units]
        for key, units in segment_units.items()
    }
    texts = []
    for k, analysis in enumerate(analyses):
        units = [item for seg in analysis.segments for item in resolved[tuple(seg)]]
        if not any(u.char not in STOP_CHARS for u, _feats in units):
            continue  # nothing but function characters: no topic to match
        shared = {f for f in feats[k] if isinstance(f, int)}
        if typos is not None:
            shared.update(typo_codes(analysis, typos))
        found = [known.get(f, unknown) if isinstance(f, int) else unknown for f in feats[k]]
        texts.append(_Text(analysis, units, feats[k], found, 1.0 if k == 0 else CLAUSE_FACTOR, shared))
    return texts


@dataclass
class _Lexical:
    """The query's lexical features: each text's weight (query weight x idf) for each feature column, and
    each text's best possible score."""

    features: list[Feature]  # the known features with notes, by column
    factor: np.ndarray  # texts x columns
    ceilings: np.ndarray  # per text

    @classmethod
    def of(cls, texts: list[_Text]) -> _Lexical:
        columns: dict[int, int] = {}  # feature code -> column
        features: list[Feature] = []
        factors: list[dict[int, float]] = []
        ceilings = np.zeros(len(texts))
        for t, item in enumerate(texts):
            weights: dict[int, float] = {}
            for code, f in zip(item.feats, item.found, strict=True):
                kind = KIND_NAME[code >> KIND_SHIFT] if isinstance(code, int) else "word"
                # Nearly every note has each pinyin syllable: they would only add noise (and time).
                if kind == "puni":
                    continue
                weight = FEATURE_WEIGHT[kind] * f.idf
                ceilings[t] += weight
                if isinstance(code, int) and (f.row >= 0 or f.end > f.start):
                    column = columns.get(code)
                    if column is None:
                        column = columns[code] = len(features)
                        features.append(f)
                    weights[column] = weight
            factors.append(weights)
        factor = np.zeros((len(texts), len(features)))
        for t, weights in enumerate(factors):
            factor[t, list(weights)] = list(weights.values())
        return cls(features, factor, ceilings)

    def sparse_scores(self, tables: IndexTables) -> np.ndarray:
        """BM25F of every note for each text, from the features kept as posting lists (texts x notes).

        The features of many notes, kept as dense rows (see :mod:`~bot.knowledge.search.postings`), are left
        out: they weigh little and would cost a pass over every note each (see ``pooled``)."""
        scores = np.zeros((len(self.factor), tables.n))
        postings = tables.postings
        for t, weights in enumerate(self.factor):
            columns = [k for k in np.flatnonzero(weights).tolist() if self.features[k].row < 0]
            if not columns:
                continue
            slices = [slice(self.features[k].start, self.features[k].end) for k in columns]
            idx = np.concatenate([postings.idx[s] for s in slices])
            values = np.concatenate(
                [weights[k] * postings.values[s] for k, s in zip(columns, slices, strict=True)]
            )
            scores[t] = np.bincount(idx, weights=values, minlength=tables.n)
        return scores

    def pooled(self, tables: IndexTables, sparse: np.ndarray, pool: np.ndarray) -> np.ndarray:
        """BM25F of the pooled notes for each text, divided by the text's own best possible score
        (texts x pool, 0..1): ``sparse`` (see ``sparse_scores``) and the dense rows."""
        scores = sparse[:, pool]
        dense = [k for k, f in enumerate(self.features) if f.row >= 0]
        if dense:
            rows = tables.postings.dense_values[np.ix_([self.features[k].row for k in dense], pool)]
            scores += self.factor[:, dense].astype(np.float32) @ rows
        ceilings = self.ceilings[:, None]
        return np.divide(scores, ceilings, out=scores, where=ceilings > 0)


def _pool(scores: np.ndarray, allowed: np.ndarray | None, extra: Sequence[int] = ()) -> np.ndarray:
    """The notes scored closely, in note order: the ``POOL`` best by (sparse) lexical score for the whole
    message (all of them in an index of that many notes or fewer; else only notes with a score), the
    ``CLAUSE_POOL`` best for each clause, the same among the notes this audience may see (``allowed``), and
    ``extra``."""
    parts = [np.asarray(extra, dtype=np.int64)]
    for t, row in enumerate(scores):
        size = POOL if t == 0 else CLAUSE_POOL
        if len(row) <= size:
            parts.append(np.arange(len(row)))
            continue
        # Most notes share nothing rare with a text: only the others count.
        for among in [row > 0] if allowed is None else [row > 0, (row > 0) & allowed]:
            scored = np.flatnonzero(among)
            if len(scored) > size:
                scored = scored[np.argpartition(-row[scored], size)[:size]]
            parts.append(scored)
    return np.unique(np.concatenate(parts))


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
    tables: IndexTables, texts: list[_Text], pool: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted share of each text's units that each pooled note explains (texts x pool, 0..1): by all
    features, by characters (and words) only, by pinyin (and words) only; and the largest share of the
    text that one unit says and the note leaves unexplained (a salient word the note never speaks of).

    A unit's credit in a note is the best over the features that explain it, as byte codes: each feature's
    codes over the pool are one row, and a unit's credits the maximum of its features' rows. Units and
    features that several texts share (a clause's units are the whole message's too, with the same list of
    features: see ``_resolve``) are credited once.
    """
    units: dict[int, int] = {}  # the distinct units, by their list of features
    features: dict[tuple[int, str], int] = {}  # the distinct features with notes, by (id, kind)
    found: list[Feature] = []
    members: list[tuple[list[int], list[int]]] = []  # each distinct unit's features: characters, pinyin
    matrix_rows: list[dict[int, float]] = []  # each text's weight of each distinct unit
    said: dict[tuple[Unit, int], float] = {}  # the weight of each distinct unit
    for item in texts:
        weights: dict[int, float] = {}
        for unit, feats in item.units:
            k = units.get(id(feats))
            if k is None:
                k = units[id(feats)] = len(members)
                rows: tuple[list[int], list[int]] = ([], [])
                for f in feats:
                    if f.row < 0 and f.end <= f.start:
                        continue  # no note has it
                    row = features.get((f.fid, f.kind))
                    if row is None:
                        row = features[(f.fid, f.kind)] = len(found)
                        found.append(f)
                    for channel in CHANNELS[f.kind]:
                        rows[channel].append(row)
                members.append(rows)
            weight = said.get((unit, k))
            if weight is None:
                weight = said[(unit, k)] = _unit_weight(tables, unit, feats)
            weights[k] = weights.get(k, 0.0) + weight
        matrix_rows.append(weights)
    size = len(pool)
    position = np.full(tables.n, -1, dtype=np.int64)
    position[pool] = np.arange(size)
    codes = _credits(tables.postings, found, pool, position)
    none = len(found)  # the last row of codes: zeros
    channels = []
    for channel in (0, 1):  # characters, pinyin
        rows = [unit[channel] or [none] for unit in members]
        starts = offsets_of(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)))[:-1]
        flat = [r for unit_rows in rows for r in unit_rows]
        channels.append(np.maximum.reduceat(codes[flat], starts, axis=0))
    everything = np.maximum(channels[0], channels[1])  # a word counts in both channels
    matrix = np.zeros((len(texts), len(members)), dtype=np.float32)
    totals = np.zeros(len(texts))
    for t, weights in enumerate(matrix_rows):
        matrix[t, list(weights)] = list(weights.values())
        totals[t] = sum(weights.values())
    scale = CODE_SCALE * np.where(totals > 0, totals, 1.0)[:, None]
    covered = [
        (matrix @ credits.astype(np.float32)).astype(np.float64) / scale
        for credits in (everything, *channels)
    ]
    unexplained = 1.0 - everything.astype(np.float32) / CODE_SCALE  # units x pool
    total = scale / CODE_SCALE  # each text's weight
    missing = (matrix[:, :, None] * unexplained).max(axis=1).astype(np.float64) / total
    return covered[0], covered[1], covered[2], missing


def _credits(postings: Postings, feats: list[Feature], pool: np.ndarray, position: np.ndarray) -> np.ndarray:
    """One row per feature: its credit codes over the pool; and a last row of zeros (for the units no
    feature explains). ``position``: each note's place in the pool (-1: not in it)."""
    codes = np.zeros((len(feats) + 1, len(pool)), dtype=np.uint8)
    sparse = []
    for row, f in enumerate(feats):
        if f.row < 0:
            sparse.append(row)
            continue
        dense = postings.dense_codes[int(f.kind.endswith("1")), f.row, pool]
        base = TYPO_KINDS.get(f.kind)
        if base is not None:  # the row holds the codes of the kind it stands for
            numerator, denominator = TYPO_CREDIT
            dense = (dense.astype(np.uint16) * numerator // denominator).astype(np.uint8)
        codes[row] = dense
    # A posting list much longer than the pool is searched for the pool's notes (it lists its notes in
    # order); the others are read whole, all at once.
    long = [row for row in sparse if feats[row].end - feats[row].start > _SEARCHED * len(pool)]
    for row in long:
        f = feats[row]
        notes = postings.idx[f.start : f.end]
        at = np.minimum(np.searchsorted(notes, pool), len(notes) - 1)
        hit = notes[at] == pool
        codes[row, hit] = CREDIT_CODES[f.kind][postings.where[f.start + at[hit]]]
    sparse = [row for row in sparse if feats[row].end - feats[row].start <= _SEARCHED * len(pool)]
    if sparse:
        slices = [slice(feats[row].start, feats[row].end) for row in sparse]
        lengths = [s.stop - s.start for s in slices]
        idx = np.concatenate([postings.idx[s] for s in slices])
        where = np.concatenate([postings.where[s] for s in slices])
        rows = np.repeat(np.asarray(sparse, dtype=np.int64), lengths)
        kinds = np.repeat(np.asarray([_KIND_ROW[feats[row].kind] for row in sparse], dtype=np.int64), lengths)
        places = position[idx]
        hit = places >= 0
        codes[rows[hit], places[hit]] = _CODE_TABLE[kinds[hit], where[hit]]
    return codes


_SEARCHED = 8  # times the pool's size
_KIND_ROW = {kind: k for k, kind in enumerate(CREDIT_CODES)}
_CODE_TABLE = np.stack(list(CREDIT_CODES.values()))  # kind x where


def _channels(kind: str) -> tuple[int, ...]:
    """The coverage channels a feature kind counts in: characters (0), pinyin (1), or both (words)."""
    if kind in CHAR_KINDS:
        return (0,)
    if kind in PINYIN_KINDS:
        return (1,)
    return (0, 1)


CHANNELS = {kind: _channels(kind) for kind in (*CHAR_KINDS, *PINYIN_KINDS, "word")}


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


_QUESTION = re.compile(
    "[吗呢么]|怎|如何|为什么|为啥|什么|啥|咋|哪|谁|多少|多久|几[点天个号时次块钱]|是不是|能不能|可不可以|"
    "有没有|会不会|要不要|行不行|是否|能否"
)


def _question_clause(parts: Sequence[str]) -> int:
    """The clause that asks: the last one with a question particle or word, Traditional too (-1: none)."""
    return next((k for k in range(len(parts) - 1, -1, -1) if _QUESTION.search(to_simplified(parts[k]))), -1)


def _clauses(text: str) -> list[str]:
    """The clauses of a message with several (split at punctuation, emoji and spaces), each with at least
    three Han characters; empty for a single clause."""
    parts = [p for p in _CLAUSE_SPLIT.split(text) if len(_HAN_CHAR.findall(p)) >= 3]
    return parts if len(parts) > 1 else []
