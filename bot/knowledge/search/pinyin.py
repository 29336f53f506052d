"""Pinyin: the toneless reading of Han characters, and typed pinyin split into syllables.

Homophone slips (推货/退货, 退宽/退款) and typed pinyin (``tuihuo``) meet in the pinyin space. Readings are
pypinyin's (phrase readings for polyphones, 银行 → yin hang); :func:`syllable_id` and
:func:`default_pinyin_table` give them as numbers.

The index compares pinyin by *sound* (:func:`sound`): the near sounds that many speakers do not tell apart,
and so type with a pinyin keyboard's fuzzy-sound settings (模糊音), count as one: z/zh, c/ch, s/sh, n/l,
an/ang, en/eng, in/ing, ian/iang, uan/uang. 申请 typed as 森请 (shen/sen) or 工资 as 工支 (zi/zhi) still
meets the note.
"""

from __future__ import annotations

import functools
import re

import numpy as np
from pypinyin import pinyin_dict
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.phrases_dict import phrases_dict
from pypinyin.seg import mmseg

from bot.knowledge.search.text import char_class


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
    return re.compile(f"[{char_class(map(ord, chars))}]" if chars else "(?!)")


# --- pinyin as numbers, for the index -------------------------------------------------------------

HAN_LIMIT = 0x30000  # Han characters are below; tables have one more entry for everything above
_SYLLABLE_IDS: dict[str, int] = {}
SYLLABLE_NAMES: dict[int, str] = {}


def syllable_id(syllable: str) -> int:
    """A small number (< 4096) standing for a toneless pinyin syllable, the same for the whole process."""
    found = _SYLLABLE_IDS.get(syllable)
    if found is None:
        found = _SYLLABLE_IDS[syllable] = len(_SYLLABLE_IDS)
        SYLLABLE_NAMES[found] = syllable
    return found


@functools.cache
def sound(syllable: str) -> str:
    """The sound of a toneless syllable as speakers who merge near sounds hear it: zh, ch, sh as z, c, s;
    l as n; ang, eng, ing (and iang, uang) as an, en, in (ian, uan): the fuzzy sounds pinyin keyboards
    offer to merge, but for f/h and r/l, which merge many more words."""
    for retroflex in ("zh", "ch", "sh"):
        if syllable.startswith(retroflex):
            syllable = syllable[0] + syllable[2:]
            break
    if syllable.startswith("l"):
        syllable = "n" + syllable[1:]
    if syllable.endswith(("ang", "eng", "ing")):
        syllable = syllable[:-1]
    return syllable


_SOUND_IDS: dict[str, int] = {}
_SOUND_OF_SYLLABLE = np.zeros(0, dtype=np.int64)


def sound_id(syllable: str) -> int:
    """A small number (< 4096) standing for the :func:`sound` of a syllable."""
    heard = sound(syllable)
    found = _SOUND_IDS.get(heard)
    if found is None:
        found = _SOUND_IDS[heard] = len(_SOUND_IDS)
    return found


def sound_ids(ids: np.ndarray) -> np.ndarray:
    """The :func:`sound_id` of each :func:`syllable_id` in ``ids`` (-1 stays -1)."""
    global _SOUND_OF_SYLLABLE
    if len(_SOUND_OF_SYLLABLE) < len(SYLLABLE_NAMES) + 1:
        table = np.full(len(SYLLABLE_NAMES) + 1, -1, dtype=np.int64)  # the last entry: for -1
        for k, name in list(SYLLABLE_NAMES.items()):
            table[k] = sound_id(name)
        _SOUND_OF_SYLLABLE = table
    return _SOUND_OF_SYLLABLE[ids]


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
