"""Posting lists: for each feature, the notes that have it, their BM25F weights and where they have it."""

from __future__ import annotations

import numpy as np

from bot.knowledge.search.features import CBI, CSKIP, CUNI, KIND_SHIFT, PBI, PUNI, WORD, offsets_of
from bot.knowledge.search.weights import CREDIT_CODES

_DENSE_SHARE = 8  # a feature in 1/8 of the notes or more is kept as a dense row ...
_DENSE_MIN_NOTES = 512  # ... in an index of this many notes or more


class Postings:
    """Feature id -> the notes that have it, their BM25F weights, and where in them (``IN_HEAD``, ``IN_BODY``
    or only ``IN_SCRIPTS``).

    A feature found in an eighth of the notes or more is kept as dense rows over all notes: its BM25F
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
        kinds = {CUNI: ("cuni", "cuni1"), CBI: ("cbi", "cbi"), PUNI: ("puni", "puni1")}
        kinds |= {PBI: ("pbi", "pbi"), WORD: ("word", "word"), CSKIP: ("cbi", "cbi")}
        table = np.zeros((2, 8, 4), dtype=np.uint8)
        for feature_kind, names in kinds.items():
            for variant, name in enumerate(names):
                table[variant, feature_kind] = CREDIT_CODES[name]
        self._row_tables = table[:, codes[dense] >> KIND_SHIFT]  # (2, rows, 4)
        self.offsets = offsets_of(np.where(dense, 0, df))
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
        positions = np.repeat(self._cursor[fids] - offsets_of(counts)[:-1], counts) + np.arange(len(notes))
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
