"""Analysis: a text cut into units of meaning, the same way for the notes and for questions.

The pipeline (:meth:`Analyzer.analyze`):

1. :func:`~bot.knowledge.search.text.normalize` — Unicode NFKC (full-width letters, digits and punctuation
   fold to ASCII), lower case, Traditional → Simplified (OpenCC ``t2s``); emoji and punctuation become spaces.
2. :func:`mark_latin_words` — English words are lightly stemmed (*delayed* → *delay*); words that spell
   pinyin (``tuihuo``) are marked as typed pinyin, unless more of the message's words can only be English;
   in a question, English words the notes never use become the notes' Chinese words for them
   (:mod:`~bot.knowledge.search.english`: *warranty* → 保修).
3. :class:`~bot.knowledge.search.synonyms.SynonymMap` — each synonym becomes its canonical term, longest
   match first (also when typed in pinyin: ``kehu`` → 顾客).
4. :func:`~bot.knowledge.search.fillers.strip_fillers` — particles, politeness and question words (吗 呢 请问
   怎么办 能不能 …, and their typed-pinyin forms such as ``zenme ban``) go; meaning words stay.
5. *Units*: a Han character with its toneless pinyin, a typed pinyin syllable (``tuihuo`` → ``tui``
   ``huo``, split against the valid syllables), or another word (``qa``, ``sku``). Homophone slips
   (推货/退货, 退宽/退款) and typed pinyin meet in the pinyin space.
6. :func:`features` — character unigrams and bigrams (``c:``), pinyin unigrams and bigrams (``p:``) and
   words (``w:``) for the lexical ranker.

The notes go through the same steps in bulk (:meth:`Analyzer.note_contents`: thousands of texts joined into
one string, with the same result as one by one).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.knowledge.search.english import EnglishReader, glossary
from bot.knowledge.search.fillers import (
    PINYIN_PARTICLES,
    blank_fillers,
    filler_pinyin,
    strip_address,
    strip_fillers,
)
from bot.knowledge.search.pinyin import han_pinyin, pinyin_syllables, split_pinyin
from bot.knowledge.search.synonyms import SynonymMap
from bot.knowledge.search.text import (
    ENGLISH_STOPWORDS,
    HAN_CHARS,
    LATIN_WORD,
    RUNS,
    SEPARATOR_CHAR,
    collapse_spaces,
    is_han,
    normalize,
    normalize_joined,
    stem,
)


class Unit(NamedTuple):
    """One unit of meaning: a Han character, a typed pinyin syllable, or another word."""

    char: str | None = None
    py: str | None = None
    word: str | None = None


@dataclass
class Analysis:
    """An analysed text: ``text`` canonicalised, ``content`` without fillers, ``segments`` runs of
    adjacent units (bigrams stay inside a run)."""

    text: str
    content: str
    segments: list[list[Unit]] = field(default_factory=list)

    @property
    def units(self) -> list[Unit]:
        return [u for seg in self.segments for u in seg]

    @property
    def chars(self) -> str:
        """Han characters and words, without spaces between Han characters (for fuzzy comparison)."""
        out: list[str] = []
        for seg in self.segments:
            for unit in seg:
                if unit.char:
                    out.append(unit.char)
                elif unit.word:
                    out.append(f" {unit.word} ")
        return " ".join("".join(out).split())

    @property
    def pinyin(self) -> str:
        """Pinyin of every unit, words kept as they are, joined without spaces."""
        return "".join(u.py or u.word or "" for seg in self.segments for u in seg)


def mark_latin_words(
    text: str, english: frozenset[str] = frozenset(), reader: EnglishReader | None = None
) -> str:
    """Stem the English words of a normalised text and write typed pinyin in CAPITALS.

    A word that spells pinyin (``tuihuo``) is typed pinyin unless it is known English (``english``:
    stems of the words the notes and synonyms use) or more of the text's words can only be English (*how
    long is the warranty*). A word that is both (``ban``, ``damage``) follows its neighbours: pinyin next to
    unambiguous pinyin (``tuihuo zenme ban``), English otherwise (``item damage``). Capitals keep typed
    pinyin away from English synonyms and stopwords.

    With a ``reader``, English phrases the notes never use are replaced by the notes' Chinese words for
    them (*warranty* → 保修, see :mod:`~bot.knowledge.search.english`).
    """
    parts = _LATIN_SPLIT.split(text)
    if len(parts) == 1:
        return text
    words = parts[1::2]
    kinds: dict[str, str] = {}
    for word in words:
        if word in kinds:
            continue
        if split_pinyin(word) is None:
            kinds[word] = "english"
        elif word in ENGLISH_STOPWORDS or word in english or stem(word) in english:
            kinds[word] = "both"
        else:
            kinds[word] = "pinyin"
    pinyin_context = "pinyin" in kinds.values() and "english" not in kinds.values()
    if not pinyin_context:
        # Where more of the words can only be English (how long is the warranty), a word that spells pinyin
        # too is English.
        counted = Counter(kinds[word] for word in words)
        if counted["english"] > counted["pinyin"]:
            kinds = {word: "both" if kind == "pinyin" else kind for word, kind in kinds.items()}
    typed = [kinds[word] == "pinyin" or (pinyin_context and kinds[word] == "both") for word in words]
    parts[1::2] = [word.upper() if pinyin else stem(word) for word, pinyin in zip(words, typed, strict=True)]
    if reader is not None and not pinyin_context:
        unknown = [
            not pinyin and word not in english and stem(word) not in english
            for word, pinyin in zip(words, typed, strict=True)
        ]
        _read_english(parts, words, unknown, reader)
    return "".join(parts)


def _read_english(parts: list[str], words: list[str], unknown: list[bool], reader: EnglishReader) -> None:
    """Replace, in ``parts`` (text, word, text, word, ...: the ``words`` as marked), the phrases of unknown
    English words that ``reader`` reads as the notes' Chinese words. A phrase's words are next to each
    other, one space apart."""
    k = 0
    while k < len(words):
        if not unknown[k]:
            k += 1
            continue
        end = k + 1
        while end < len(words) and unknown[end] and parts[2 * end] == " ":
            end += 1
        for start, stop, chinese in reader.spans(words[k:end]):
            first = 2 * (k + start) + 1
            parts[first] = chinese
            parts[first + 1 : 2 * (k + stop)] = [""] * (2 * (k + stop) - first - 1)
        k = end


_LATIN_SPLIT = re.compile("([a-z]+)")


_NONES = itertools.repeat(None)


class Analyzer:
    """Turns notes and queries into units and features, with the same synonyms for both."""

    def __init__(self, synonyms: Iterable[Sequence[str]] = (), known_words: Iterable[str] = ()) -> None:
        self.synonyms = SynonymMap(synonyms)
        # Stems of the Latin words the notes and synonyms use: English, never re-read as typed pinyin.
        self.known_words = frozenset(known_words) | self.synonyms.english
        #: Reads English the notes never use as their Chinese words (set once the notes are indexed).
        self.english: EnglishReader | None = None
        self._canonical: dict[str, str] = {}

    def prepare(self) -> None:
        """Build the tables for typed pinyin and read the English dictionary now (once per process), so that
        the first query typed in pinyin or in English is not slower."""
        pinyin_syllables()
        filler_pinyin()
        if self.english is not None:
            glossary()

    def learn_vocabulary(self, texts: Iterable[str]) -> None:
        """Take the notes' Latin words as ``known_words`` (remembering the canonical texts for reuse)."""
        texts = list(texts)
        words = {stem(w) for text in texts for w in LATIN_WORD.findall(normalize(text))}
        self.known_words = self.known_words | words
        self._canonical = {text: self.canonical_text(text) for text in texts}

    def forget_texts(self) -> None:
        """Drop the canonical texts remembered by :meth:`learn_vocabulary`."""
        self._canonical = {}

    def canonical_text(self, text: str) -> str:
        """Normalised, English-stemmed, with synonyms replaced by their canonical term (fillers kept)."""
        return self.synonyms.apply(
            mark_latin_words(strip_address(normalize(text)), self.known_words, self.english)
        )

    def note_contents(self, texts: Sequence[str]) -> list[str]:
        """``strip_fillers(canonical_text(t))`` of many note texts at once, after taking their Latin words
        as known words (as :meth:`learn_vocabulary` does).

        The texts go through each step joined into one string, which is much faster than one by one for
        thousands of notes; the result is the same.
        """
        text = strip_address(normalize_joined(texts))
        parts = _LATIN_SPLIT.split(text)
        if len(parts) > 1:
            stems = {word: stem(word) for word in set(parts[1::2])}
            self.known_words = self.known_words | set(stems.values())
            # As every word of the notes is now a known word, none is typed pinyin: mark_latin_words
            # would only stem them.
            parts[1::2] = [stems[word] for word in parts[1::2]]
            text = "".join(parts)
        text = collapse_spaces(blank_fillers(self.synonyms.apply(text)))
        return [part.strip() for part in text.split(SEPARATOR_CHAR)]

    def analyze(self, text: str, *, strip: bool = True) -> Analysis:
        """Normalise, canonicalise synonyms, strip fillers (when ``strip``) and cut into units."""
        normal = self._canonical.get(text) or self.canonical_text(text)
        content = strip_fillers(normal) if strip else normal
        segments: list[list[Unit]] = []
        typed: list[Unit] = []  # consecutive typed-pinyin words form one segment

        def flush_typed() -> None:
            if not typed:
                return
            for piece in self.synonyms.apply_pinyin([u.py or "" for u in typed]):
                if isinstance(piece, str):  # a synonym spelt in pinyin: use the canonical term
                    segments.extend(self._plain_units(piece))
                else:
                    units = [Unit(py=s) for s in piece]
                    segments.extend(_drop_pinyin_fillers(units) if strip else [units])
            typed.clear()

        for run in RUNS.findall(content):
            if is_han(run[0]):
                flush_typed()
                segments.append(list(map(Unit._make, zip(run, han_pinyin(run), _NONES, strict=False))))
                continue
            syllables = split_pinyin(run.lower()) if run.isupper() else None
            if syllables and not (strip and len(syllables) == 1 and run.lower() in PINYIN_PARTICLES):
                typed.extend(Unit(py=s) for s in syllables)
                continue
            flush_typed()
            if syllables:  # a lone typed particle
                continue
            segments.append([Unit(word=run)])
        flush_typed()
        return Analysis(text=normal, content=content, segments=[s for s in segments if s])

    def features_of(self, text: str) -> Counter[str]:
        """``features(self.analyze(text))``, several times faster (no units are built) for texts without
        typed pinyin, such as the notes' bodies."""
        feats: list[str] = []
        for run in RUNS.findall(strip_fillers(self._canonical.get(text) or self.canonical_text(text))):
            if not is_han(run[0]):
                if run.isupper():
                    return features(self.analyze(text))  # typed pinyin: take the full path
                feats.append("w:" + run)
                continue
            pys = han_pinyin(run)
            feats.extend(["c:" + c for c in run])
            feats.extend(["p:" + p for p in pys if p])
            feats.extend(["c:" + run[i : i + 2] for i in range(len(run) - 1)])
            feats.extend(["p:" + a + "_" + b for a, b in itertools.pairwise(pys) if a and b])
        return Counter(feats)

    @staticmethod
    def _plain_units(text: str) -> list[list[Unit]]:
        """Units of an already canonical term (no synonyms, no fillers, no typed pinyin)."""
        segments: list[list[Unit]] = []
        for run in RUNS.findall(text):
            if is_han(run[0]):
                segments.append(list(map(Unit._make, zip(run, han_pinyin(run), _NONES, strict=False))))
            else:
                segments.append([Unit(word=run)])
        return segments


_SPACE_BY_HAN = re.compile(f"(?<=[{HAN_CHARS}]) | (?=[{HAN_CHARS}])")


def normalize_query(text: str) -> str:
    """The form two phrasings of a question share when they differ only in width, case, script,
    punctuation, emoji, spacing, a form of address, greetings, particles or question words.

    >>> normalize_query("亲，請問退貨流程是什麼呀？")
    '退货流程是'

    Independent of any index (no synonyms): the same text gives the same result in every process.
    """
    return _SPACE_BY_HAN.sub("", strip_fillers(strip_address(normalize(text))))


def _drop_pinyin_fillers(units: list[Unit]) -> list[list[Unit]]:
    """Remove typed-pinyin filler phrases (``zenme ban``, ``qingwen``); split the run where they were."""
    pys = [u.py for u in units]
    out: list[list[Unit]] = [[]]
    i = 0
    while i < len(units):
        for seq in filler_pinyin():
            if tuple(pys[i : i + len(seq)]) == seq:
                i += len(seq)
                out.append([])
                break
        else:
            out[-1].append(units[i])
            i += 1
    return [seg for seg in out if seg]


def features(analysis: Analysis) -> Counter[str]:
    """Lexical features: Han char uni/bigrams ``c:``, pinyin uni/bigrams ``p:``, words ``w:``."""
    feats: list[str] = []
    for seg in analysis.segments:
        if len(seg) == 1 and seg[0].word:
            feats.append("w:" + seg[0].word)
            continue
        chars = [u.char for u in seg]
        pys = [u.py for u in seg]
        feats.extend(["c:" + c for c in chars if c])
        feats.extend(["p:" + p for p in pys if p])
        feats.extend(["c:" + a + b for a, b in itertools.pairwise(chars) if a and b])
        feats.extend(["p:" + a + "_" + b for a, b in itertools.pairwise(pys) if a and b])
        feats.extend(["w:" + u.word for u in seg if u.word])
    return Counter(feats)
