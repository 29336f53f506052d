"""Matching a question against the training notes.

Four signals, computed on the units and features of :mod:`bot.knowledge.normalize`:

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

They combine into a 0–100 confidence, with a small bonus for the note whose title ends with a short query
(the note that "owns" the term: 退款 → 顾客要求退货退款). A chatty message is also scored clause by clause.
The best note is the answer when its confidence reaches ``answer_threshold`` and leads the runner-up by
``min_margin``; otherwise up to three notes above ``suggest_threshold`` are offered ("did you mean");
below that the bot says it does not know. Thresholds were chosen with ``bench/kb_eval.py --sweep``.

Building is vectorised (``bench/kb_speed.py`` measures it up to 10,000 notes): the notes' texts are
normalised a few hundred notes at a time as one string, their character and pinyin n-grams and words
become integer codes, and one sort per chunk gives (feature, note) pairs, put into posting lists by a
counting sort. A feature found in a quarter of the notes or more becomes dense rows (byte codes of its
coverage credit, its BM25F weights), so that a query combines whole rows instead of scattering long lists.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.normalize import (
    HAN_CHARS,
    HAN_LIMIT,
    RUNS,
    SEPARATOR,
    SEPARATOR_CHAR,
    STOP_CHARS,
    Analysis,
    Analyzer,
    Unit,
    default_pinyin_table,
    han_table,
    is_han,
    run_pinyin,
    syllable_id,
)
from bot.knowledge.notes import Note, split_scripts_section

Audience = Literal["staff", "public"]
Outcome = Literal["answer", "suggest", "unknown"]

# Chosen with `bench/kb_eval.py --sweep` on the labelled queries (see that script).
DEFAULT_ANSWER_THRESHOLD = 50.0
DEFAULT_SUGGEST_THRESHOLD = 40.0
DEFAULT_MIN_MARGIN = 6.0
MAX_SUGGESTIONS = 3
MAX_QUERY_CHARS = 200
CLAUSE_FACTOR = 0.9
MIN_CLAUSE_UNITS = 3

# Signal weights in the confidence (divided by their sum).
W_COVERAGE = 0.6
W_SIMILARITY = 0.25
W_LEXICAL = 0.15
W_REVERSE = 0.3
W_TITLE_END = 0.06
_W_TOTAL = W_COVERAGE + W_SIMILARITY + W_LEXICAL + W_REVERSE + W_TITLE_END

# Coverage credit of a query unit, by where and how a note matches it: its head (title, questions, tags),
# its body, or only its reply scripts (the ``## 话术`` section: what to tell the customer, often in
# English too, says less about the situation than the rest of the body).
_SCRIPTS, _BODY, _HEAD = 1, 2, 3
SCRIPTS_FACTOR = 0.5
_CREDIT: dict[tuple[int, str], float] = {
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
# The same as small integer codes (the credit x _CODE_SCALE, so that the best credit is the largest code),
# by where a note has the feature (0: nowhere, _SCRIPTS, _BODY, _HEAD): a unit's credit is then the largest
# code over its features, found in arrays of bytes.
_CODE_SCALE = 200
_KINDS = ("cbi", "pbi", "word", "cuni", "puni", "cuni1", "puni1")
_CREDIT_CODES = {
    kind: np.round(
        _CODE_SCALE
        * np.array(
            [0.0, SCRIPTS_FACTOR * _CREDIT[(_BODY, kind)], _CREDIT[(_BODY, kind)], _CREDIT[(_HEAD, kind)]]
        )
    ).astype(np.uint8)
    for kind in _KINDS
}
STOP_WEIGHT = 0.15
FOREIGN_WORD_WEIGHT = 0.4

# BM25F parameters: field weight and length normalisation.
K1 = 1.2
_FIELDS = {"head": (3.0, 0.3), "tags": (2.0, 0.0), "body": (1.0, 0.75), "scripts": (0.5, 0.75)}
# Query feature weights by kind: bigrams say more than single characters, characters more than pinyin.
# (Lone pinyin syllables do not count: there are only about 400.)
_FEATURE_WEIGHT = {"cbi": 1.0, "cuni": 0.3, "pbi": 0.7, "word": 1.0}
_CANDIDATES = 12  # notes compared closely (reverse coverage, similarity) for each text


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


# Feature codes: one integer per feature, its kind in the high bits (see ``_han_features``).
_CUNI, _CBI, _PUNI, _PBI, _WORD = 1, 2, 3, 4, 5
_KIND_SHIFT = 36
_KIND_NAME = {_CBI: "cbi", _CUNI: "cuni", _PBI: "pbi", _PUNI: "puni", _WORD: "word"}
_FIELD_HEAD, _FIELD_TAGS, _FIELD_BODY, _FIELD_SCRIPTS = 0, 1, 2, 3
_SEP = ord(SEPARATOR_CHAR)
_CHUNK_BITS = 8  # 2**8 notes have their features sorted together while building
_TAG_BITS = _CHUNK_BITS + 2  # a feature's note in its chunk, and its field
_DENSE_SHARE = 4  # a feature in 1/4 of the notes or more is kept as a dense row ...
_DENSE_MIN_NOTES = 512  # ... in an index of this many notes or more


class _Postings:
    """Feature id -> the notes that have it, their BM25F weights, and where in them (``_HEAD``, ``_BODY``
    or only ``_SCRIPTS``).

    A feature found in a quarter of the notes or more is kept as dense rows over all notes: its BM25F
    weights, and its coverage credit codes for a query unit (``dense_codes[0]``; ``dense_codes[1]`` for a
    unit standing alone), so that a query takes whole rows instead of scattering long lists. The others
    are lists in arrays ordered by feature, with offsets (CSR), filled chunk by chunk in note order.
    """

    def __init__(self, df: np.ndarray, codes: np.ndarray, n: int) -> None:
        dense = (df * _DENSE_SHARE >= n) & (n >= _DENSE_MIN_NOTES)
        rows = int(dense.sum())
        self.row = np.full(len(df), -1, dtype=np.int64)
        self.row[dense] = np.arange(rows)
        self.dense_values = np.zeros((rows, n), dtype=np.float32)
        self._dense_where = np.zeros((rows, n), dtype=np.int8)
        self.dense_codes = np.zeros((2, rows, n), dtype=np.uint8)  # made by ``finish``
        # Credit codes of each dense row by where (its kind follows from its feature: a unigram's unit
        # may stand alone).
        kinds = {_CUNI: ("cuni", "cuni1"), _CBI: ("cbi", "cbi"), _PUNI: ("puni", "puni1")}
        kinds |= {_PBI: ("pbi", "pbi"), _WORD: ("word", "word")}
        table = np.zeros((2, 8, 4), dtype=np.uint8)
        for feature_kind, names in kinds.items():
            for variant, name in enumerate(names):
                table[variant, feature_kind] = _CREDIT_CODES[name]
        self._row_tables = table[:, codes[dense] >> _KIND_SHIFT]  # (2, rows, 4)
        self.offsets = _offsets(np.where(dense, 0, df))
        self._cursor = self.offsets[:-1].copy()
        size = int(self.offsets[-1])
        self.idx = np.zeros(size, dtype=np.int32)
        self.values = np.zeros(size, dtype=np.float32)
        self.where = np.zeros(size, dtype=np.int8)

    def fill(
        self, fids: np.ndarray, counts: np.ndarray, notes: np.ndarray, values: np.ndarray, where: np.ndarray
    ) -> None:
        """Add ``counts[j]`` pairs of feature ``fids[j]`` for each j (the columns list them in order)."""
        if not len(notes):
            return
        rows = self.row[fids]
        if (rows >= 0).any():
            pair_rows = np.repeat(rows, counts)
            hot = pair_rows >= 0
            hot_rows, hot_notes = pair_rows[hot], notes[hot]
            self.dense_values[hot_rows, hot_notes] = values[hot]
            self._dense_where[hot_rows, hot_notes] = where[hot]
            fids, counts = fids[rows < 0], counts[rows < 0]
            notes, values, where = notes[~hot], values[~hot], where[~hot]
        positions = np.repeat(self._cursor[fids] - _offsets(counts)[:-1], counts) + np.arange(len(notes))
        self._cursor[fids] += counts
        self.idx[positions] = notes
        self.values[positions] = values
        self.where[positions] = where

    def finish(self) -> None:
        """Turn where each dense row's feature is into credit codes, row by row."""
        for row in range(len(self._dense_where)):
            for variant in (0, 1):
                self.dense_codes[variant, row] = self._row_tables[variant, row][self._dense_where[row]]
        del self._dense_where


class _Feature(NamedTuple):
    """What the index knows of one query feature (``fid`` -1: the notes do not have it)."""

    fid: int
    idf: float
    row: int  # its dense row, or -1
    start: int  # its posting list, if not dense
    end: int
    heads: int  # notes that have it in their title, questions or tags
    kind: str = ""  # how it explains a query unit (coverage credit kind)


@dataclass
class _Chunk:
    """The features of a few hundred notes: (feature, note) pairs by feature code, then note."""

    first: int  # index of the chunk's first note
    codes: np.ndarray  # distinct feature codes, sorted
    counts: np.ndarray  # number of pairs of each code
    notes: np.ndarray  # note of each pair (within the chunk)
    tfs: np.ndarray  # term frequency of each pair in each of the 4 fields (4 x pairs, at most 255)
    lengths: np.ndarray  # total term frequency of each field of each note (4 x notes)
    fids: np.ndarray | None = None  # feature id of each code, once the vocabulary is known


@dataclass
class _QuestionUnits:
    """The units (Han characters and words) of the notes' titles and questions, for reverse coverage:
    how much of a note's question a query restates."""

    codes: np.ndarray  # code point of a Han character, or a word's feature code
    pinyin: np.ndarray  # syllable id (-1: none, or a word)
    runs: np.ndarray  # run of adjacent units (bigrams only inside a run), numbered across all notes
    texts: np.ndarray  # title or question, numbered across all notes
    notes: np.ndarray  # note index
    weights: np.ndarray | None = None  # how much each unit says (as the query's units weigh)
    offsets: np.ndarray | None = None  # where each note's units start

    @classmethod
    def of(cls, found: _TextFeatures, is_question: np.ndarray, owner: np.ndarray) -> _QuestionUnits:
        """The units of the texts flagged ``is_question`` (titles and questions, not tags)."""
        han_pos = np.flatnonzero(found.han)
        positions = np.concatenate([han_pos, found.word_starts])
        order = np.argsort(positions, kind="stable")
        positions = positions[order]
        before = np.concatenate(([False], found.han[:-1]))
        starts_run = np.concatenate([~before[han_pos], np.ones(len(found.word_starts), dtype=bool)])[order]
        codes = np.concatenate([found.cps[han_pos], found.word_codes])[order]
        pinyin = np.concatenate([found.pinyin[han_pos], np.full(len(found.word_starts), -1)])[order]
        texts = found.text_of[positions]
        keep = is_question[texts] if len(is_question) else np.zeros(len(texts), dtype=bool)
        return cls(
            codes[keep],
            pinyin[keep].astype(np.int16),
            np.cumsum(starts_run)[keep].astype(np.int32),
            texts[keep].astype(np.int32),
            owner[texts[keep]].astype(np.int32),
        )

    @classmethod
    def concatenate(cls, parts: list[_QuestionUnits], n: int) -> _QuestionUnits:
        """All chunks' units, with runs and texts numbered apart and each note's units together."""
        runs, texts = [], []
        run_base = text_base = 0
        for part in parts:
            runs.append(part.runs + run_base)
            texts.append(part.texts + text_base)
            run_base += int(part.runs.max()) + 1 if len(part.runs) else 0
            text_base += int(part.texts.max()) + 1 if len(part.texts) else 0
        empty = np.zeros(0, dtype=np.int64)
        joined = cls(
            *(np.concatenate([getattr(p, f) for p in parts] or [empty]) for f in ("codes", "pinyin")),
            np.concatenate(runs or [empty]),
            np.concatenate(texts or [empty]),
            np.concatenate([p.notes for p in parts] or [empty]),
        )
        joined.offsets = _offsets(np.bincount(joined.notes, minlength=n))
        return joined

    def weigh(self, index: KnowledgeIndex) -> None:
        """Each unit's weight: the rarity of its character (or word) across the notes, as for queries."""
        is_word = (self.codes >> _KIND_SHIFT) == _WORD
        lookup = np.where(is_word, self.codes, (_CUNI << _KIND_SHIFT) | self.codes)
        fids = np.asarray(index._fids(lookup.tolist()), dtype=np.int64)
        df = np.where(fids >= 0, index._df[np.maximum(fids, 0)], 0)
        weights = np.log(1.0 + (index._n - df + 0.5) / (df + 0.5)) / index._max_idf
        stop = np.isin(self.codes, _STOP_CODES) & ~is_word
        self.weights = np.where(stop, STOP_WEIGHT * weights, weights).astype(np.float32)

    def reverse_coverage(self, notes: Sequence[int], query: np.ndarray) -> dict[int, float]:
        """For each note, the largest weighted share of one of its titles or questions whose units the query
        has (a character with a neighbour as a character or pinyin bigram; a lone character or a word
        as itself). ``query``: the query's feature codes, sorted."""
        assert self.offsets is not None and self.weights is not None
        if not notes or not len(query):
            return {}
        chosen = np.sort(np.asarray(notes, dtype=np.int64))
        starts, ends = self.offsets[chosen], self.offsets[chosen + 1]
        lengths = ends - starts
        units = np.repeat(starts - _offsets(lengths)[:-1], lengths) + np.arange(int(lengths.sum()))
        if not len(units):
            return {}
        codes, pinyin, runs = self.codes[units], self.pinyin[units].astype(np.int64), self.runs[units]
        is_word = (codes >> _KIND_SHIFT) == _WORD
        pair = runs[1:] == runs[:-1]  # unit k-1 and unit k are neighbours
        left, right = codes[:-1], codes[1:]
        bigrams = np.where(pair, (_CBI << _KIND_SHIFT) | (left << 18) | right, -1)
        py_pair = pair & (pinyin[:-1] >= 0) & (pinyin[1:] >= 0)
        py_bigrams = np.where(py_pair, (_PBI << _KIND_SHIFT) | (pinyin[:-1] << 12) | pinyin[1:], -1)
        pair_found = _isin_sorted(bigrams, query) | _isin_sorted(py_bigrams, query)
        found = np.zeros(len(units), dtype=bool)
        found[:-1] |= pair_found
        found[1:] |= pair_found
        alone = ~np.concatenate(([False], pair)) & ~np.concatenate((pair, [False]))
        singles = np.where(is_word, codes, (_CUNI << _KIND_SHIFT) | codes)
        py_singles = np.where(pinyin >= 0, (_PUNI << _KIND_SHIFT) | pinyin, -1)
        found |= alone & (_isin_sorted(singles, query) | (~is_word & _isin_sorted(py_singles, query)))
        texts = self.texts[units]  # ascending: the notes' ranges are in note order
        firsts = _run_starts(texts)
        is_first = np.zeros(len(texts), dtype=bool)
        is_first[firsts] = True
        text_index = np.cumsum(is_first) - 1
        weights = self.weights[units]
        total = np.bincount(text_index, weights=weights, minlength=len(firsts))
        covered = np.bincount(text_index, weights=weights * found, minlength=len(firsts))
        share = covered / np.maximum(total, 1e-9)
        note_of_text = self.notes[units][firsts]  # ascending
        note_starts = _run_starts(note_of_text)
        best = np.maximum.reduceat(share, note_starts)
        return dict(zip(note_of_text[note_starts].tolist(), best.tolist(), strict=True))


@dataclass
class _NoteData:
    note: Note
    head_strings: list[tuple[str, str]]  # (chars, pinyin) of title, questions, tags
    title_pinyin: str


class KnowledgeIndex:
    """An in-memory index of the notes; build once, search many times (see the module's docstring)."""

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
        # Latin words the notes use are words, not typed pinyin (learnt while building).
        self.analyzer = Analyzer(synonyms)
        self._build()
        self.analyzer.prepare()

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
        n = self._n = len(self.notes)
        self._word_ids: dict[str, int] = {}
        self._data: list[_NoteData] = []
        self._question_units: list[_QuestionUnits] = []
        size = 1 << _CHUNK_BITS
        chunks = [self._build_chunk(first, self.notes[first : first + size]) for first in range(0, n, size)]
        self._index_postings(chunks)
        self._questions = _QuestionUnits.concatenate(self._question_units, n)
        self._questions.weigh(self)
        del self._question_units

    def _build_chunk(self, first: int, notes: Sequence[Note]) -> _Chunk:
        """Features of a few hundred notes (small arrays keep memory traffic low), as (feature, note)
        pairs sorted by feature code and note, with each field's term frequency."""
        head_texts: list[str] = []
        head_owner: list[int] = []
        head_field: list[int] = []
        for i, note in enumerate(notes):
            texts = (note.title, *note.questions)
            head_texts.extend(texts)
            head_texts.extend(note.tags)
            head_owner.extend([i] * (len(texts) + len(note.tags)))
            head_field.extend([_FIELD_HEAD] * len(texts) + [_FIELD_TAGS] * len(note.tags))
        bodies = [split_scripts_section(note.body) for note in notes]
        contents = self.analyzer.note_contents(
            [*head_texts, *(b for b, _ in bodies), *(s for _, s in bodies)]
        )
        head_contents = contents[: len(head_texts)]
        body_contents = contents[len(head_texts) : len(head_texts) + len(notes)]
        script_contents = contents[len(head_texts) + len(notes) :]

        owner = np.asarray(head_owner, dtype=np.int64)
        fields = np.asarray(head_field, dtype=np.int64)
        head_strings, head_found = self._head_features(head_contents, (owner << 2) | fields)
        self._question_units.append(_QuestionUnits.of(head_found, fields == _FIELD_HEAD, owner + first))
        strings: list[list[tuple[str, str]]] = [[] for _ in notes]
        title_pinyin = [""] * len(notes)
        for k in reversed(range(len(head_texts))):
            chars, pinyin = head_strings[k]
            if head_field[k] == _FIELD_HEAD:
                title_pinyin[head_owner[k]] = pinyin  # the first head text of a note is its title
            if chars or pinyin:
                strings[head_owner[k]].append((chars, pinyin))
        self._data.extend(_NoteData(note, strings[i][::-1], title_pinyin[i]) for i, note in enumerate(notes))

        # The bodies, then the reply scripts (pinyin without phrase readings).
        local = np.arange(len(notes), dtype=np.int64) << 2
        body_tags = np.concatenate([local | _FIELD_BODY, local | _FIELD_SCRIPTS])
        body_found = _han_features(
            _JOIN.join(body_contents + script_contents), None, self._word_ids, body_tags
        )

        keys = np.sort(np.concatenate([head_found.keys, body_found.keys]))
        starts = _run_starts(keys)  # runs of equal keys: a feature's frequency in one field of one note
        tf = np.diff(np.append(starts, len(keys)))
        keys = keys[starts]
        field = keys & 3
        local = (keys >> 2) & ((1 << _CHUNK_BITS) - 1)
        lengths = np.bincount(field * len(notes) + local, weights=tf, minlength=4 * len(notes))
        is_pair = np.concatenate(([True], (keys[1:] >> 2) != (keys[:-1] >> 2))) if len(keys) else field
        pair = np.cumsum(is_pair) - 1
        tfs = np.zeros((4, int(pair[-1]) + 1 if len(pair) else 0), dtype=np.uint8)
        tfs[field, pair] = np.minimum(tf, 255)
        pair_codes = keys[is_pair] >> _TAG_BITS
        code_starts = _run_starts(pair_codes)
        return _Chunk(
            first=first,
            codes=pair_codes[code_starts],
            counts=np.diff(np.append(code_starts, len(pair_codes))).astype(np.int32),
            notes=local[is_pair].astype(np.uint16),
            tfs=tfs,
            lengths=lengths.reshape(4, len(notes)),
        )

    def _word_code(self, word: str) -> int | None:
        wid = self._word_ids.get(word)
        return (_WORD << _KIND_SHIFT) | wid if wid is not None else None

    def _head_features(
        self, contents: list[str], tags: np.ndarray
    ) -> tuple[list[tuple[str, str]], _TextFeatures]:
        """Each title's, question's and tag's (characters, pinyin) strings for the fuzzy comparison, and
        their features (with phrase-aware pinyin; ``tags``: each text's tag, see ``_han_features``)."""
        joined = _JOIN.join(contents)
        pinyin = default_pinyin_table()[np.minimum(_code_points(joined), HAN_LIMIT)]
        positions: list[int] = []
        readings: list[int] = []
        for match in _HAN_RUN.finditer(joined):
            if (ids := run_pinyin(match.group())[1]) is not None:  # read otherwise than char by char
                positions.extend(range(match.start(), match.end()))
                readings.extend(ids)
        pinyin[np.asarray(positions, dtype=np.intp)] = readings
        memo: dict[str, tuple[str, str]] = {}
        strings = [memo.get(c) or memo.setdefault(c, _head_strings(c)) for c in contents]
        self.analyzer.synonyms.block_homophone_ids(joined, pinyin)
        return strings, _han_features(joined, pinyin, self._word_ids, tags)

    def _index_postings(self, chunks: list[_Chunk]) -> None:
        """Posting lists of all (feature, note) pairs: BM25F weight, and where the note has the feature.

        Each chunk lists its pairs by feature code, then note; a counting sort by feature id puts them in
        place without sorting everything again.
        """
        n = self._n
        lengths = np.concatenate([c.lengths for c in chunks], axis=1) if chunks else np.zeros((4, 0))
        norms = []
        for f, (weight, b) in enumerate(_FIELDS.values()):
            avg = max(1.0, float(lengths[f].mean())) if n else 1.0
            norms.append(weight / (1.0 - b + b * lengths[f] / avg))  # per note
        codes = np.sort(np.concatenate([c.codes for c in chunks])) if chunks else np.zeros(0, np.int64)
        self._codes = codes[_run_starts(codes)]
        v = len(self._codes)
        df = np.zeros(v, dtype=np.int64)
        heads = np.zeros(v, dtype=np.int64)
        for chunk in chunks:
            chunk.fids = np.searchsorted(self._codes, chunk.codes)
            df[chunk.fids] += chunk.counts
            in_head = (chunk.tfs[_FIELD_HEAD] | chunk.tfs[_FIELD_TAGS]) > 0
            if len(in_head):
                heads[chunk.fids] += np.add.reduceat(in_head, _offsets(chunk.counts)[:-1])
        self._df = df
        self._heads = heads
        self._max_idf = self._idf(0)
        postings = _Postings(df, self._codes, n)
        for chunk in chunks:
            note = chunk.notes.astype(np.int64) + chunk.first
            pseudo = sum(chunk.tfs[f] * norms[f][note] for f in range(len(_FIELDS)))
            tfs = chunk.tfs
            where = np.where(
                (tfs[_FIELD_HEAD] | tfs[_FIELD_TAGS]) > 0,
                _HEAD,
                np.where(tfs[_FIELD_BODY] > 0, _BODY, _SCRIPTS),
            ).astype(np.int8)
            postings.fill(chunk.fids, chunk.counts, note, pseudo / (K1 + pseudo), where)
        postings.finish()
        self._postings = postings
        self._bm25s = None
        if self.lexical == "bm25s" and n:
            import bm25s

            corpus: list[list[str]] = [[] for _ in range(n)]
            weights = np.array([w for w, _b in _FIELDS.values()])
            for chunk in chunks:
                counts = (weights[:, None] * chunk.tfs).sum(axis=0).astype(int).tolist()
                notes = (chunk.notes.astype(np.int64) + chunk.first).tolist()
                pair_codes = np.repeat(chunk.codes, chunk.counts).tolist()
                for code, i, count in zip(pair_codes, notes, counts, strict=True):
                    corpus[i].extend([str(code)] * count)
            self._bm25s = bm25s.BM25()
            self._bm25s.index(corpus, show_progress=False)

    def _idf(self, df: int | np.ndarray) -> float:
        return math.log(1.0 + (self._n - df + 0.5) / (df + 0.5))

    def _fids(self, codes: Sequence[int | None]) -> list[int]:
        """Feature ids of these codes (-1 where the notes do not have the feature)."""
        known = [c if c is not None else -1 for c in codes]
        if not known or not len(self._codes):
            return [-1] * len(known)
        array = np.asarray(known, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._codes, array), len(self._codes) - 1)
        return np.where(self._codes[pos] == array, pos, -1).tolist()

    # --- searching ------------------------------------------------------------------------------

    def search(self, query: str, *, audience: Audience = "staff", limit: int = 5) -> SearchResult:
        """Find the note answering ``query``; ``public`` audience sees only public notes."""
        query = query.strip()
        text = query[:MAX_QUERY_CHARS]
        if not self.notes:
            return SearchResult(query, None, [], "unknown")
        allowed = self._public if audience == "public" else None
        clauses = _clauses(text)
        # The clauses share most features with the whole message: each feature's scores are computed once.
        cache: dict[object, np.ndarray | None] | None = {} if clauses else None
        best = self._score(self.analyzer.analyze(text), allowed, cache)
        # Chatty messages wrap the question in other clauses ("救命 … 客户一直在骂我 … 我该咋回"): a clause
        # that matches a note well counts too, a little less than the whole message would.
        for clause in clauses:
            analysis = self.analyzer.analyze(clause)
            if sum(1 for u in analysis.units if u.char not in STOP_CHARS) < MIN_CLAUSE_UNITS:
                continue
            for i, confidence in self._score(analysis, allowed, cache).items():
                best[i] = max(best.get(i, 0.0), CLAUSE_FACTOR * confidence)
        scored = [Match(self.notes[i], round(100.0 * min(1.0, float(c)), 2)) for i, c in best.items()]
        scored.sort(key=lambda m: -m.score)
        return self._decide(query, scored, limit)

    def _score(
        self,
        analysis: Analysis,
        allowed: np.ndarray | None,
        cache: dict[object, np.ndarray | None] | None = None,
    ) -> dict[int, float]:
        """Confidence (0..1) of the best candidate notes for one analysed text (``cache``: the per-unit and
        per-feature score vectors of the texts scored so far, for texts that share them)."""
        raw_units = _unit_features(analysis, self._word_code)
        if not any(u.char not in STOP_CHARS for u, _feats in raw_units):
            return {}  # nothing but function characters: no topic to match
        feats = _query_features(analysis, self._word_code)
        wanted = {c for _unit, unit_feats in raw_units for c, _kind in unit_feats if c is not None}
        wanted.update(f for f in feats if isinstance(f, int))
        known = dict(zip(wanted, self._lookup(list(wanted)), strict=True))
        unknown = _Feature(-1, self._max_idf, -1, 0, 0, 0)
        units = [
            (unit, [_Feature(*known.get(code, unknown)[:6], kind) for code, kind in unit_feats])
            for unit, unit_feats in raw_units
        ]
        coverage = self._coverage(units, cache)
        found = [known.get(f, unknown) if isinstance(f, int) else unknown for f in feats]
        lexical = self._lexical(feats, found, cache)
        pre = W_COVERAGE * coverage + W_LEXICAL * lexical
        if allowed is not None:
            pre[~allowed] = -1.0
        order = [i for i in _top(pre, _CANDIDATES) if pre[i] > 0]
        codes = np.array(sorted({f for f in feats if isinstance(f, int)}), dtype=np.int64)
        reverse = self._questions.reverse_coverage(order, codes)
        out: dict[int, float] = {}
        q_pinyin = analysis.pinyin
        similarities = self._similarities(analysis.chars, q_pinyin, order)
        for i, similarity in zip(order, similarities, strict=True):
            data = self._data[i]
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
            out[i] = confidence / _W_TOTAL
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

    def _lookup(self, codes: Sequence[int | None]) -> list[_Feature]:
        """What the index knows of each feature code (all at once: one numpy call per field)."""
        fids = np.asarray(self._fids(codes), dtype=np.int64)
        known = np.maximum(fids, 0)
        df = np.where(fids >= 0, self._df[known], 0) if len(self._df) else np.zeros(len(fids))
        idf = np.log(1.0 + (self._n - df + 0.5) / (df + 0.5))
        rows = np.where(fids >= 0, self._postings.row[known], -1) if len(self._df) else fids
        starts = self._postings.offsets[known] if len(self._df) else fids
        ends = self._postings.offsets[known + 1] if len(self._df) else fids
        heads = np.where(fids >= 0, self._heads[known], 0) if len(self._df) else fids
        columns = (fids, idf, rows, np.where(fids >= 0, starts, 0), np.where(fids >= 0, ends, 0), heads)
        return [_Feature(*values) for values in zip(*(c.tolist() for c in columns), strict=True)]

    def _unit_weight(self, unit: Unit, feats: list[_Feature]) -> float:
        """How much a query unit says (0..1): the rarity of the unit or of a pinyin bigram it is part of.

        Pinyin bigrams make 退款, 退宽 and typed ``tuikuan`` weigh the same; a term the notes never use
        (预支) weighs most. Function characters weigh little, and so do Latin words no title, question or
        tag uses (in English questions they are mostly untranslatable context, not the topic).
        """
        if unit.word:
            word = next((f for f in feats if f.kind == "word"), None)
            if word is None:
                return FOREIGN_WORD_WEIGHT
            return word.idf / self._max_idf * (1.0 if word.heads else FOREIGN_WORD_WEIGHT)
        own = "cuni" if unit.char else "puni"
        idf = max((f.idf for f in feats if f.kind.startswith(own)), default=self._max_idf)
        idf = max([idf, *(f.idf for f in feats if f.kind == "pbi")])
        weight = idf / self._max_idf
        if unit.char and unit.char in STOP_CHARS:
            weight *= STOP_WEIGHT
        return weight

    def _coverage(
        self, units: list[tuple[Unit, list[_Feature]]], cache: dict[object, np.ndarray | None] | None
    ) -> np.ndarray:
        """Weighted share of the query's units that each note explains (0..1).

        Each unit's credit in each note (the best over the features that explain it) is a row of byte
        codes; the coverage is the weighted sum of the rows.
        """
        weights = np.array([self._unit_weight(unit, feats) for unit, feats in units], dtype=np.float64)
        total_weight = float(weights.sum())
        if not units or not total_weight:
            return np.zeros(self._n)
        postings = self._postings
        credits = np.zeros((len(units), self._n), dtype=np.uint8)
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
                    codes = _CREDIT_CODES[f.kind][postings.where[f.start : f.end]]
                    row[idx] = np.maximum(row[idx], codes)
            if cache is not None:
                cache[key] = row.copy()
        return (weights.astype(np.float32) @ credits.astype(np.float32)).astype(np.float64) / (
            _CODE_SCALE * total_weight
        )

    def _lexical(
        self, feats: list[int | str], found: list[_Feature], cache: dict[object, np.ndarray | None] | None
    ) -> np.ndarray:
        """BM25F of each note for the query's features (``found``: what the index knows of them), divided
        by the query's own best possible score (0..1)."""
        scores = np.zeros(self._n)
        if self._bm25s is not None:
            known = [str(c) for c, f in zip(feats, found, strict=True) if f.fid >= 0]
            raw = self._bm25s.get_scores(known) if known else np.zeros(self._n)
            top = float(raw.max()) if len(raw) else 0.0
            return raw / top * 0.8 if top > 0 else scores
        ceiling = 0.0
        postings = self._postings
        rows: list[int] = []  # dense rows, added at once
        factors: list[float] = []
        for code, f in zip(feats, found, strict=True):
            kind = _KIND_NAME[code >> _KIND_SHIFT] if isinstance(code, int) else "word"
            if kind == "puni":  # nearly every note has each syllable: they would only add noise (and time)
                continue
            qweight = _FEATURE_WEIGHT[kind]
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
                vector = cache[f.fid] = np.zeros(self._n)
                vector[idx] = values
                scores += vector
        if rows:
            scores += np.asarray(factors, dtype=np.float32) @ np.take(postings.dense_values, rows, axis=0)
        return scores / ceiling if ceiling else scores

    def _similarities(self, q_chars: str, q_pinyin: str, notes: list[int]) -> list[float]:
        """Best rapidfuzz ratio (0..1) between the query and one of each note's titles, questions and
        tags, as characters or (a little less) as pinyin."""
        strings = [pair for i in notes for pair in self._data[i].head_strings]
        counts = [len(self._data[i].head_strings) for i in notes]
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
        starts = _offsets(np.asarray(counts))[:-1]
        out = np.zeros(len(notes))
        has = np.asarray(counts) > 0
        out[has] = np.maximum.reduceat(best, starts[has]) / 100.0
        return out.tolist()


_JOIN = SEPARATOR
_RUNS = RUNS


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


def _head_strings(content: str) -> tuple[str, str]:
    """A note text's characters and pinyin for the fuzzy comparison (as ``Analysis.chars`` and
    ``Analysis.pinyin``)."""
    if _NOT_HAN.search(content) is None:  # Han characters and spaces only
        runs = content.split()
        return "".join(runs), "".join([run_pinyin(run)[0] for run in runs])
    chars: list[str] = []
    pys: list[str] = []
    for run in _RUNS.findall(content):
        if is_han(run[0]):
            chars.append(run)
            pys.append(run_pinyin(run)[0])
        else:
            chars.append(f" {run} ")
            pys.append(run)
    return " ".join("".join(chars).split()), "".join(pys)


_NOT_HAN = re.compile(f"[^ {HAN_CHARS}]")
_HAN_RUN = re.compile(f"[{HAN_CHARS}]+")


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _isin_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_keys)`` for a small sorted array of keys."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[pos] == values


_STOP_CODES = np.array(sorted(ord(c) for c in STOP_CHARS), dtype=np.int64)


def _offsets(counts: np.ndarray) -> np.ndarray:
    """Where each group starts, and the total at the end (``[0, c0, c0 + c1, ...]``)."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))


@dataclass
class _TextFeatures:
    """Features of texts joined by the separator (see ``_han_features``)."""

    keys: np.ndarray  # (feature code << _TAG_BITS) | the tag of the text it comes from
    cps: np.ndarray  # code point of each position
    pinyin: np.ndarray  # syllable id of each position (-1: none)
    han: np.ndarray  # whether each position is a Han character
    text_of: np.ndarray  # index of the text of each position
    word_starts: np.ndarray  # where each word starts
    word_codes: np.ndarray  # the words' feature codes


def _han_features(
    text: str, pinyin: np.ndarray | None, word_ids: dict[str, int], tags: np.ndarray
) -> _TextFeatures:
    """Codes of the Han character and pinyin uni- and bigrams and of the words of texts joined by the
    separator, each with the tag (< 2**_TAG_BITS) of the text it comes from in its low bits. ``pinyin``:
    syllable id per position (default: the table); ``word_ids`` numbers the words, new ones included."""
    cps = _code_points(text)
    text_of = np.cumsum(cps == _SEP)
    tag = tags[text_of] if len(tags) else text_of
    clipped = np.minimum(cps, HAN_LIMIT)
    han = han_table()[clipped]
    py = default_pinyin_table()[clipped] if pinyin is None else pinyin
    pair = han[:-1] & han[1:]  # adjacent Han characters are in the same run
    known = han & (py >= 0)
    py_pair = known[:-1] & known[1:]
    # Words: runs of one class of characters (a-z, A-Z, 0-9, other letters), as ``RUNS`` cuts them.
    kind = _run_class_table()[clipped]
    bounds = np.flatnonzero(kind[1:] != kind[:-1]) + 1
    starts = np.concatenate(([0], bounds))[: len(kind)]
    ends = np.concatenate((bounds, [len(kind)]))
    is_word = kind[starts] != 0
    starts, ends = starts[is_word], ends[is_word]
    words = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    word_codes = (_WORD << _KIND_SHIFT) | np.asarray(
        [word_ids.setdefault(w, len(word_ids)) for w in words], dtype=np.int64
    )
    shift = _KIND_SHIFT + _TAG_BITS
    keys = [
        ((_CUNI << shift) | (cps[han] << _TAG_BITS)) | tag[han],
        ((_CBI << shift) | (cps[:-1][pair] << (18 + _TAG_BITS)) | (cps[1:][pair] << _TAG_BITS))
        | tag[:-1][pair],
        ((_PUNI << shift) | (py[known] << _TAG_BITS)) | tag[known],
        ((_PBI << shift) | (py[:-1][py_pair] << (12 + _TAG_BITS)) | (py[1:][py_pair] << _TAG_BITS))
        | tag[:-1][py_pair],
        (word_codes << _TAG_BITS) | tag[starts],
    ]
    return _TextFeatures(np.concatenate(keys), cps, py, han, text_of, starts, word_codes)


@functools.cache
def _run_class_table() -> np.ndarray:
    """How ``RUNS`` classes each character of a note's content: 1 a-z, 2 A-Z, 3 0-9, 4 another letter or
    digit of a word, 0 none of these (Han characters, spaces, the separator, other decimal digits)."""
    table = np.full(HAN_LIMIT + 1, 4, dtype=np.int8)
    table[han_table()] = 0
    table[[ord(" "), _SEP]] = 0
    table[ord("a") : ord("z") + 1] = 1
    table[ord("A") : ord("Z") + 1] = 2
    table[ord("0") : ord("9") + 1] = 3
    every = "".join(map(chr, range(0x80, 0xD800))) + "".join(map(chr, range(0xE000, HAN_LIMIT)))
    table[[ord(c) for c in re.findall(r"\d", every)]] = 0  # what ``\d`` matches, found at C speed
    return table


def _unit_codes(unit: Unit, word_code: Callable[[str], int | None]) -> tuple[int | None, int | None]:
    """Codes of a unit's character (or word) and pinyin syllable."""
    if unit.word:
        return word_code(unit.word), None
    char = (_CUNI << _KIND_SHIFT) | ord(unit.char) if unit.char else None
    py = (_PUNI << _KIND_SHIFT) | syllable_id(unit.py) if unit.py else None
    return char, py


def _char_bigram(left: Unit, right: Unit) -> int | None:
    if left.char and right.char:
        return (_CBI << _KIND_SHIFT) | (ord(left.char) << 18) | ord(right.char)
    return None


def _pinyin_bigram(left: Unit, right: Unit) -> int | None:
    if left.py and right.py:
        return (_PBI << _KIND_SHIFT) | (syllable_id(left.py) << 12) | syllable_id(right.py)
    return None


def _query_features(analysis: Analysis, word_code: Callable[[str], int | None]) -> list[int | str]:
    """The query's distinct features as the notes' are counted (``normalize.features``), as codes (a word
    the notes do not use stays a string)."""
    feats: list[int | str] = []
    for seg in analysis.segments:
        for unit in seg:
            char, py = _unit_codes(unit, word_code)
            if unit.word:
                feats.append(char if char is not None else unit.word)
                continue
            feats.extend(c for c in (char, py) if c is not None)
        for left, right in itertools.pairwise(seg):
            feats.extend(c for c in (_char_bigram(left, right), _pinyin_bigram(left, right)) if c is not None)
    return list(dict.fromkeys(feats))


def _unit_features(
    analysis: Analysis, word_code: Callable[[str], int | None]
) -> list[tuple[Unit, list[tuple[int | None, str]]]]:
    """Each query unit with the feature codes that can explain it (code, credit kind)."""
    out: list[tuple[Unit, list[tuple[int | None, str]]]] = []
    for seg in analysis.segments:
        alone = len(seg) == 1
        for k, unit in enumerate(seg):
            feats: list[tuple[int | None, str]] = []
            for j in (k - 1, k):
                if j >= 0 and j + 1 < len(seg):
                    left, right = seg[j], seg[j + 1]
                    if (code := _char_bigram(left, right)) is not None:
                        feats.append((code, "cbi"))
                    if (code := _pinyin_bigram(left, right)) is not None:
                        feats.append((code, "pbi"))
            char, py = _unit_codes(unit, word_code)
            if unit.word:
                feats.append((char, "word"))
            else:
                if unit.char:
                    feats.append((char, "cuni1" if alone else "cuni"))
                if unit.py:
                    feats.append((py, "puni1" if alone else "puni"))
            out.append((unit, feats))
    return out


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
