"""Normalising text typed in a hurry on a phone, the same way for notes and for questions.

:func:`normalize` folds width, case and script (NFKC, lower case, Traditional → Simplified) and turns emoji
and punctuation into spaces; :func:`normalize_many` does the same for thousands of texts at once.
:func:`stem` lightly stems English words; :class:`Replacer` replaces literal terms, longest match first
(synonyms and fillers are built on it).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import opencc

HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0002ffff"
_HAN = re.compile(f"[{HAN_CHARS}]")
RUNS = re.compile(f"[{HAN_CHARS}]+|[a-z]+|[A-Z]+|[0-9]+|[^\\W\\d_a-zA-Z{HAN_CHARS}]+")
_NON_WORD = re.compile(r"[\W_]+")
LATIN_WORD = re.compile(r"[a-z]+")

# English words that carry no topic: dropped like fillers, never read as typed pinyin.
ENGLISH_STOPWORDS = frozenset(
    {
        "a", "an", "the", "i", "me", "my", "we", "our", "us", "you", "your", "he", "she", "it", "its", "they",
        "them", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "how", "what", "whats",
        "when", "where", "why", "which", "who", "whom", "can", "could", "should", "would", "will", "shall",
        "may", "might", "must", "to", "of", "for", "in", "on", "at", "by", "with", "about", "from", "as",
        "into", "and", "or", "but", "if", "then", "so", "than", "this", "that", "these", "those", "there",
        "here", "please", "pls", "plz", "hi", "hello", "hey", "thanks", "thank", "help", "need", "want",
        "wants", "get", "got", "just", "also", "have", "has", "had", "any", "some",
    }
)  # fmt: skip


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC ``t2s``)."""
    return _converter().convert(text)


def normalize(text: str) -> str:
    """NFKC, lower case, Simplified Chinese; emoji and punctuation become single spaces."""
    if len(text) < _LONG_TEXT:
        text = to_simplified(unicodedata.normalize("NFKC", text).lower())
        return _NON_WORD.sub(" ", text).strip()
    # A long text (a note's body): NFKC only where it changes a letter or digit (punctuation becomes a
    # space anyway), then blank all punctuation runs at once.
    return _blank_non_words(to_simplified(_nfkc(text).lower()))


def _blank_non_words(text: str, keep: str = "") -> str:
    """``text`` with every character but letters, digits (and ``keep``) replaced by a space, and runs of
    spaces by one (none at either end): ``" ".join(...split())``."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).copy()
    word = _word_table()[np.minimum(codes, _ASTRAL)]
    for char in keep:
        word[codes == ord(char)] = True
    astral = np.flatnonzero(codes > _ASTRAL)
    if len(astral):
        word[astral] = [is_word_char(chr(c)) for c in codes[astral].tolist()]
    codes[~word] = 32
    return _single_spaces(codes)


def _single_spaces(codes: np.ndarray) -> str:
    """The text of these code points with runs of spaces made one space, and none at either end."""
    space = codes == 32
    keep = ~space
    keep[1:] |= ~space[:-1]  # a space right after a non-space stays
    codes = codes[keep]
    start, end = 0, len(codes)
    if end and codes[0] == 32:
        start = 1
    if end > start and codes[end - 1] == 32:
        end -= 1
    return codes[start:end].tobytes().decode("utf-32-le")


def collapse_spaces(text: str) -> str:
    """``" ".join(text.split())`` for a text whose only whitespace is the plain space."""
    return _single_spaces(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))


_LONG_TEXT = 200
_ASTRAL = 0x10000  # index of the table entry that stands for every astral character


def is_word_char(char: str) -> bool:
    """A character that ``normalize`` keeps: a letter or digit (what ``\\w`` matches, but ``_``)."""
    return char.isalnum()


@functools.cache
def _word_table() -> np.ndarray:
    """``is_word_char`` of every character of the Basic Multilingual Plane (and True for astral ones,
    which are checked one by one)."""
    return np.array([chr(c).isalnum() for c in range(_ASTRAL)] + [True], dtype=bool)


@functools.cache
def _nfkc_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Characters that NFKC changes on their own into letters or digits (and astral characters, checked
    one by one); characters that compose with their neighbours (combining marks, Hangul jamo), for which
    the whole text is normalised."""
    changing = [c for c in range(_ASTRAL) if not unicodedata.is_normalized("NFKC", chr(c))]
    # Punctuation that NFKC turns into other punctuation becomes a space all the same.
    changing = [
        c
        for c in changing
        if chr(c).isalnum() or any(x.isalnum() for x in unicodedata.normalize("NFKC", chr(c)))
    ]
    joining = [c for c in range(_ASTRAL) if unicodedata.combining(chr(c))]
    joining += [*range(0x1100, 0x1200), *range(0xA960, 0xA980), *range(0xD7B0, 0xD800)]  # Hangul jamo
    astral = "\U00010000-\U0010ffff"
    return re.compile(f"[{char_class(changing)}{astral}]"), re.compile(f"[{char_class(joining)}]")


def char_class(codes: Iterable[int]) -> str:
    """The inside of a regex character class matching these code points (as ranges)."""
    parts: list[str] = []
    codes = sorted(set(codes))
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = (re.escape(chr(codes[i])), re.escape(chr(codes[j])))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return "".join(parts)


@functools.lru_cache(maxsize=8192)
def _nfkc_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


SEPARATOR_CHAR = "\ue000"  # a private-use character: no step changes it, no term contains it
SEPARATOR = f" {SEPARATOR_CHAR} "


def normalize_many(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, several times faster for many texts."""
    if not texts:
        return []
    return [part.strip() for part in normalize_joined(texts).split(SEPARATOR_CHAR)]


def normalize_joined(texts: Sequence[str]) -> str:
    """The normalised texts joined by :data:`SEPARATOR`."""
    joined = SEPARATOR.join(t.replace(SEPARATOR_CHAR, " ") for t in texts)
    return _blank_non_words(to_simplified(_nfkc(joined).lower()), keep=SEPARATOR_CHAR)


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)`` as far as letters and digits go (punctuation may stay
    as it is), several times faster on long Chinese texts: only the characters that change are
    normalised, one by one, unless some character composes with its neighbours."""
    changing, joining = _nfkc_patterns()
    if joining.search(text):
        return unicodedata.normalize("NFKC", text)
    return changing.sub(lambda m: _nfkc_char(m.group()), text)


def is_han(char: str) -> bool:
    """True for a CJK ideograph."""
    return bool(_HAN.match(char))


# --- English words --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A very light English stemmer, so that *delayed*, *delays* and *delay* meet (and *damaged*/*damage*).

    Short words, stopwords and anything but Latin letters are left alone.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha() or word in ENGLISH_STOPWORDS:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


# --- literal replacement --------------------------------------------------------------------------


class Replacer:
    """Longest-match-first replacement of literal terms (ASCII terms only at word boundaries).

    The terms are compiled into a trie-shaped pattern (``退(?:款|货)``) that starts with a literal
    character, which the regex engine scans far faster than a flat alternation of hundreds of terms.
    """

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        han = [t for t in mapping if not is_ascii_alnum(t[0]) and not is_ascii_alnum(t[-1])]
        latin = [t for t in mapping if is_ascii_alnum(t[0]) or is_ascii_alnum(t[-1])]
        patterns = []
        if han:
            patterns.append(re.compile(f"({trie_pattern(han)})"))
        if latin:
            patterns.append(re.compile(f"({trie_pattern(latin, after='[a-z0-9]')})(?![a-z0-9])"))
        self._patterns = patterns

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            parts = pattern.split(text)
            if len(parts) > 1:
                parts[1::2] = [self.mapping[term] for term in parts[1::2]]
                text = "".join(parts)
        return text


def trie_pattern(terms: Iterable[str], *, after: str = "") -> str:
    """A regex matching any of ``terms``, the longest one where several match at the same place; not
    right after a character of the class ``after`` (a lookbehind checked after the first character, so
    that the pattern still starts with a literal)."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        if "" in node:  # a term ends here: try the longer terms first, then settle for this one
            return "(?:" + "|".join(branches) + ")?"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    if not after:
        return emit(trie)
    first = [
        re.escape(char) + f"(?<!{after}{re.escape(char)})" + emit(child)
        for char, child in sorted(trie.items())
    ]
    return "(?:" + "|".join(first) + ")"


def is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()
