"""Fillers: greetings, politeness, particles and question words carry no topic and are dropped.

Longest match wins (怎么办 before 怎么); 亲 is dropped only as a form of address; typed-pinyin fillers
(``zenme ban``) are dropped too, by :func:`filler_pinyin`.
"""

from __future__ import annotations

import functools
import re

from bot.knowledge.search.pinyin import han_pinyin
from bot.knowledge.search.text import ENGLISH_STOPWORDS, Replacer, trie_pattern

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
    # asking around, and how to answer (the topic is elsewhere in the message)
    "大家好", "各位", "姐妹们", "宝子们", "家人们", "小伙伴们", "有人知道吗", "有没有人知道", "谁知道",
    "急急急", "救命", "我想问问", "想问问", "问问", "我想问", "我该", "我应该",
    "怎么回复", "怎么回", "咋回", "怎么答复", "怎么跟他说", "怎么跟她说", "怎么跟顾客说", "怎么说", "怎么解释",
    "不太确定", "不确定", "不知道", "不清楚", "不太懂", "看不懂",
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

# Typed-pinyin particles, dropped when they stand alone as a word: "tuikuan ma".
PINYIN_PARTICLES = frozenset({"ma", "ne", "a", "ya", "ba", "o", "ou", "la", "ha", "en", "wa", "ei", "ai"})

_strip_filler_words = Replacer(
    {f: " " for f in FILLERS} | {c: " " for c in PARTICLES} | {w: w for w in _PARTICLE_WORDS}
)


def strip_address(text: str) -> str:
    """Drop 亲 / 亲们 / 亲爱的 used as a form of address (not 亲自, not 亲 meaning the customer)."""
    return _ADDRESS.sub(" ", text)


def strip_fillers(text: str) -> str:
    """Remove particles, politeness and question words from a normalised text (they become spaces)."""
    return " ".join(blank_fillers(text).split())


def blank_fillers(text: str) -> str:
    """:func:`strip_fillers` without joining the spaces left behind."""
    text = _ADDRESS.sub(" ", text)
    text = _strip_filler_words(text)
    text = _ADDRESS.sub(" ", text)
    if _ANY_LATIN.search(text):
        text = _STOPWORDS.sub(" ", text)
    return text


_ANY_LATIN = re.compile("[a-z]")
# An English stopword standing alone between spaces.
_STOPWORDS = re.compile(trie_pattern(ENGLISH_STOPWORDS, after=r"\S") + r"(?!\S)")


@functools.cache
def filler_pinyin() -> tuple[tuple[str, ...], ...]:
    """Filler phrases of two or more characters, as pinyin syllable sequences (longest first)."""
    seqs = {han_pinyin(f) for f in FILLERS if len(f) >= 2}
    return tuple(sorted(seqs, key=len, reverse=True))
