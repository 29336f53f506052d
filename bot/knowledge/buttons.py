"""The knowledge base's buttons, as typed callback data (see :mod:`bot.buttons`).

Under an answer: 👍/👎, another note, "none of these", a long reply script, the rest of a long note. For
admins: answer (in words, or with a note), dismiss, save an answer as a note, done; the pages of learned
phrasings in ``/kbstats`` and removing one. A note is named by its short key
(:func:`bot.knowledge.service.note_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.buttons import PAGE, Bounds, Button
from bot.knowledge.models import Feedback

#: How many reply scripts of a note get a button of their own.
SCRIPT_BUTTONS = 3
#: The most messages a note can take (a body within ``notes.MAX_BODY_CHARS`` takes far fewer).
MAX_PARTS = 99


@dataclass(frozen=True)
class Rate(Button, prefix="kb.rate"):
    """👍 or 👎 under an answer."""

    question_id: int
    verdict: Feedback


@dataclass(frozen=True)
class ShowNote(Button, prefix="kb.note"):
    """A suggested or related note, offered in reply to a question."""

    question_id: int
    note_key: str


@dataclass(frozen=True)
class NoneOfThese(Button, prefix="kb.none"):
    """None of the suggested notes fits: the question goes to the admins."""

    question_id: int


@dataclass(frozen=True)
class Script(Button, prefix="kb.script"):
    """A reply script too long for a copy button, sent as a message to copy from."""

    note_key: str
    index: Annotated[int, Bounds(0, SCRIPT_BUTTONS - 1)]


@dataclass(frozen=True)
class ReadMore(Button, prefix="kb.more"):
    """The rest of a note too long for one answer, from message ``start`` (counted from 0) on."""

    note_key: str
    start: Annotated[int, Bounds(1, MAX_PARTS)]


@dataclass(frozen=True)
class AnswerQuestion(Button, prefix="kb.answer"):
    """An admin starts answering a queued question."""

    question_id: int


@dataclass(frozen=True)
class AnswerWithNote(Button, prefix="kb.point"):
    """An admin answers a queued question with an existing note (which learns the question as its phrasing)."""

    question_id: int
    note_key: str


@dataclass(frozen=True)
class LearnedPage(Button, prefix="kb.learned"):
    """A page of the learned phrasings in ``/kbstats``."""

    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class ForgetLearned(Button, prefix="kb.forget"):
    """An admin removes a learned phrasing (listed on ``page``, shown again after)."""

    phrasing_id: int
    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class Dismiss(Button, prefix="kb.dismiss"):
    """An admin takes a question out of the queue without answering it."""

    question_id: int


@dataclass(frozen=True)
class SaveAsNote(Button, prefix="kb.save"):
    """An admin saves their answer as a note."""

    question_id: int


@dataclass(frozen=True)
class Done(Button, prefix="kb.done"):
    """An admin is done with an answered question (not saved as a note)."""

    question_id: int
