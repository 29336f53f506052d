"""The knowledge index: build it once from the notes, then search it many times.

:class:`KnowledgeIndex` is the face of the search: building (:mod:`~bot.knowledge.search.building`),
scoring (:mod:`~bot.knowledge.search.scoring`) and the decision (:mod:`~bot.knowledge.search.decision`)
are behind it. The best note is the answer when its confidence reaches ``answer_threshold`` and leads the
runner-up by ``min_margin``; otherwise up to three notes above ``suggest_threshold`` are offered ("did you
mean"); below that the bot says it does not know. Thresholds were chosen with ``bench/kb_eval.py --sweep``;
``bench/kb_speed.py`` measures building and searching up to 10,000 notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from bot.knowledge.notes import Note
from bot.knowledge.search import scoring
from bot.knowledge.search.analysis import Analyzer
from bot.knowledge.search.building import IndexTables
from bot.knowledge.search.decision import (
    DEFAULT_ANSWER_THRESHOLD,
    DEFAULT_MIN_MARGIN,
    DEFAULT_SUGGEST_THRESHOLD,
    Audience,
    Match,
    SearchResult,
    decide,
)

MAX_QUERY_CHARS = 200


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
        # Latin words the notes use are words, not typed pinyin (learnt while building).
        self.analyzer = Analyzer(synonyms)
        self._tables = IndexTables(self.notes, self.analyzer, lexical=lexical)
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

    def search(self, query: str, *, audience: Audience = "staff", limit: int = 5) -> SearchResult:
        """Find the note answering ``query``; ``public`` audience sees only public notes."""
        query = query.strip()
        text = query[:MAX_QUERY_CHARS]
        if not self.notes:
            return SearchResult(query, None, [], "unknown")
        allowed = self._public if audience == "public" else None
        best = scoring.rank(self._tables, self.analyzer, text, allowed)
        scored = [Match(self.notes[i], round(100.0 * min(1.0, float(c)), 2)) for i, c in best.items()]
        scored.sort(key=lambda m: -m.score)
        return decide(
            query,
            scored,
            limit=limit,
            answer_threshold=self.answer_threshold,
            suggest_threshold=self.suggest_threshold,
            min_margin=self.min_margin,
        )
