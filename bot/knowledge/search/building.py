"""Building the index: the notes' features, counted chunk by chunk into posting lists.

The notes' texts are normalised a few hundred notes at a time as one string, their character and pinyin
n-grams and words become integer codes (:mod:`~bot.knowledge.search.features`), and one sort per chunk
gives (feature, note) pairs, put into posting lists by a counting sort. :class:`IndexTables` holds the
result and answers what the index knows of a query's features.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.knowledge.notes import Note, split_scripts_section
from bot.knowledge.search.analysis import Analyzer
from bot.knowledge.search.features import (
    CHUNK_BITS,
    CSKIP,
    FIELD_BODY,
    FIELD_HEAD,
    FIELD_SCRIPTS,
    FIELD_TAGS,
    KIND_SHIFT,
    TAG_BITS,
    WORD,
    TextFeatures,
    char_pair_code,
    code_points,
    han_features,
    head_strings,
    offsets_of,
    run_starts,
)
from bot.knowledge.search.pinyin import HAN_LIMIT, default_pinyin_table, run_pinyin
from bot.knowledge.search.postings import Postings
from bot.knowledge.search.questions import QuestionUnits
from bot.knowledge.search.text import HAN_CHARS, SEPARATOR
from bot.knowledge.search.weights import FIELDS, IN_BODY, IN_HEAD, IN_SCRIPTS, K1

HAN_RUN = re.compile(f"[{HAN_CHARS}]+")


class Feature(NamedTuple):
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
class NoteData:
    """What scoring compares closely of one note."""

    note: Note
    head_strings: list[tuple[str, str]]  # (chars, pinyin) of title, questions, tags
    title_pinyin: str


class IndexTables:
    """The arrays of an index over ``notes``: posting lists, document frequencies, the notes' titles and
    questions as units, and what the fuzzy comparison needs of each note."""

    def __init__(self, notes: Sequence[Note], analyzer: Analyzer) -> None:
        self.notes = notes
        self.analyzer = analyzer
        n = self.n = len(notes)
        #: The Latin words of the notes, numbered while building (the number makes the feature code).
        self.word_ids: dict[str, int] = {}
        self.note_data: list[NoteData] = []
        self._question_units: list[QuestionUnits] = []
        size = 1 << CHUNK_BITS
        chunks = [self._build_chunk(first, self.notes[first : first + size]) for first in range(0, n, size)]
        self._index_postings(chunks)
        self.questions = QuestionUnits.concatenate(self._question_units, n)
        self.questions.weigh(self)
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
            head_field.extend([FIELD_HEAD] * len(texts) + [FIELD_TAGS] * len(note.tags))
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
        self._question_units.append(QuestionUnits.of(head_found, fields == FIELD_HEAD, owner + first))
        strings: list[list[tuple[str, str]]] = [[] for _ in notes]
        title_pinyin = [""] * len(notes)
        for k in reversed(range(len(head_texts))):
            chars, pinyin = head_strings[k]
            if head_field[k] == FIELD_HEAD:
                title_pinyin[head_owner[k]] = pinyin  # the first head text of a note is its title
            if chars or pinyin:
                strings[head_owner[k]].append((chars, pinyin))
        self.note_data.extend(
            NoteData(note, strings[i][::-1], title_pinyin[i]) for i, note in enumerate(notes)
        )

        # The bodies, then the reply scripts (pinyin without phrase readings).
        local = np.arange(len(notes), dtype=np.int64) << 2
        body_tags = np.concatenate([local | FIELD_BODY, local | FIELD_SCRIPTS])
        body_found = han_features(
            SEPARATOR.join(body_contents + script_contents), None, self.word_ids, body_tags
        )

        keys = np.sort(np.concatenate([head_found.keys, body_found.keys]))
        starts = run_starts(keys)  # runs of equal keys: a feature's frequency in one field of one note
        tf = np.diff(np.append(starts, len(keys)))
        keys = keys[starts]
        field = keys & 3
        local = (keys >> 2) & ((1 << CHUNK_BITS) - 1)
        # Field lengths for BM25F count the n-grams a query is scored on (not the skip bigrams).
        counted = tf * ((keys >> (KIND_SHIFT + TAG_BITS)) != CSKIP)
        lengths = np.bincount(field * len(notes) + local, weights=counted, minlength=4 * len(notes))
        is_pair = np.concatenate(([True], (keys[1:] >> 2) != (keys[:-1] >> 2))) if len(keys) else field
        pair = np.cumsum(is_pair) - 1
        tfs = np.zeros((4, int(pair[-1]) + 1 if len(pair) else 0), dtype=np.uint8)
        tfs[field, pair] = np.minimum(tf, 255)
        pair_codes = keys[is_pair] >> TAG_BITS
        code_starts = run_starts(pair_codes)
        return _Chunk(
            first=first,
            codes=pair_codes[code_starts],
            counts=np.diff(np.append(code_starts, len(pair_codes))).astype(np.int32),
            notes=local[is_pair].astype(np.uint16),
            tfs=tfs,
            lengths=lengths.reshape(4, len(notes)),
        )

    def word_code(self, word: str) -> int | None:
        wid = self.word_ids.get(word)
        return (WORD << KIND_SHIFT) | wid if wid is not None else None

    def _head_features(
        self, contents: list[str], tags: np.ndarray
    ) -> tuple[list[tuple[str, str]], TextFeatures]:
        """Each title's, question's and tag's (characters, pinyin) strings for the fuzzy comparison, and
        their features (with phrase-aware pinyin; ``tags``: each text's tag, see ``han_features``)."""
        joined = SEPARATOR.join(contents)
        pinyin = default_pinyin_table()[np.minimum(code_points(joined), HAN_LIMIT)]
        positions: list[int] = []
        readings: list[int] = []
        for match in HAN_RUN.finditer(joined):
            if (ids := run_pinyin(match.group())[1]) is not None:  # read otherwise than char by char
                positions.extend(range(match.start(), match.end()))
                readings.extend(ids)
        pinyin[np.asarray(positions, dtype=np.intp)] = readings
        memo: dict[str, tuple[str, str]] = {}
        strings = [memo.get(c) or memo.setdefault(c, head_strings(c)) for c in contents]
        self.analyzer.synonyms.block_homophone_ids(joined, pinyin)
        return strings, han_features(joined, pinyin, self.word_ids, tags, skips=True)

    def _index_postings(self, chunks: list[_Chunk]) -> None:
        """Posting lists of all (feature, note) pairs: BM25F weight, and where the note has the feature.

        Each chunk lists its pairs by feature code, then note; a counting sort by feature id puts them in
        place without sorting everything again.
        """
        n = self.n
        lengths = np.concatenate([c.lengths for c in chunks], axis=1) if chunks else np.zeros((4, 0))
        norms = []
        for f, (weight, b) in enumerate(FIELDS.values()):
            avg = max(1.0, float(lengths[f].mean())) if n else 1.0
            norms.append(weight / (1.0 - b + b * lengths[f] / avg))  # per note
        codes = np.sort(np.concatenate([c.codes for c in chunks])) if chunks else np.zeros(0, np.int64)
        self.codes = codes[run_starts(codes)]
        v = len(self.codes)
        df = np.zeros(v, dtype=np.int64)
        heads = np.zeros(v, dtype=np.int64)
        for chunk in chunks:
            chunk.fids = np.searchsorted(self.codes, chunk.codes)
            df[chunk.fids] += chunk.counts
            in_head = (chunk.tfs[FIELD_HEAD] | chunk.tfs[FIELD_TAGS]) > 0
            if len(in_head):
                heads[chunk.fids] += np.add.reduceat(in_head, offsets_of(chunk.counts)[:-1])
        self.df = df
        self.heads = heads
        self.max_idf = self.idf(0)
        postings = Postings(df, self.codes, n)
        for chunk in chunks:
            note = chunk.notes.astype(np.int64) + chunk.first
            pseudo = sum(chunk.tfs[f] * norms[f][note] for f in range(len(FIELDS)))
            tfs = chunk.tfs
            where = np.where(
                (tfs[FIELD_HEAD] | tfs[FIELD_TAGS]) > 0,
                IN_HEAD,
                np.where(tfs[FIELD_BODY] > 0, IN_BODY, IN_SCRIPTS),
            ).astype(np.int8)
            postings.fill(chunk.fids, chunk.counts, note, pseudo / (K1 + pseudo), where)
        postings.finish()
        self.postings = postings

    def notes_with(self, word: str) -> int:
        """About how many notes use a Chinese word of two or more characters: the fewest that have one of
        its character pairs (0: none has them all)."""
        pairs = [
            char_pair_code(a, b)
            for run in HAN_RUN.findall(self.analyzer.synonyms.apply(word))
            for a, b in itertools.pairwise(run)
        ]
        fids = self.fids(pairs)
        return min((int(self.df[f]) if f >= 0 else 0 for f in fids), default=0)

    def idf(self, df: int | np.ndarray) -> float:
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def fids(self, codes: Sequence[int | None]) -> list[int]:
        """Feature ids of these codes (-1 where the notes do not have the feature)."""
        known = [c if c is not None else -1 for c in codes]
        if not known or not len(self.codes):
            return [-1] * len(known)
        array = np.asarray(known, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.codes, array), len(self.codes) - 1)
        return np.where(self.codes[pos] == array, pos, -1).tolist()

    def lookup(self, codes: Sequence[int | None]) -> list[Feature]:
        """What the index knows of each feature code (all at once: one numpy call per field)."""
        fids = np.asarray(self.fids(codes), dtype=np.int64)
        known = np.maximum(fids, 0)
        df = np.where(fids >= 0, self.df[known], 0) if len(self.df) else np.zeros(len(fids))
        idf = np.log(1.0 + (self.n - df + 0.5) / (df + 0.5))
        rows = np.where(fids >= 0, self.postings.row[known], -1) if len(self.df) else fids
        starts = self.postings.offsets[known] if len(self.df) else fids
        ends = self.postings.offsets[known + 1] if len(self.df) else fids
        heads = np.where(fids >= 0, self.heads[known], 0) if len(self.df) else fids
        columns = (fids, idf, rows, np.where(fids >= 0, starts, 0), np.where(fids >= 0, ends, 0), heads)
        return [Feature(*values) for values in zip(*(c.tolist() for c in columns), strict=True)]
