"""Made-up questions from a workplace's own notes, and the move of a model's log-odds that fits them.

``bench/kb_fit.py --transfer`` uses them to test a self-calibration: at index build there are no labelled
questions, but the notes give some whose answer is known — a note's title, one of its ``questions:`` lines
or a sentence of its body, typed as staff type (a character dropped, doubled or swapped, a wrong character
of the same reading, pinyin, Traditional characters, a greeting around it), searched among the notes with
that text taken out of its note (so that it is no exact match) — and general questions no workplace's notes
answer (:func:`rounds`). :func:`log_odds_shift` is the move of a model's log-odds that fits these probes
best; the self-calibration moves the model by the difference between that on the workplace's notes and on
the notes it was fitted on. The figures (it did not pay) are in ``bench/kb_fit.py``.

Everything is seeded: the same notes and seed give the same probes."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import opencc

from bot.knowledge.notes import Note
from bot.knowledge.search.calibration import Calibration
from bot.knowledge.search.pinyin import han_pinyin
from bot.knowledge.search.text import is_han

#: Questions about the notes made up per round (one probe index each, see ``ROUND_SOURCES``), at most.
PROBES_PER_ROUND = 120
#: Candidates of each probe the shift is fitted on (as the calibration was).
TOP_K = 5
#: The largest move of the log-odds (beyond it the probes say more about themselves than about the notes).
MAX_SHIFT = 3.0

#: Questions no workplace's notes answer: small talk, general knowledge, other trades.
GENERAL_QUESTIONS: tuple[str, ...] = (
    "今天天气怎么样", "明天会下雨吗", "推荐一部好看的电影", "红烧肉怎么做", "附近有什么好吃的",
    "怎么减肥最快", "周末去哪里玩", "手机屏幕碎了去哪修", "感冒了吃什么药", "孩子发烧怎么办",
    "怎么学好英语", "股票怎么开户", "买房贷款利率多少", "驾照考试怎么预约", "世界上最高的山是哪座",
    "月亮为什么会变圆", "怎么种番茄", "猫咪不吃饭怎么办", "高铁票怎么改签", "怎么煮米饭不糊",
    "今晚有什么球赛", "哪个牌子的电视好", "头发掉得厉害怎么办", "怎么注册结婚登记", "微信头像怎么换",
    "有什么好听的歌", "怎么织毛衣", "一年有多少天", "北京到上海多远", "怎么给花浇水",
    "讲个笑话", "你叫什么名字", "你是机器人吗", "晚饭吃什么好", "怎么做蛋糕",
    "what is the weather today", "how to cook rice", "recommend a good movie", "where is the nearest hospital",
    "how tall is mount everest",
)  # fmt: skip

_GREETINGS = ("你好，请问", "您好，想问一下", "老师好，", "在吗？请问", "亲，我想问问", "")
_CLOSINGS = ("，谢谢", "？谢谢了", "，麻烦了", "呀", "？", "")
_SENTENCE = re.compile(r"[^。！？!?\n；;]+")
_MARKUP = re.compile(r"^\s*(?:[-*>#]+|\d+[.、)）])\s*|[*`_|#>\[\]]+|\s+")
#: A body sentence is a probe when it is this long (characters, markup left out).
SENTENCE_CHARS = (6, 30)


@dataclass(frozen=True)
class Probe:
    """A made-up question and the note that answers it (None: no note does)."""

    text: str
    expected: str | None


@dataclass(frozen=True)
class ProbeRound:
    """Notes with one text each taken out, and the probes made of those texts."""

    notes: list[Note]
    probes: list[Probe]


@functools.cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def body_sentences(body: str) -> list[str]:
    """The sentences of a note's body that could be asked as they are (markup left out)."""
    out = []
    for sentence in _SENTENCE.findall(body):
        text = _MARKUP.sub("", sentence).strip("，,")
        if SENTENCE_CHARS[0] <= len(text) <= SENTENCE_CHARS[1] and any(map(is_han, text)):
            out.append(text)
    return out


def homophones(notes: Sequence[Note]) -> dict[str, list[str]]:
    """The notes' own Han characters, grouped by their toneless reading (for wrong characters of the same
    reading, as a pinyin input method gives them)."""
    by_reading: dict[str, set[str]] = {}
    for note in notes:
        for text in (note.title, *note.questions):
            for char, reading in zip(text, han_pinyin(text), strict=True):
                if reading and is_han(char):
                    by_reading.setdefault(reading, set()).add(char)
    return {reading: sorted(chars) for reading, chars in by_reading.items() if len(chars) > 1}


def typo(text: str, rng: random.Random, same_reading: dict[str, list[str]]) -> str:
    """``text`` as typed in a hurry: one of the mistakes staff make, or none."""
    kind = rng.choice(("none", "drop", "double", "swap", "homophone", "pinyin", "traditional", "chatty"))
    han = [k for k, char in enumerate(text) if is_han(char)]
    if kind == "drop" and len(han) > 3:
        k = rng.choice(han)
        return text[:k] + text[k + 1 :]
    if kind == "double" and han:
        k = rng.choice(han)
        return text[: k + 1] + text[k:]
    if kind == "swap" and len(text) > 3:
        k = rng.randrange(len(text) - 1)
        return text[:k] + text[k + 1] + text[k] + text[k + 2 :]
    if kind == "homophone":
        readings = han_pinyin(text)
        choices = [k for k in han if readings[k] in same_reading]
        if choices:
            k = rng.choice(choices)
            others = [c for c in same_reading[readings[k] or ""] if c != text[k]]
            return text[:k] + rng.choice(others) + text[k + 1 :]
    if kind == "pinyin" and len(han) == len(text):
        return " ".join(r for r in han_pinyin(text) if r)
    if kind == "traditional":
        return _to_traditional().convert(text)
    if kind == "chatty":
        return rng.choice(_GREETINGS) + text + rng.choice(_CLOSINGS)
    return text


#: The kind of text each round takes out of its notes (a note without one gives another), with body
#: sentences and without them (many tell a detail another note tells too: the probe's "wrong" answer is
#: often a right one).
ROUND_SOURCES = {True: ("title", "sentence", "question"), False: ("title", "question", "title")}


def _take_out(note: Note, rng: random.Random, prefer: str, sentences: bool) -> tuple[Note, str] | None:
    """The note with one of its texts (a question, the title or a body sentence, ``prefer``-red where it
    has one) taken out, and that text."""
    sources: list[tuple[str, int]] = [("question", k) for k in range(len(note.questions))]
    sources.append(("title", 0))
    sentences_of = body_sentences(note.body) if sentences else []
    sources += [("sentence", k) for k in range(len(sentences_of))]
    preferred = [source for source in sources if source[0] == prefer]
    kind, k = rng.choice(preferred or sources)
    if kind == "question":
        rest = note.questions[:k] + note.questions[k + 1 :]
        return replace(note, questions=rest), note.questions[k]
    if kind == "title":
        if not note.title.strip():
            return None
        # The title goes; a question of the note (if any) stands in for it, as the note's heading.
        heading, rest = (note.questions[0], note.questions[1:]) if note.questions else ("", [])
        return replace(note, title=heading, questions=rest), note.title
    return replace(note, body=note.body.replace(sentences_of[k], "", 1)), sentences_of[k]


def rounds(notes: Sequence[Note], seed: int = 0, *, sentences: bool = False) -> list[ProbeRound]:
    """The probe rounds of these notes: in each, up to ``PROBES_PER_ROUND`` notes give a made-up question
    each (its text taken out of the note; the kind of text of ``ROUND_SOURCES``), and a share of the general
    questions is asked too."""
    if not notes:
        return []
    rng = random.Random(seed)
    same_reading = homophones(notes)
    kinds = ROUND_SOURCES[sentences]
    count = len(kinds)
    general = list(GENERAL_QUESTIONS)
    rng.shuffle(general)
    out = []
    for r in range(count):
        picked = sorted(rng.sample(range(len(notes)), min(PROBES_PER_ROUND, len(notes))))
        changed = dict.fromkeys(range(len(notes)))
        probes = []
        for i in picked:
            taken = _take_out(notes[i], rng, kinds[r % len(kinds)], sentences)
            if taken is None:
                continue
            changed[i] = taken[0]
            probes.append(Probe(typo(taken[1], rng, same_reading), notes[i].id))
        # The probe index holds the notes picked (with their text taken out) and, for a large set, as many
        # others as there are picked ones, so that it stays small.
        others = [i for i in range(len(notes)) if i not in set(picked)]
        kept = sorted(picked + rng.sample(others, min(len(others), len(picked))))
        probes += [Probe(typo(q, rng, same_reading), None) for q in general[r::count]]
        out.append(ProbeRound([changed[i] or notes[i] for i in kept], probes))
    return out


Search = Callable[[str], tuple[list[str], dict[str, np.ndarray]]]


def log_odds(model: Calibration, columns: dict[str, np.ndarray]) -> np.ndarray:
    """The model's log-odds of each candidate."""
    return model.matrix(columns) @ np.asarray(model.coefficients) + model.intercept


def probe_scores(
    model: Calibration, search: Search, probes: Sequence[Probe], top: int = TOP_K
) -> tuple[np.ndarray, np.ndarray]:
    """The log-odds and labels (1: the expected note) of the first ``top`` candidates of every probe;
    ``search`` gives a probe's candidate note ids and their features."""
    z, y = [], []
    for probe in probes:
        ids, columns = search(probe.text)
        if not ids:
            continue
        scores = log_odds(model, columns)
        order = np.argsort(-scores, kind="stable")[:top]
        z.append(scores[order])
        y.append(np.array([ids[k] == probe.expected for k in order], dtype=np.float64))
    if not z:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(z), np.concatenate(y)


def fit_shift(z: np.ndarray, y: np.ndarray) -> float:
    """The move of the log-odds ``z`` that fits the labels ``y`` best (maximum likelihood, Newton's method;
    within ``MAX_SHIFT``; 0 without both labels)."""
    if not len(z) or y.min() == y.max():
        return 0.0
    shift = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z + shift, -30.0, 30.0)))
        gradient = float(np.sum(y - p))
        curvature = float(np.sum(p * (1.0 - p))) + 1e-9
        step = gradient / curvature
        shift = float(np.clip(shift + step, -MAX_SHIFT, MAX_SHIFT))
        if abs(step) < 1e-8:
            break
    return shift


def log_odds_shift(
    probe_rounds: Sequence[ProbeRound],
    model: Calibration,
    searcher: Callable[[list[Note]], Search],
    top: int = TOP_K,
) -> float:
    """The move of ``model``'s log-odds that fits the probes of these rounds best; ``searcher`` builds a
    search over a round's notes (ids and features of a probe's candidates). ``top``: candidates per probe."""
    z, y = [], []
    for probe_round in probe_rounds:
        scores, labels = probe_scores(model, searcher(probe_round.notes), probe_round.probes, top)
        z.append(scores)
        y.append(labels)
    return fit_shift(np.concatenate(z), np.concatenate(y)) if z else 0.0
