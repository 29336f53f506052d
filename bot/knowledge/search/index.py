"""The knowledge index: build it once from the notes, then search it many times.

:class:`KnowledgeIndex` is the face of the search: building (:mod:`~bot.knowledge.search.building`),
scoring (:mod:`~bot.knowledge.search.scoring`), the calibrated probabilities
(:mod:`~bot.knowledge.search.calibration`) and the decision (:mod:`~bot.knowledge.search.decision`) are
behind it. Each candidate's score is the estimated probability, in percent, that it is the note the question
is about. The best note is the answer when its probability reaches ``answer_threshold`` and leads the
runner-up's by ``min_margin``; otherwise up to three notes that together reach ``suggest_threshold``
are offered ("did you mean", see :func:`~bot.knowledge.search.decision.suggested`); below that the bot
says it does not know. The defaults are fitted by ``bench/kb_fit.py``
(cross-validation over notes); ``bench/kb_speed.py`` measures building and searching up to 50,000 notes.

With a semantic channel (:mod:`~bot.knowledge.search.semantic`, the optional ``semantic`` extra) the notes
closest in meaning are candidates too, and the probabilities come from the calibration fitted with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from bot.knowledge.notes import Note
from bot.knowledge.search import calibration, lexicon, scoring, semantic
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
from bot.knowledge.search.english import EnglishReader
from bot.knowledge.search.pinyin import split_pinyin
from bot.knowledge.search.text import RUNS, is_han

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
        semantic_channel: semantic.SemanticChannel | None = None,
    ) -> None:
        self.notes: list[Note] = list(notes)
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.min_margin = min_margin
        self._by_id = {n.id: n for n in self.notes}
        self._public = np.array([n.audience == "public" for n in self.notes], dtype=bool)
        # The workplace's synonyms and the trade's lexicon; Latin words the notes use are words, not typed
        # pinyin (learnt while building).
        self.analyzer = Analyzer(lexicon.with_lexicon(synonyms))
        self._tables = IndexTables(self.notes, self.analyzer)
        self.analyzer.english = EnglishReader(self._tables.notes_with)
        self.analyzer.prepare()
        self.semantic = semantic_channel.index(self.notes) if semantic_channel is not None else None
        # With the semantic channel, the calibration fitted with it (until one is fitted, the lexical one).
        fused = calibration.fitted(semantic=True) if self.semantic is not None else None
        lexical = calibration.fitted()
        assert lexical is not None, "bench/kb_fit.py always fits the lexical calibration"
        self.lexical_calibration = lexical
        self.calibration: calibration.Calibration = fused or lexical

    @classmethod
    def build(
        cls,
        notes: Sequence[Note],
        synonyms: Iterable[Sequence[str]] = (),
        **options: float | semantic.SemanticChannel | None,
    ) -> KnowledgeIndex:
        """Build the index (see the constructor for the options)."""
        return cls(notes, synonyms, **options)  # type: ignore[arg-type]

    def get(self, note_id: str) -> Note | None:
        """The note with this id, if any."""
        return self._by_id.get(note_id)

    def signals(
        self, query: str, *, audience: Audience = "staff"
    ) -> tuple[list[Note], dict[str, np.ndarray]]:
        """The candidate notes for ``query`` that this audience may see, and the features the calibration
        may use, one value per candidate (see :func:`~bot.knowledge.search.calibration.signals`)."""
        text = query.strip()[:MAX_QUERY_CHARS]
        allowed = self._public if audience == "public" else None
        if self.semantic is None:
            ranking = scoring.rank(self._tables, self.analyzer, text, allowed)
            similarity = None
        else:
            similarities = self.semantic.similarities(text)
            closest = similarities if allowed is None else np.where(allowed, similarities, -2.0)
            order = np.argsort(-closest, kind="stable")[: semantic.CANDIDATES].tolist()
            extra = [i for i in order if closest[i] > -2]
            ranking = scoring.rank(self._tables, self.analyzer, text, allowed, extra)
            similarity = [float(similarities[c.note]) for c in ranking.candidates]
        # The features compare each candidate with all the others, and with the others this audience may
        # see; the audience sees only its own.
        shown = np.array([allowed is None or bool(allowed[c.note]) for c in ranking.candidates], dtype=bool)
        columns = calibration.signals(ranking, similarity, shown)
        notes = [self.notes[c.note] for c, show in zip(ranking.candidates, shown, strict=True) if show]
        return notes, {name: values[shown] for name, values in columns.items()}

    def readable(self, query: str) -> bool:
        """Whether the semantic model can read ``query``: not when most of it is typed pinyin (tuihuo zenme
        ban), which the embedding model never learnt; such a question is judged by the lexical model, whose
        pinyin channel reads it."""
        typed = total = 0
        for run in RUNS.findall(self.analyzer.canonical_text(query.strip()[:MAX_QUERY_CHARS])):
            if is_han(run[0]):
                total += len(run)
                continue
            syllables = split_pinyin(run.lower()) if run.isupper() else None  # typed pinyin is in CAPITALS
            total += len(syllables) if syllables else 1
            typed += len(syllables) if syllables else 0
        return typed * 2 < total

    def search(self, query: str, *, audience: Audience = "staff", limit: int = 5) -> SearchResult:
        """Find the note answering ``query``; ``public`` audience sees only public notes."""
        query = query.strip()
        if not self.notes:
            return SearchResult(query, None, [], "unknown")
        notes, columns = self.signals(query, audience=audience)
        model = (
            self.calibration if self.semantic is None or self.readable(query) else self.lexical_calibration
        )
        probabilities = model.probabilities(columns)
        order = np.lexsort((-columns["confidence"], -probabilities)).tolist()
        scored = [Match(notes[k], round(100.0 * float(probabilities[k]), 2)) for k in order]
        return decide(
            query,
            scored,
            limit=limit,
            answer_threshold=self.answer_threshold,
            suggest_threshold=self.suggest_threshold,
            min_margin=self.min_margin,
        )
