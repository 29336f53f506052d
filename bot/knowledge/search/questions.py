"""Reverse coverage: how much of one of a note's titles or questions the query restates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.knowledge.search.features import (
    CBI,
    CUNI,
    KIND_SHIFT,
    PBI,
    PUNI,
    WORD,
    TextFeatures,
    isin_sorted,
    offsets_of,
    run_starts,
)
from bot.knowledge.search.weights import STOP_CHARS, STOP_WEIGHT

if TYPE_CHECKING:
    from bot.knowledge.search.building import IndexTables

_STOP_CODES = np.array(sorted(ord(c) for c in STOP_CHARS), dtype=np.int64)


@dataclass
class QuestionUnits:
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
    def of(cls, found: TextFeatures, is_question: np.ndarray, owner: np.ndarray) -> QuestionUnits:
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
    def concatenate(cls, parts: list[QuestionUnits], n: int) -> QuestionUnits:
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
        joined.offsets = offsets_of(np.bincount(joined.notes, minlength=n))
        return joined

    def weigh(self, tables: IndexTables) -> None:
        """Each unit's weight: the rarity of its character (or word) across the notes, as for queries."""
        is_word = (self.codes >> KIND_SHIFT) == WORD
        lookup = np.where(is_word, self.codes, (CUNI << KIND_SHIFT) | self.codes)
        fids = np.asarray(tables.fids(lookup.tolist()), dtype=np.int64)
        df = np.where(fids >= 0, tables.df[np.maximum(fids, 0)], 0)
        weights = np.log(1.0 + (tables.n - df + 0.5) / (df + 0.5)) / tables.max_idf
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
        units = np.repeat(starts - offsets_of(lengths)[:-1], lengths) + np.arange(int(lengths.sum()))
        if not len(units):
            return {}
        codes, pinyin, runs = self.codes[units], self.pinyin[units].astype(np.int64), self.runs[units]
        is_word = (codes >> KIND_SHIFT) == WORD
        pair = runs[1:] == runs[:-1]  # unit k-1 and unit k are neighbours
        left, right = codes[:-1], codes[1:]
        bigrams = np.where(pair, (CBI << KIND_SHIFT) | (left << 18) | right, -1)
        py_pair = pair & (pinyin[:-1] >= 0) & (pinyin[1:] >= 0)
        py_bigrams = np.where(py_pair, (PBI << KIND_SHIFT) | (pinyin[:-1] << 12) | pinyin[1:], -1)
        pair_found = isin_sorted(bigrams, query) | isin_sorted(py_bigrams, query)
        found = np.zeros(len(units), dtype=bool)
        found[:-1] |= pair_found
        found[1:] |= pair_found
        alone = ~np.concatenate(([False], pair)) & ~np.concatenate((pair, [False]))
        singles = np.where(is_word, codes, (CUNI << KIND_SHIFT) | codes)
        py_singles = np.where(pinyin >= 0, (PUNI << KIND_SHIFT) | pinyin, -1)
        found |= alone & (isin_sorted(singles, query) | (~is_word & isin_sorted(py_singles, query)))
        texts = self.texts[units]  # ascending: the notes' ranges are in note order
        firsts = run_starts(texts)
        is_first = np.zeros(len(texts), dtype=bool)
        is_first[firsts] = True
        text_index = np.cumsum(is_first) - 1
        weights = self.weights[units]
        total = np.bincount(text_index, weights=weights, minlength=len(firsts))
        covered = np.bincount(text_index, weights=weights * found, minlength=len(firsts))
        share = covered / np.maximum(total, 1e-9)
        note_of_text = self.notes[units][firsts]  # ascending
        note_starts = run_starts(note_of_text)
        best = np.maximum.reduceat(share, note_starts)
        return dict(zip(note_of_text[note_starts].tolist(), best.tolist(), strict=True))
