"""Synonyms (``synonyms.yaml``): each term becomes the canonical term of its group, also in typed pinyin."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.knowledge.search.pinyin import SYLLABLE_NAMES, han_pinyin, syllable_id
from bot.knowledge.search.text import LATIN_WORD, Replacer, is_ascii_alnum, is_han, normalize, stem

if TYPE_CHECKING:
    from bot.knowledge.search.analysis import Unit


class SynonymMap:
    """Replace each synonym by its canonical term (the first of its group), longest match first.

    Typed pinyin is canonicalised too: a run of typed syllables spelling a synonym (``kehu`` for 客户)
    becomes the canonical term's characters (顾客).
    """

    def __init__(self, groups: Iterable[Sequence[str]] = ()) -> None:
        self.mapping: dict[str, str] = {}
        self.english: set[str] = set()  # stems of the Latin words of all terms
        self.pinyin_mapping: dict[tuple[str, ...], str] = {}
        for group in groups:
            terms = [LATIN_WORD.sub(lambda m: stem(m.group(0)), normalize(t)) for t in group]
            terms = [t for t in terms if t]
            self.english.update(w for t in terms for w in LATIN_WORD.findall(t))
            if len(terms) < 2:
                continue
            canonical = terms[0]
            for term in terms[1:]:
                if term != canonical:
                    self.mapping.setdefault(term, canonical)
            for term in terms:
                if len(term) >= 2 and all(is_han(c) for c in term):
                    syllables = han_pinyin(term)
                    if all(syllables):
                        self.pinyin_mapping.setdefault(syllables, canonical)  # type: ignore[arg-type]
        # Keep an ASCII canonical from gluing onto neighbouring letters.
        self._replace = Replacer(
            {t: (f" {c} " if is_ascii_alnum(c[0]) else c) for t, c in self.mapping.items()}
        )
        self._pinyin_lengths = sorted({len(k) for k in self.pinyin_mapping})
        self._hashes: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        self._hashes_for = -1  # size of pinyin_mapping when the hashes were made
        self._max_syllables = max(self._pinyin_lengths, default=0)

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def block_homophones(self, segments: Iterable[Sequence[Unit]]) -> None:
        """Stop reading typed pinyin as a synonym where the notes use another word spelt the same.

        ``tuijian`` must stay 推荐 (recommend) when a note asks 尺码怎么推荐, although 退件 (a synonym of
        退货) sounds the same. ``segments`` are runs of analysed units of the notes' titles, questions, tags.
        """
        self.block_homophone_runs(
            ("".join(u.char or "\0" for u in seg), [u.py for u in seg]) for seg in segments
        )

    def block_homophone_runs(self, runs: Iterable[tuple[str, Sequence[str | None]]]) -> None:
        """:meth:`block_homophones` for runs of Han characters given as (characters, their pinyin)."""
        if not self.pinyin_mapping:
            return
        lengths = self._pinyin_lengths
        first = {key[0] for key in self.pinyin_mapping}
        for chars, pys in runs:
            for i, py in enumerate(pys):
                if py not in first:
                    continue
                for n in lengths:
                    key = tuple(pys[i : i + n])
                    if len(key) < n:
                        break
                    canonical = self.pinyin_mapping.get(key)  # type: ignore[arg-type]
                    if canonical is not None and canonical != chars[i : i + n]:
                        del self.pinyin_mapping[key]  # type: ignore[arg-type]
                        first = {key[0] for key in self.pinyin_mapping}

    def block_homophone_ids(self, text: str, pinyin: np.ndarray) -> None:
        """:meth:`block_homophones` for many texts joined into one string, given the syllable id of each
        of its characters (-1 where none: spaces, words), checking all windows at once."""
        if not self.pinyin_mapping or not len(pinyin):
            return
        valid = np.concatenate(([0], np.cumsum(pinyin < 0)))  # count of characters without pinyin
        chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        for n, (wanted, canonicals) in self._key_hashes().items():
            if n > len(pinyin):
                break
            if canonicals is None:  # keys too long for the window hash: rare, go the slow way
                self.block_homophone_runs([(text, [SYLLABLE_NAMES.get(i) for i in pinyin.tolist()])])
                continue
            windows = len(pinyin) - n + 1
            hashes = np.zeros(windows, dtype=np.int64)
            for j in range(n):
                hashes = (hashes << 12) | np.maximum(pinyin[j : j + windows], 0)
            where = np.minimum(np.searchsorted(wanted, hashes), len(wanted) - 1)
            hits = np.flatnonzero((wanted[where] == hashes) & (valid[n : n + windows] == valid[:windows]))
            # A window spelt otherwise than the key's canonical term blocks the key.
            spelt = chars[hits[:, None] + np.arange(n)]
            other = (spelt != canonicals[where[hits]]).any(axis=1)
            for i in sorted(set(hits[other].tolist())):
                key = tuple(SYLLABLE_NAMES[int(x)] for x in pinyin[i : i + n])
                canonical = self.pinyin_mapping.get(key)
                if canonical is not None and canonical != text[i : i + n]:
                    del self.pinyin_mapping[key]

    def _key_hashes(self) -> dict[int, tuple[np.ndarray, np.ndarray | None]]:
        """The typed-pinyin keys by length: each as a number (12 bits a syllable), sorted, and the code
        points of its canonical term (all -1 where the term has another length, so that no window spells
        it; None: keys too long to number)."""
        if self._hashes_for != len(self.pinyin_mapping):
            by_length: dict[int, list[tuple[int, str]]] = {}
            for key, canonical in self.pinyin_mapping.items():
                value = 0
                for syllable in key:
                    value = (value << 12) | syllable_id(syllable)
                by_length.setdefault(len(key), []).append((value, canonical))
            self._hashes = {}
            for n, pairs in sorted(by_length.items()):
                pairs.sort()
                hashes = np.array([h for h, _ in pairs], dtype=np.int64)
                canonicals = np.array(
                    [[ord(c) for c in term] if len(term) == n else [-1] * n for _, term in pairs],
                    dtype=np.int64,
                )
                self._hashes[n] = (hashes, canonicals if n <= 5 else None)
            self._hashes_for = len(self.pinyin_mapping)
        return self._hashes

    def apply(self, text: str) -> str:
        """Canonicalise a :func:`normalize`-d text."""
        return self._replace(text)

    def apply_pinyin(self, syllables: Sequence[str]) -> list[str | tuple[str, ...]]:
        """Split typed syllables into canonical terms (str) and runs left as they are (tuples)."""
        out: list[str | tuple[str, ...]] = []
        rest: list[str] = []
        i, n = 0, len(syllables)
        while i < n:
            for length in range(min(self._max_syllables, n - i), 1, -1):
                canonical = self.pinyin_mapping.get(tuple(syllables[i : i + length]))
                if canonical is not None:
                    if rest:
                        out.append(tuple(rest))
                        rest = []
                    out.append(canonical)
                    i += length
                    break
            else:
                rest.append(syllables[i])
                i += 1
        if rest:
            out.append(tuple(rest))
        return out
