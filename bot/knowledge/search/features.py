"""Features as integers: Han character and pinyin uni- and bigrams and words, for notes and queries alike.

A feature code holds its kind in the high bits (:data:`KIND_SHIFT`); while building, a note's features
also carry a tag in their low bits (the note within its chunk, and the field). The array helpers below
are shared by the index's building and scoring.

Typos inside words: the titles, questions and tags also have *skip bigrams* (the characters on either side
of one: 物流延迟 has 物_延 and 流_迟), so that a query pair matches where the query dropped a character
(物延迟). A short query's units are also explained by their pairs read the other way round (款退 → 退款)
and, around a doubled character, by the characters two apart (退退款 → 退款); a wrong character of the
same pinyin (推款) meets the note in the pinyin bigrams as before. (Pinyin pairs are not read for typos:
with about 400 syllables, a swapped pair is too often another word, 天气 → qi tian → 七天.)
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.knowledge.search.analysis import Analysis, Unit
from bot.knowledge.search.pinyin import (
    HAN_LIMIT,
    default_pinyin_table,
    han_table,
    run_pinyin,
    sound_id,
    sound_ids,
)
from bot.knowledge.search.text import HAN_CHARS, RUNS, SEPARATOR_CHAR, is_han

# Feature codes: one integer per feature, its kind in the high bits (see ``han_features``).
CUNI, CBI, PUNI, PBI, WORD, CSKIP = 1, 2, 3, 4, 5, 6
KIND_SHIFT = 36
KIND_NAME = {CBI: "cbi", CUNI: "cuni", PBI: "pbi", PUNI: "puni", WORD: "word", CSKIP: "cskip"}
FIELD_HEAD, FIELD_TAGS, FIELD_BODY, FIELD_SCRIPTS = 0, 1, 2, 3
_SEP = ord(SEPARATOR_CHAR)
CHUNK_BITS = 8  # 2**8 notes have their features sorted together while building
TAG_BITS = CHUNK_BITS + 2  # a feature's note in its chunk, and its field


def head_strings(content: str) -> tuple[str, str]:
    """A note text's characters and pinyin for the fuzzy comparison (as ``Analysis.chars`` and
    ``Analysis.pinyin``)."""
    if _NOT_HAN.search(content) is None:  # Han characters and spaces only
        runs = content.split()
        return "".join(runs), "".join([run_pinyin(run)[0] for run in runs])
    chars: list[str] = []
    pys: list[str] = []
    for run in RUNS.findall(content):
        if is_han(run[0]):
            chars.append(run)
            pys.append(run_pinyin(run)[0])
        else:
            chars.append(f" {run} ")
            pys.append(run)
    return " ".join("".join(chars).split()), "".join(pys)


_NOT_HAN = re.compile(f"[^ {HAN_CHARS}]")


def code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def isin_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_keys)`` for a small sorted array of keys."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[pos] == values


def offsets_of(counts: np.ndarray) -> np.ndarray:
    """Where each group starts, and the total at the end (``[0, c0, c0 + c1, ...]``)."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values begins in a sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))


@dataclass
class TextFeatures:
    """Features of texts joined by the separator (see ``han_features``)."""

    keys: np.ndarray  # (feature code << TAG_BITS) | the tag of the text it comes from
    cps: np.ndarray  # code point of each position
    pinyin: np.ndarray  # sound id (pinyin.sound_id) of each position (-1: none)
    han: np.ndarray  # whether each position is a Han character
    text_of: np.ndarray  # index of the text of each position
    word_starts: np.ndarray  # where each word starts
    word_codes: np.ndarray  # the words' feature codes


def han_features(
    text: str, pinyin: np.ndarray | None, word_ids: dict[str, int], tags: np.ndarray, *, skips: bool = False
) -> TextFeatures:
    """Codes of the Han character and pinyin uni- and bigrams and of the words of texts joined by the
    separator, each with the tag (< 2**TAG_BITS) of the text it comes from in its low bits. ``pinyin``:
    syllable id per position (default: the table), compared by sound (``pinyin.sound``); ``word_ids``
    numbers the words, new ones included; ``skips``: also the skip bigrams (two characters with one
    between, in one run of Han characters)."""
    cps = code_points(text)
    text_of = np.cumsum(cps == _SEP)
    tag = tags[text_of] if len(tags) else text_of
    clipped = np.minimum(cps, HAN_LIMIT)
    han = han_table()[clipped]
    py = sound_ids(default_pinyin_table()[clipped] if pinyin is None else pinyin)
    pair = han[:-1] & han[1:]  # adjacent Han characters are in the same run
    known = han & (py >= 0)
    py_pair = known[:-1] & known[1:]
    # Words: runs of one class of characters (a-z, A-Z, 0-9, other letters), as ``RUNS`` cuts them.
    kind = _run_class_table()[clipped]
    bounds = np.flatnonzero(kind[1:] != kind[:-1]) + 1
    starts = np.concatenate(([0], bounds))[: len(kind)]
    ends = np.concatenate((bounds, [len(kind)]))
    is_word = kind[starts] != 0
    starts, ends = starts[is_word], ends[is_word]
    words = [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    word_codes = (WORD << KIND_SHIFT) | np.asarray(
        [word_ids.setdefault(w, len(word_ids)) for w in words], dtype=np.int64
    )
    shift = KIND_SHIFT + TAG_BITS
    keys = [
        ((CUNI << shift) | (cps[han] << TAG_BITS)) | tag[han],
        ((CBI << shift) | (cps[:-1][pair] << (18 + TAG_BITS)) | (cps[1:][pair] << TAG_BITS)) | tag[:-1][pair],
        ((PUNI << shift) | (py[known] << TAG_BITS)) | tag[known],
        ((PBI << shift) | (py[:-1][py_pair] << (12 + TAG_BITS)) | (py[1:][py_pair] << TAG_BITS))
        | tag[:-1][py_pair],
        (word_codes << TAG_BITS) | tag[starts],
    ]
    if skips:
        skip = pair[:-1] & pair[1:]
        keys.append(
            ((CSKIP << shift) | (cps[:-2][skip] << (18 + TAG_BITS)) | (cps[2:][skip] << TAG_BITS))
            | tag[:-2][skip]
        )
    return TextFeatures(np.concatenate(keys), cps, py, han, text_of, starts, word_codes)


@functools.cache
def _run_class_table() -> np.ndarray:
    """How ``RUNS`` classes each character of a note's content: 1 a-z, 2 A-Z, 3 0-9, 4 another letter or
    digit of a word, 0 none of these (Han characters, spaces, the separator, other decimal digits)."""
    table = np.full(HAN_LIMIT + 1, 4, dtype=np.int8)
    table[han_table()] = 0
    table[[ord(" "), _SEP]] = 0
    table[ord("a") : ord("z") + 1] = 1
    table[ord("A") : ord("Z") + 1] = 2
    table[ord("0") : ord("9") + 1] = 3
    every = "".join(map(chr, range(0x80, 0xD800))) + "".join(map(chr, range(0xE000, HAN_LIMIT)))
    table[[ord(c) for c in re.findall(r"\d", every)]] = 0  # what ``\d`` matches, found at C speed
    return table


def _unit_codes(unit: Unit, word_code: Callable[[str], int | None]) -> tuple[int | None, int | None]:
    """Codes of a unit's character (or word) and pinyin syllable."""
    if unit.word:
        return word_code(unit.word), None
    char = (CUNI << KIND_SHIFT) | ord(unit.char) if unit.char else None
    py = (PUNI << KIND_SHIFT) | sound_id(unit.py) if unit.py else None
    return char, py


def char_pair_code(left: str, right: str) -> int:
    """The code of a pair of Han characters."""
    return (CBI << KIND_SHIFT) | (ord(left) << 18) | ord(right)


def _char_bigram(left: Unit, right: Unit) -> int | None:
    if left.char and right.char:
        return char_pair_code(left.char, right.char)
    return None


def _pinyin_bigram(left: Unit, right: Unit) -> int | None:
    if left.py and right.py:
        return (PBI << KIND_SHIFT) | (sound_id(left.py) << 12) | sound_id(right.py)
    return None


def segment_features(seg: Sequence[Unit], word_code: Callable[[str], int | None]) -> list[int | str]:
    """The features of a segment of a query as the notes' are counted (repeats kept), as codes (a word the
    notes do not use stays a string)."""
    feats: list[int | str] = []
    for unit in seg:
        char, py = _unit_codes(unit, word_code)
        if unit.word:
            feats.append(char if char is not None else unit.word)
            continue
        feats.extend(c for c in (char, py) if c is not None)
    for left, right in itertools.pairwise(seg):
        feats.extend(c for c in (_char_bigram(left, right), _pinyin_bigram(left, right)) if c is not None)
    return feats


def segment_unit_features(
    seg: Sequence[Unit], word_code: Callable[[str], int | None], phrase: Callable[[int], bool] | None = None
) -> list[tuple[Unit, list[tuple[int | None, str]]]]:
    """Each unit of a segment of a query with the feature codes that can explain it (code, credit kind).

    With ``phrase`` (whether a character bigram code is a phrase the notes' titles, questions or tags use),
    also the codes that explain a unit despite a typo inside a word (see the module's docstring), from
    the pairs that are no such phrase: 直不 in 一直不更新 is not read as a typo where a note asks 一直不动.
    """
    out: list[tuple[Unit, list[tuple[int | None, str]]]] = []
    alone = len(seg) == 1
    for k, unit in enumerate(seg):
        feats: list[tuple[int | None, str]] = []
        for j in (k - 1, k):
            if j >= 0 and j + 1 < len(seg):
                left, right = seg[j], seg[j + 1]
                if (code := _char_bigram(left, right)) is not None:
                    feats.append((code, "cbi"))
                    if phrase is not None and not phrase(code):
                        feats.extend(_typo_pair_features(code))
                if (code := _pinyin_bigram(left, right)) is not None:
                    feats.append((code, "pbi"))
        if phrase is not None:
            feats.extend((code, "cjump") for code in _doubled_codes(seg, k, phrase))
        char, py = _unit_codes(unit, word_code)
        if unit.word:
            feats.append((char, "word"))
        else:
            if unit.char:
                feats.append((char, "cuni1" if alone else "cuni"))
            if unit.py:
                feats.append((py, "puni1" if alone else "puni"))
        out.append((unit, feats))
    return out


def _doubled_codes(seg: Sequence[Unit], k: int, phrase: Callable[[int], bool]) -> list[int]:
    """The bigram codes of unit ``k`` and the unit two apart, across a doubled character that makes no
    phrase (退退款: 退 and 款)."""
    codes = []
    for j in (k - 2, k):
        if j < 0 or j + 2 >= len(seg):
            continue
        left, middle, right = seg[j : j + 3]
        char = middle.char
        if char is None or char not in (left.char, right.char):
            continue
        code = _char_bigram(left, right)
        if code is not None and not phrase(char_pair_code(char, char)):
            codes.append(code)
    return codes


_CHAR_MASK = (1 << 18) - 1


def _typo_pair_features(code: int) -> list[tuple[int | None, str]]:
    """The codes of a character bigram read the other way round (a swap), and as a note's skip bigram
    (the query dropped the character between them)."""
    left, right = (code >> 18) & _CHAR_MASK, code & _CHAR_MASK
    feats: list[tuple[int | None, str]] = [((CSKIP << KIND_SHIFT) | (left << 18) | right, "cskip")]
    if left != right:
        feats.append(((CBI << KIND_SHIFT) | (right << 18) | left, "cswap"))
    return feats


def typo_codes(analysis: Analysis, phrase: Callable[[int], bool]) -> list[int]:
    """The character bigram codes a query has despite a swap or a doubled character (for reverse
    coverage), from the pairs that are no phrase of the notes (as ``segment_unit_features``)."""
    codes: list[int] = []
    for seg in analysis.segments:
        for k in range(len(seg)):
            if (
                k + 1 < len(seg)
                and (code := _char_bigram(seg[k], seg[k + 1])) is not None
                and not phrase(code)
            ):
                codes.extend(c for c, kind in _typo_pair_features(code) if kind == "cswap" and c is not None)
            codes.extend(_doubled_codes(seg, k, phrase))
    return codes
