"""Text normalisation for Chinese questions typed in a hurry on a phone.

The pipeline, applied alike to notes and to queries (:meth:`Analyzer.analyze`):

1. :func:`normalize` — Unicode NFKC (full-width letters, digits and punctuation fold to ASCII), lower case,
   Traditional → Simplified (OpenCC ``t2s``); emoji and punctuation become spaces.
2. :func:`mark_latin_words` — English words are lightly stemmed (*delayed* → *delay*); words that spell
   pinyin (``tuihuo``) are marked as typed pinyin.
3. :class:`SynonymMap` — each synonym becomes its canonical term, longest match first (also when typed in
   pinyin: ``kehu`` → 顾客).
4. :func:`strip_fillers` — particles, politeness and question words (吗 呢 请问 怎么办 能不能 …, and
   their typed-pinyin forms such as ``zenme ban``) go; meaning words stay.
5. *Units*: a Han character with its toneless pinyin, a typed pinyin syllable (``tuihuo`` → ``tui``
   ``huo``, split against the valid syllables), or another word (``qa``, ``sku``). Homophone slips
   (推货/退货, 退宽/退款) and typed pinyin meet in the pinyin space.
6. :func:`features` — character unigrams and bigrams (``c:``), pinyin unigrams and bigrams (``p:``) and
   words (``w:``) for the lexical ranker.

The notes go through the same steps in bulk (:meth:`Analyzer.note_contents`: thousands of texts joined into
one string, with the same result as one by one), and their pinyin is also given as numbers
(:func:`syllable_id`, :func:`default_pinyin_table`) for the index's integer feature codes.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import opencc
from pypinyin import pinyin_dict
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.phrases_dict import phrases_dict
from pypinyin.seg import mmseg

HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0002ffff"
_HAN = re.compile(f"[{HAN_CHARS}]")
RUNS = re.compile(f"[{HAN_CHARS}]+|[a-z]+|[A-Z]+|[0-9]+|[^\\W\\d_a-zA-Z{HAN_CHARS}]+")
_NON_WORD = re.compile(r"[\W_]+")
_LATIN_WORD = re.compile(r"[a-z]+")

# Particles, greetings, politeness and question words: they carry no topic. Longest match wins.
FILLERS: tuple[str, ...] = (
    # greetings and politeness
    "你好", "您好", "哈喽", "在吗", "在不在", "老师好", "老师", "谢谢", "多谢", "麻烦", "打扰",
    "请问", "请教", "想问", "问一下", "问下", "我想知道", "想知道", "告诉我", "帮我", "帮忙", "求助",
    "一下", "一下子",
    # question words and phrases
    "怎么办", "咋办", "怎么弄", "咋弄", "怎么搞", "咋搞", "咋整", "怎么处理", "如何处理", "怎么做", "怎么回事",
    "怎么样", "怎样", "怎么", "如何", "为什么", "为啥", "什么", "啥", "咋",
    "在哪里", "在哪儿", "在哪", "哪里", "哪儿", "哪些", "哪个", "哪家",
    "是不是", "能不能", "可不可以", "可以吗", "可以", "有没有", "会不会", "要不要", "行不行", "好不好", "对不对",
    "能否", "是否", "应该", "应当",
    # hedges and connectives
    "的话", "到底", "究竟", "一般", "就是", "然后", "其实", "那么", "这个", "那个", "这种", "那种", "这样", "那样",
    "的时候",
)  # fmt: skip
# One-character particles: dropped anywhere (they do not occur inside the notes' working vocabulary),
# except in the few words listed in _PARTICLE_WORDS.
PARTICLES = "吗呢啊呀哦噢嘛啦哇呗喔嗯哈呵诶欸唉哎额呃哟咯吧"
_PARTICLE_WORDS = ("网吧", "酒吧", "贴吧", "吧台", "干嘛")
# 亲 is a form of address in e-commerce chat (亲，…): dropped where it stands alone, before synonyms
# (which may map 亲 to 顾客, as in 亲要退货).
_ADDRESS = re.compile(r"亲(?<!\S亲)(?:爱的|亲)?们?(?=\s|$|请|问|在吗|你好|您好)")

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
# Typed-pinyin particles, dropped when they stand alone as a word: "tuikuan ma".
_PINYIN_PARTICLES = frozenset({"ma", "ne", "a", "ya", "ba", "o", "ou", "la", "ha", "en", "wa", "ei", "ai"})

# Frequent function characters: kept (they make bigrams) but weigh little as query content.
STOP_CHARS = frozenset(
    "的了是我你您他她它们在有和与或就都也还又很太把被给让对说问想要会能去来到这那个些一得地着过之而及等"
)


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


def _collapse_spaces(text: str) -> str:
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
    return re.compile(f"[{_char_class(changing)}{astral}]"), re.compile(f"[{_char_class(joining)}]")


def _char_class(codes: Iterable[int]) -> str:
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
    return [part.strip() for part in _normalize_joined(texts).split(SEPARATOR_CHAR)]


def _normalize_joined(texts: Sequence[str]) -> str:
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


# --- pinyin ---------------------------------------------------------------------------------------


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Every valid toneless pinyin syllable (``ü`` written ``v``), from pypinyin's dictionary."""
    readings = {r for value in pinyin_dict.pinyin_dict.values() for r in value.split(",")}
    syllables = {_toneless(r) for r in readings}
    syllables = {s for s in syllables if s.isascii() and s.isalpha()}
    # Bare nasals and interjections (m, n, ng, hm, hng) would let too many English words pass as pinyin.
    syllables -= {"m", "n", "ng", "hm", "hng"}
    syllables |= {"lue", "nue"}  # common keyboard spelling of lve / nve
    return frozenset(syllables)


_CANONICAL_SYLLABLE = {"lue": "lve", "nue": "nve"}


def split_pinyin(word: str) -> list[str] | None:
    """Split a run of Latin letters into pinyin syllables (fewest syllables), or None if impossible.

    >>> split_pinyin("tuihuozenmeban")
    ['tui', 'huo', 'zen', 'me', 'ban']
    """
    split = _split_pinyin(word.lower())
    return list(split) if split is not None else None


@functools.lru_cache(maxsize=65536)
def _split_pinyin(word: str) -> tuple[str, ...] | None:
    if not word or not word.isascii() or not word.isalpha():
        return None
    valid = pinyin_syllables()
    n = len(word)
    # best[i] = (number of syllables, split) for word[i:]
    best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
    best[n] = (0, [])
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + 6), i, -1):  # longest syllable first: 'zhuang' has 6 letters
            piece = word[i:j]
            rest = best[j]
            if rest is None or piece not in valid:
                continue
            candidate = (rest[0] + 1, [_CANONICAL_SYLLABLE.get(piece, piece), *rest[1]])
            current = best[i]
            if current is None or candidate[0] < current[0]:
                best[i] = candidate
    result = best[0]
    return tuple(result[1]) if result is not None else None


@functools.cache
def _toneless(syllable: str) -> str:
    return to_normal(syllable).replace("ü", "v")


@functools.cache
def _char_pinyin(char: str) -> str | None:
    readings = pinyin_dict.pinyin_dict.get(ord(char))
    return _toneless(readings.split(",")[0]) if readings else None


@functools.lru_cache(maxsize=65536)
def han_pinyin(text: str) -> tuple[str | None, ...]:
    """Toneless pinyin of a run of Han characters, one per character (None where unknown).

    Same readings as ``pypinyin.lazy_pinyin`` (phrase readings for polyphones, e.g. 银行 → yin hang), with
    pypinyin's dictionaries and its segmentation (forward maximum matching) but without its per-syllable
    style machinery, which made index building several times slower. A run without any character that
    some phrase reads otherwise than usual (about one in two) is read character by character, with the
    same result.
    """
    if not phrase_sensitive().search(text):
        return tuple(map(_char_pinyin, text))
    prefixes, phrases = _segmenter()
    out: list[str | None] = []
    n = len(text)
    i = 0
    while i < n:
        # The longest phrase starting at i, extending while the text is a prefix of some phrase.
        end = i + 1
        j = i + 2
        while j <= n:
            word = text[i:j]
            if word not in prefixes:
                break
            if word in phrases:
                end = j
            j += 1
        if end > i + 1:
            out.extend(_phrase_pinyin(text[i:end]))
        elif j > n and n - i > 1 and text[i] in prefixes and text[i] not in phrases:
            # The rest of the run is a prefix of some phrase but holds none: pypinyin reads it
            # character by character, without looking for phrases further on.
            out.extend(map(_char_pinyin, text[i:]))
            break
        else:
            out.append(_char_pinyin(text[i]))
        i = end
    return tuple(out)


@functools.cache
def _segmenter() -> tuple[set[str], dict[str, list[list[str]]]]:
    """The prefixes of pypinyin's phrases and the phrases (its segmenter's data)."""
    return mmseg.seg._prefix_set._set, mmseg.PHRASES_DICT


@functools.lru_cache(maxsize=16384)
def _phrase_pinyin(word: str) -> tuple[str | None, ...]:
    readings = phrases_dict.get(word)
    if readings and len(readings) == len(word):
        return tuple(_toneless(r[0]) for r in readings)
    return tuple(map(_char_pinyin, word))


@functools.lru_cache(maxsize=65536)
def run_pinyin(text: str) -> tuple[str, tuple[int, ...] | None]:
    """A run of Han characters' pinyin, without spaces (as ``Analysis.pinyin``), and the
    :func:`syllable_id` of each character's reading (-1: none) where some phrase reads the run otherwise
    than character by character (else None: the readings of :func:`default_pinyin_table`)."""
    if not phrase_sensitive().search(text):
        return "".join([p for p in map(_char_pinyin, text) if p]), None
    readings = han_pinyin(text)
    joined = "".join([p for p in readings if p])
    if readings == tuple(map(_char_pinyin, text)):
        return joined, None
    return joined, tuple(syllable_id(p) if p else -1 for p in readings)


@functools.cache
def phrase_sensitive() -> re.Pattern[str]:
    """A character that some phrase of pypinyin's dictionary reads otherwise than its usual reading."""
    pairs = {
        (char, readings[0])
        for word, phrase in phrases_dict.items()
        if len(word) > 1 and len(phrase) == len(word)
        for char, readings in zip(word, phrase, strict=True)
    }
    chars = {char for char, reading in pairs if _toneless(reading) != _char_pinyin(char)}
    return re.compile(f"[{_char_class(map(ord, chars))}]" if chars else "(?!)")


# --- pinyin as numbers, for the index -------------------------------------------------------------

HAN_LIMIT = 0x30000  # Han characters are below; tables have one more entry for everything above
_SYLLABLE_IDS: dict[str, int] = {}
_SYLLABLE_NAMES: dict[int, str] = {}


def syllable_id(syllable: str) -> int:
    """A small number (< 4096) standing for a toneless pinyin syllable, the same for the whole process."""
    found = _SYLLABLE_IDS.get(syllable)
    if found is None:
        found = _SYLLABLE_IDS[syllable] = len(_SYLLABLE_IDS)
        _SYLLABLE_NAMES[found] = syllable
    return found


@functools.cache
def han_table() -> np.ndarray:
    """``is_han`` of every code point below :data:`HAN_LIMIT` (the last entry, for all others: False)."""
    table = np.zeros(HAN_LIMIT + 1, dtype=bool)
    for first, last in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x3007, 0x3007)):
        table[first : last + 1] = True
    table[0x20000:HAN_LIMIT] = True
    return table


@functools.cache
def default_pinyin_table() -> np.ndarray:
    """:func:`syllable_id` of each character's most common reading (-1: none), by code point.

    Without the phrase readings of :func:`han_pinyin` (银行 is read *yin xing*), but fast enough for the
    notes' bodies, where a homophone slip in a polyphone word matters little.
    """
    table = np.full(HAN_LIMIT + 1, -1, dtype=np.int64)
    for code, readings in pinyin_dict.pinyin_dict.items():
        if code < HAN_LIMIT:
            table[code] = syllable_id(_toneless(readings.split(",", 1)[0]))
    return table


@functools.cache
def _filler_pinyin() -> tuple[tuple[str, ...], ...]:
    """Filler phrases of two or more characters, as pinyin syllable sequences (longest first)."""
    seqs = {han_pinyin(f) for f in FILLERS if len(f) >= 2}
    return tuple(sorted(seqs, key=len, reverse=True))


# --- synonyms -------------------------------------------------------------------------------------


class _Replacer:
    """Longest-match-first replacement of literal terms (ASCII terms only at word boundaries).

    The terms are compiled into a trie-shaped pattern (``退(?:款|货)``) that starts with a literal
    character, which the regex engine scans far faster than a flat alternation of hundreds of terms.
    """

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        han = [t for t in mapping if not _is_ascii_alnum(t[0]) and not _is_ascii_alnum(t[-1])]
        latin = [t for t in mapping if _is_ascii_alnum(t[0]) or _is_ascii_alnum(t[-1])]
        patterns = []
        if han:
            patterns.append(re.compile(f"({_trie_pattern(han)})"))
        if latin:
            patterns.append(re.compile(f"({_trie_pattern(latin, after='[a-z0-9]')})(?![a-z0-9])"))
        self._patterns = patterns

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            parts = pattern.split(text)
            if len(parts) > 1:
                parts[1::2] = [self.mapping[term] for term in parts[1::2]]
                text = "".join(parts)
        return text


def _trie_pattern(terms: Iterable[str], *, after: str = "") -> str:
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


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


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
            terms = [_LATIN_WORD.sub(lambda m: stem(m.group(0)), normalize(t)) for t in group]
            terms = [t for t in terms if t]
            self.english.update(w for t in terms for w in _LATIN_WORD.findall(t))
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
        self._replace = _Replacer(
            {t: (f" {c} " if _is_ascii_alnum(c[0]) else c) for t, c in self.mapping.items()}
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
                self.block_homophone_runs([(text, [_SYLLABLE_NAMES.get(i) for i in pinyin.tolist()])])
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
                key = tuple(_SYLLABLE_NAMES[int(x)] for x in pinyin[i : i + n])
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


# --- fillers --------------------------------------------------------------------------------------

_strip_filler_words = _Replacer(
    {f: " " for f in FILLERS} | {c: " " for c in PARTICLES} | {w: w for w in _PARTICLE_WORDS}
)


def strip_address(text: str) -> str:
    """Drop 亲 / 亲们 / 亲爱的 used as a form of address (not 亲自, not 亲 meaning the customer)."""
    return _ADDRESS.sub(" ", text)


def strip_fillers(text: str) -> str:
    """Remove particles, politeness and question words from a normalised text (they become spaces)."""
    return " ".join(_blank_fillers(text).split())


def _blank_fillers(text: str) -> str:
    """:func:`strip_fillers` without joining the spaces left behind."""
    text = _ADDRESS.sub(" ", text)
    text = _strip_filler_words(text)
    text = _ADDRESS.sub(" ", text)
    if _ANY_LATIN.search(text):
        text = _STOPWORDS.sub(" ", text)
    return text


_ANY_LATIN = re.compile("[a-z]")
# An English stopword standing alone between spaces.
_STOPWORDS = re.compile(_trie_pattern(ENGLISH_STOPWORDS, after=r"\S") + r"(?!\S)")


# --- analysis -------------------------------------------------------------------------------------


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


def mark_latin_words(text: str, english: frozenset[str] = frozenset()) -> str:
    """Stem the English words of a normalised text and write typed pinyin in CAPITALS.

    A word that spells pinyin (``tuihuo``) is typed pinyin unless it is known English (``english``:
    stems of the words the notes and synonyms use). A word that is both (``ban``, ``damage``) follows its
    neighbours: pinyin next to unambiguous pinyin (``tuihuo zenme ban``), English otherwise
    (``item damage``). Capitals keep typed pinyin away from English synonyms and stopwords.
    """
    parts = _LATIN_SPLIT.split(text)
    if len(parts) == 1:
        return text
    words = parts[1::2]
    kinds: dict[str, str] = {}
    for word in words:
        if word in kinds:
            continue
        if _split_pinyin(word) is None:
            kinds[word] = "english"
        elif word in ENGLISH_STOPWORDS or word in english or stem(word) in english:
            kinds[word] = "both"
        else:
            kinds[word] = "pinyin"
    pinyin_context = "pinyin" in kinds.values() and "english" not in kinds.values()
    parts[1::2] = [
        word.upper() if kinds[word] == "pinyin" or (pinyin_context and kinds[word] == "both") else stem(word)
        for word in words
    ]
    return "".join(parts)


_LATIN_SPLIT = re.compile("([a-z]+)")


_NONES = itertools.repeat(None)


class Analyzer:
    """Turns notes and queries into units and features, with the same synonyms for both."""

    def __init__(self, synonyms: Iterable[Sequence[str]] = (), known_words: Iterable[str] = ()) -> None:
        self.synonyms = SynonymMap(synonyms)
        # Stems of the Latin words the notes and synonyms use: English, never re-read as typed pinyin.
        self.known_words = frozenset(known_words) | self.synonyms.english
        self._canonical: dict[str, str] = {}

    def prepare(self) -> None:
        """Build the tables for typed pinyin now, so that the first query typed in pinyin is not slower."""
        pinyin_syllables()
        _filler_pinyin()

    def learn_vocabulary(self, texts: Iterable[str]) -> None:
        """Take the notes' Latin words as ``known_words`` (remembering the canonical texts for reuse)."""
        texts = list(texts)
        words = {stem(w) for text in texts for w in _LATIN_WORD.findall(normalize(text))}
        self.known_words = self.known_words | words
        self._canonical = {text: self.canonical_text(text) for text in texts}

    def forget_texts(self) -> None:
        """Drop the canonical texts remembered by :meth:`learn_vocabulary`."""
        self._canonical = {}

    def canonical_text(self, text: str) -> str:
        """Normalised, English-stemmed, with synonyms replaced by their canonical term (fillers kept)."""
        return self.synonyms.apply(mark_latin_words(strip_address(normalize(text)), self.known_words))

    def note_contents(self, texts: Sequence[str]) -> list[str]:
        """``strip_fillers(canonical_text(t))`` of many note texts at once, after taking their Latin words
        as known words (as :meth:`learn_vocabulary` does).

        The texts go through each step joined into one string, which is much faster than one by one for
        thousands of notes; the result is the same.
        """
        text = strip_address(_normalize_joined(texts))
        parts = _LATIN_SPLIT.split(text)
        if len(parts) > 1:
            stems = {word: stem(word) for word in set(parts[1::2])}
            self.known_words = self.known_words | set(stems.values())
            # As every word of the notes is now a known word, none is typed pinyin: mark_latin_words
            # would only stem them.
            parts[1::2] = [stems[word] for word in parts[1::2]]
            text = "".join(parts)
        text = _collapse_spaces(_blank_fillers(self.synonyms.apply(text)))
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
            if syllables and not (strip and len(syllables) == 1 and run.lower() in _PINYIN_PARTICLES):
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


def _drop_pinyin_fillers(units: list[Unit]) -> list[list[Unit]]:
    """Remove typed-pinyin filler phrases (``zenme ban``, ``qingwen``); split the run where they were."""
    pys = [u.py for u in units]
    out: list[list[Unit]] = [[]]
    i = 0
    while i < len(units):
        for seq in _filler_pinyin():
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
