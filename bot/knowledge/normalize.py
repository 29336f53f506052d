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

import opencc
from pypinyin import pinyin_dict
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.phrases_dict import phrases_dict
from pypinyin.seg import mmseg

_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0002ffff"
_HAN = re.compile(f"[{_HAN_RANGES}]")
_RUNS = re.compile(f"[{_HAN_RANGES}]+|[a-z]+|[A-Z]+|[0-9]+|[^\\W\\d_a-zA-Z{_HAN_RANGES}]+")
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
_ADDRESS = re.compile(r"(?:^|(?<=\s))(?:亲爱的|亲亲|亲)们?(?=\s|$|请|问|在吗|你好|您好)")

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
    text = unicodedata.normalize("NFKC", text).lower()
    text = to_simplified(text)
    return _NON_WORD.sub(" ", text).strip()


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
    word = word.lower()
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
    return result[1] if result is not None else None


@functools.cache
def _toneless(syllable: str) -> str:
    return to_normal(syllable).replace("ü", "v")


@functools.cache
def _char_pinyin(char: str) -> str | None:
    readings = pinyin_dict.pinyin_dict.get(ord(char))
    return _toneless(readings.split(",")[0]) if readings else None


@functools.lru_cache(maxsize=8192)
def han_pinyin(text: str) -> tuple[str | None, ...]:
    """Toneless pinyin of a run of Han characters, one per character (None where unknown).

    Same readings as ``pypinyin.lazy_pinyin`` (phrase readings for polyphones, e.g. 银行 → yin hang), done
    with pypinyin's own segmenter and dictionaries but without its per-syllable style machinery, which
    made index building several times slower.
    """
    out: list[str | None] = []
    for word in mmseg.seg.cut(text):
        phrase = phrases_dict.get(word) if len(word) > 1 else None
        if phrase and len(phrase) == len(word):
            out.extend(_toneless(readings[0]) for readings in phrase)
        else:
            out.extend(_char_pinyin(c) for c in word)
    return tuple(out)


@functools.cache
def _filler_pinyin() -> tuple[tuple[str, ...], ...]:
    """Filler phrases of two or more characters, as pinyin syllable sequences (longest first)."""
    seqs = {han_pinyin(f) for f in FILLERS if len(f) >= 2}
    return tuple(sorted(seqs, key=len, reverse=True))


# --- synonyms -------------------------------------------------------------------------------------


class _Replacer:
    """Longest-match-first replacement of literal terms (ASCII terms only at word boundaries)."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping
        terms = sorted(mapping, key=len, reverse=True)
        han = [re.escape(t) for t in terms if not _is_ascii_alnum(t[0]) and not _is_ascii_alnum(t[-1])]
        latin = [re.escape(t) for t in terms if _is_ascii_alnum(t[0]) or _is_ascii_alnum(t[-1])]
        patterns = []
        if han:
            patterns.append(re.compile("|".join(han)))
        if latin:
            patterns.append(re.compile(r"(?<![a-z0-9])(?:" + "|".join(latin) + r")(?![a-z0-9])"))
        self._patterns = patterns

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub(self._sub, text)
        return text

    def _sub(self, match: re.Match[str]) -> str:
        return self.mapping[match.group(0)]


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
        self._max_syllables = max(self._pinyin_lengths, default=0)

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def block_homophones(self, segments: Iterable[Sequence[Unit]]) -> None:
        """Stop reading typed pinyin as a synonym where the notes use another word spelt the same.

        ``tuijian`` must stay 推荐 (recommend) when a note asks 尺码怎么推荐, although 退件 (a synonym of
        退货) sounds the same. ``segments`` are runs of analysed units of the notes' titles, questions, tags.
        """
        lengths = self._pinyin_lengths
        for seg in segments:
            for n in lengths:
                for i in range(len(seg) - n + 1):
                    window = seg[i : i + n]
                    key = tuple(u.py for u in window)
                    canonical = self.pinyin_mapping.get(key)  # type: ignore[arg-type]
                    if canonical is not None and canonical != "".join(u.char or "" for u in window):
                        del self.pinyin_mapping[key]  # type: ignore[arg-type]

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
    text = _ADDRESS.sub(" ", text)
    text = _strip_filler_words(text)
    text = _ADDRESS.sub(" ", text)
    return " ".join(w for w in text.split() if w not in ENGLISH_STOPWORDS)


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
    words = _LATIN_WORD.findall(text)
    if not words:
        return text
    kinds: dict[str, str] = {}
    for word in words:
        if split_pinyin(word) is None:
            kinds[word] = "english"
        elif word in ENGLISH_STOPWORDS or word in english or stem(word) in english:
            kinds[word] = "both"
        else:
            kinds[word] = "pinyin"
    pinyin_context = "pinyin" in kinds.values() and "english" not in kinds.values()

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        kind = kinds[word]
        if kind == "pinyin" or (kind == "both" and pinyin_context):
            return word.upper()
        return stem(word)

    return _LATIN_WORD.sub(one, text)


_NONES = itertools.repeat(None)


class Analyzer:
    """Turns notes and queries into units and features, with the same synonyms for both."""

    def __init__(self, synonyms: Iterable[Sequence[str]] = (), known_words: Iterable[str] = ()) -> None:
        self.synonyms = SynonymMap(synonyms)
        # Stems of the Latin words the notes and synonyms use: English, never re-read as typed pinyin.
        self.known_words = frozenset(known_words) | self.synonyms.english
        self._canonical: dict[str, str] = {}

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

        for run in _RUNS.findall(content):
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
        for run in _RUNS.findall(strip_fillers(self._canonical.get(text) or self.canonical_text(text))):
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
        for run in _RUNS.findall(text):
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
