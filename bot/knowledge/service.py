"""The knowledge base at run time: the current index and learned phrasings, the question log, the admins'
queue, statistics.

Searching runs in one worker thread (:meth:`KnowledgeBase.lookup`), so a slow query never holds up other
people's updates; the index is read-only between reloads, and a reload builds the new index beside the old
one and swaps it in whole. No Telegram here: handlers pass plain values in and render what comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.knowledge import learned, saved
from bot.knowledge.learned import Learned, LearnedMatch, LearnedSet
from bot.knowledge.models import (
    Feedback,
    LearnedFrom,
    LearnedPhrasing,
    Outcome,
    Question,
    QueueState,
    SavedNote,
)
from bot.knowledge.notes import Note, Problem, is_stored, load_notes
from bot.knowledge.search import Audience, KnowledgeIndex, Match, SearchResult, normalize_query, semantic

log = logging.getLogger(__name__)

ANSWERS_FOLDER = "answers"
QUESTION_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Found:
    """What the bot makes of a question: the search result, and the learned phrasing that answered it."""

    result: SearchResult
    learned: LearnedMatch | None = None

    @property
    def learned_id(self) -> int | None:
        return self.learned.learned.id if self.learned else None


@dataclass(frozen=True)
class _Loaded:
    """An index and the note ids by :func:`note_key`, swapped in together."""

    index: KnowledgeIndex
    keys: dict[str, str]


@dataclass(frozen=True)
class _Stored:
    """The saved notes as read from the database, the :func:`saved.fingerprint` they were read at, and the
    order of the reading (an older reading finishing late never replaces a newer one)."""

    texts: dict[str, str]
    fingerprint: saved.Fingerprint | None
    reading: int


@dataclass
class KnowledgeBase:
    """The notes (the knowledge folder and the notes saved from chat), the index built from them, and the
    phrasings learned from questions (:mod:`bot.knowledge.learned`).

    With ``database`` (a session factory), the saved notes are read from it (:mod:`bot.knowledge.saved`) at
    every :meth:`load`, beside the files of ``saved_folder`` it does not hold yet; without it (tools, tests),
    from ``saved_folder`` alone.
    """

    folder: Path
    answer_threshold: float
    suggest_threshold: float
    saved_folder: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    learned: LearnedSet = field(default_factory=LearnedSet)
    database: Callable[[], AsyncSession] | None = None
    semantic_channel: semantic.SemanticChannel | None = None
    _stored: _Stored | None = field(default=None, init=False, repr=False)
    _readings: int = field(default=0, init=False, repr=False)
    _watcher: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _loaded: _Loaded | None = field(default=None, init=False, repr=False)
    _reloading: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _searcher: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="kb-search"), init=False, repr=False
    )

    def reload(self, stored: _Stored | None = None) -> list[Problem]:
        """Load the notes again: every good note is used, every broken one left out. Returns the problems.

        ``stored``: the saved notes just read from the database (else those read last). The new index is
        built beside the one in use and swapped in whole: a search running meanwhile finishes on the index
        it started with. A knowledge folder that cannot be found (unmounted, renamed) keeps the notes loaded
        before.
        """
        with self._reloading:
            if stored is not None:
                if self._stored is not None and stored.reading < self._stored.reading:
                    return self.problems  # a newer reading is in use already
                self._stored = stored
            texts = list(self._stored.texts.items()) if self._stored is not None else None
            loaded = load_notes(self.folder, self.saved_folder, texts)
            self.problems = loaded.problems
            if self._loaded is not None and not Path(self.folder).is_dir():
                return loaded.problems
            index = KnowledgeIndex.build(
                loaded.notes,
                loaded.synonyms,
                answer_threshold=self.answer_threshold,
                suggest_threshold=self.suggest_threshold,
                semantic_channel=self.semantic_channel,
            )
            self._loaded = _Loaded(index, {note_key(note.id): note.id for note in index.notes})
            return loaded.problems

    async def load(self) -> list[Problem]:
        """Read the saved notes from the database (with one), then :meth:`reload` in a worker thread, so that
        the bot keeps answering while the index is built."""
        stored = None
        if self.database is not None:
            self._readings += 1
            reading = self._readings
            async with self.database() as session:
                mark = await saved.fingerprint(session)  # first: a save in between is read again next time
                notes = await saved.all_notes(session)
            stored = _Stored({note.note_id: note.text for note in notes}, mark, reading)
        return await asyncio.to_thread(self.reload, stored)

    async def load_if_changed(self) -> bool:
        """Reload if a note was saved since the saved notes were last read (by any instance); whether it
        did. One cheap query when nothing changed."""
        if self.database is None:
            return False
        async with self.database() as session:
            mark = await saved.fingerprint(session)
        if self._stored is not None and mark == self._stored.fingerprint:
            return False
        await self.load()
        return True

    def watch(self, database_url: str) -> None:
        """On PostgreSQL, listen for the notes every instance saves and reload after each (see
        :func:`saved.listen`), until :meth:`stop_watching`. SQLite is checked by a scheduled job instead."""
        if self._watcher is not None or self.database is None or not database_url.startswith("postgresql"):
            return

        async def changed() -> None:
            if await self.load_if_changed():
                log.info("knowledge base: saved notes changed; %s notes loaded", self.size)

        listening = saved.listen(database_url, changed, keep_running=lambda: True)
        self._watcher = asyncio.create_task(listening, name="kb-saved-notes")
        log.info("knowledge base: listening for notes saved by any instance")

    async def stop_watching(self) -> None:
        """Stop listening (at shutdown)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def import_saved_folder(self) -> int:
        """Import the saved folder's note files the database does not hold yet (see
        :func:`saved.import_folder`); how many."""
        if self.database is None or self.saved_folder is None:
            return 0
        async with self.database() as session:
            return await saved.import_folder(session, self.saved_folder)

    def text_of(self, note: Note) -> str:
        """A note's text as it is written: the database's copy of a saved note, else its file (read in the
        calling thread)."""
        if is_stored(note) and self._stored is not None and note.id in self._stored.texts:
            return self._stored.texts[note.id]
        return note.path.read_text("utf-8")

    def is_saved(self, note: Note) -> bool:
        """Whether a note is one saved from chat, kept in the database."""
        return is_stored(note)

    def _current(self) -> _Loaded:
        if self._loaded is None:
            self.reload()
        assert self._loaded is not None
        return self._loaded

    def current(self) -> KnowledgeIndex:
        """The index in use, loaded on first use."""
        return self._current().index

    def search(self, text: str, *, audience: str, limit: int = 5) -> SearchResult:
        """Search the notes alone (no learned phrasings), in the calling thread."""
        return self.current().search(text, audience=_audience(audience), limit=limit)

    def find(self, text: str, *, audience: str, limit: int = 5) -> Found:
        """What to answer: the note of a learned phrasing close to ``text`` that this audience may see,
        else whatever the notes' search decides. Runs in the calling thread (see :meth:`lookup`)."""
        index, phrasings, seen_by = self.current(), self.learned, _audience(audience)
        result = index.search(text, audience=seen_by, limit=limit)

        def visible(note_id: str) -> bool:
            note = index.get(note_id)
            return note is not None and (seen_by == "staff" or note.audience == "public")

        hit = phrasings.match(normalize_query(text), visible)
        if hit is None:
            return Found(result)
        note = index.get(hit.learned.note_id)
        assert note is not None
        own = max([hit.similarity, *(m.score for m in result.matches if m.note.id == note.id)])
        others = [m for m in result.matches if m.note.id != note.id]
        matches = [Match(note, round(own, 2)), *others][: max(limit, 1)]
        return Found(SearchResult(result.query, note, matches, "answer"), hit)

    async def lookup(self, text: str, *, audience: str, limit: int = 5) -> Found:
        """:meth:`find` in the knowledge base's search thread: the event loop goes on serving meanwhile."""
        loop = asyncio.get_running_loop()
        work = functools.partial(self.find, text, audience=audience, limit=limit)
        return await loop.run_in_executor(self._searcher, work)

    def note(self, note_id: str, *, audience: str) -> Note | None:
        """A note by id, if this audience may see it."""
        note = self.current().get(note_id)
        if note is None or (audience == "public" and note.audience != "public"):
            return None
        return note

    @property
    def size(self) -> int:
        """How many notes the index holds."""
        return len(self.current().notes)

    def by_key(self, key: str, *, audience: str) -> Note | None:
        """The note whose :func:`note_key` is ``key``, if this audience may see it."""
        note_id = self._current().keys.get(key)
        return self.note(note_id, audience=audience) if note_id is not None else None

    async def load_learned(self, session: AsyncSession) -> None:
        """Read the learned phrasings from the database (at start, and on ``/reload``)."""
        self.learned = await learned.load(session)

    def remember(self, phrasing: LearnedPhrasing) -> None:
        """Search with a phrasing as it now is in the database."""
        self.learned = self.learned.with_(Learned.of(phrasing))

    def forget(self, phrasing_id: int) -> None:
        """Stop searching with a phrasing removed from the database."""
        self.learned = self.learned.without(phrasing_id)


def _audience(audience: str) -> Audience:
    return "public" if audience == "public" else "staff"


def note_key(note_id: str) -> str:
    """A short, stable key for a note id that fits in button data."""
    return hashlib.blake2s(note_id.encode(), digest_size=5).hexdigest()


# --- the question log ----------------------------------------------------------------------------


async def log_question(
    session: AsyncSession,
    *,
    person_id: int | None,
    chat_id: int,
    text: str,
    audience: str,
    result: SearchResult,
    learned_id: int | None = None,
    now: datetime | None = None,
) -> Question:
    """Record a question and what the bot did (``learned_id``: the learned phrasing that answered it);
    unknown questions join the admins' queue."""
    best = result.answer or (result.matches[0].note if result.matches else None)
    question = Question(
        asked_at=now or utcnow(),
        person_id=person_id,
        chat_id=chat_id,
        text=text[:QUESTION_MAX_LENGTH],
        audience=audience,
        note_id=best.id if best else None,
        score=result.matches[0].score if result.matches else 0.0,
        outcome=result.outcome,
        queue_state=QueueState.OPEN if result.outcome == Outcome.UNKNOWN else None,
        learned_id=learned_id,
    )
    session.add(question)
    await session.commit()
    return question


async def get_question(session: AsyncSession, question_id: int) -> Question | None:
    """One logged question."""
    return await session.get(Question, question_id)


async def settle_suggestion(session: AsyncSession, question: Question, note_id: str | None) -> Question:
    """The asker picked a suggested note (or none of them, which queues the question for admins)."""
    if note_id is None:
        question.queue_state = QueueState.OPEN
    else:
        question.note_id = note_id
        question.outcome = Outcome.ANSWER
    session.add(question)
    await session.commit()
    return question


async def pick_suggestion(
    session: AsyncSession, kb: KnowledgeBase, question: Question, note: Note
) -> LearnedPhrasing | None:
    """The asker picked ``note`` under "did you mean": it answers the question, and the question is learned
    as a phrasing of it (the first pick only: a later one is reading on). Returns the phrasing learned."""
    teaches = question.outcome == Outcome.SUGGEST
    await settle_suggestion(session, question, note.id)
    if not teaches:
        return None
    return await _learn(session, kb, question, note, LearnedFrom.PICK, question.person_id)


async def _learn(
    session: AsyncSession,
    kb: KnowledgeBase,
    question: Question,
    note: Note,
    source: LearnedFrom,
    person_id: int | None,
) -> LearnedPhrasing | None:
    """Learn a question as a phrasing of ``note``, link the two, and search with it from now on."""
    phrasing = await learned.learn(
        session,
        text=question.text,
        note_id=note.id,
        audience=question.audience,
        source=source,
        person_id=person_id,
    )
    if phrasing is None:
        return None
    question.learned_id = phrasing.id
    session.add(question)
    await session.commit()
    kb.remember(phrasing)
    return phrasing


_WORTH = {Feedback.UP: 1, Feedback.DOWN: -1, None: 0}


async def rate_answer(
    session: AsyncSession, kb: KnowledgeBase, question: Question, feedback: Feedback
) -> Question:
    """👍 or 👎 on an answer (:func:`record_feedback`); an answer given by a learned phrasing raises or
    lowers it (a changed verdict counts once: 👎 then 👍 leaves it where it was before, plus one)."""
    step = _WORTH[feedback] - _WORTH[Feedback(question.feedback) if question.feedback else None]
    question = await record_feedback(session, question, feedback)
    if question.learned_id is not None and step:
        phrasing_id = question.learned_id
        phrasing = await learned.adjust(session, phrasing_id, step)
        if phrasing is None:
            kb.forget(phrasing_id)
        else:
            kb.remember(phrasing)
    return question


async def record_feedback(
    session: AsyncSession, question: Question, feedback: Feedback, *, now: datetime | None = None
) -> Question:
    """👍 or 👎 on an answer; a 👎 puts the question in the admins' queue."""
    question.feedback = feedback
    question.feedback_at = now or utcnow()
    if feedback == Feedback.DOWN and question.queue_state is None:
        question.queue_state = QueueState.OPEN
    if (
        feedback == Feedback.UP
        and question.queue_state == QueueState.OPEN
        and question.outcome == Outcome.ANSWER
    ):
        question.queue_state = None
    session.add(question)
    await session.commit()
    return question


async def open_queue(session: AsyncSession, *, limit: int = 10) -> tuple[list[Question], int]:
    """The oldest open questions in the admins' queue, and how many are open in all."""
    where = Question.queue_state == QueueState.OPEN
    total = (await session.exec(select(func.count()).select_from(Question).where(where))).one()
    rows = await session.exec(select(Question).where(where).order_by(Question.asked_at).limit(limit))
    return list(rows.all()), int(total)


async def answer_question(
    session: AsyncSession, question: Question, *, admin_id: int | None, text: str, now: datetime | None = None
) -> Question:
    """An admin's answer to a queued question."""
    question.answer_text = text
    question.answered_by_id = admin_id
    question.answered_at = now or utcnow()
    question.queue_state = QueueState.ANSWERED
    session.add(question)
    await session.commit()
    return question


async def answer_with_note(
    session: AsyncSession,
    kb: KnowledgeBase,
    question: Question,
    note: Note,
    *,
    admin_id: int | None,
    now: datetime | None = None,
) -> LearnedPhrasing | None:
    """An admin answers a queued question by pointing to ``note`` (one its asker may see: the handler checks
    it); the question is learned as a phrasing of the note. Returns the phrasing learned."""
    question.answer_text = None
    question.saved_note_id = note.id
    question.answered_by_id = admin_id
    question.answered_at = now or utcnow()
    question.queue_state = QueueState.ANSWERED
    session.add(question)
    await session.commit()
    return await _learn(session, kb, question, note, LearnedFrom.ADMIN, admin_id)


async def forget_phrasing(
    session: AsyncSession, kb: KnowledgeBase, phrasing_id: int
) -> LearnedPhrasing | None:
    """An admin removes a learned phrasing; returns it, or None if it was gone already."""
    phrasing = await learned.remove(session, phrasing_id)
    kb.forget(phrasing_id)
    return phrasing


async def dismiss_question(session: AsyncSession, question: Question) -> Question:
    """Take a question out of the queue without answering it (spam, duplicate)."""
    question.queue_state = QueueState.DISMISSED
    session.add(question)
    await session.commit()
    return question


# --- saving an answer as a note ------------------------------------------------------------------

_TITLE_TRIM = re.compile(r"[\s?？!！。.,，~～]+$")


def note_text(
    title: str, questions: Sequence[str], body: str, *, tags: Sequence[str] = (), audience: str = "staff"
) -> str:
    """A note in the knowledge folder's format (YAML front matter, then the Markdown body)."""
    meta: dict[str, object] = {"title": title, "questions": list(questions)}
    if tags:
        meta["tags"] = list(tags)
    meta["audience"] = audience
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    return f"---\n{front}\n---\n{body.strip()}\n"


def answer_note_id(question: Question) -> str:
    """The id an answered question's note gets: ``answers/q<id>``."""
    assert question.id is not None
    return f"{ANSWERS_FOLDER}/q{question.id}"


async def save_answer_as_note(
    session: AsyncSession, question: Question, *, admin_id: int | None, title: str | None = None
) -> str:
    """Save an answered question as the note ``answers/q<id>`` in the database (every instance reloads; see
    :mod:`bot.knowledge.saved`) and remember it on the question; returns the note's id. Saving it again
    replaces the note's text with the question's answer as it now is."""
    assert question.id is not None and question.answer_text
    heading = title or _TITLE_TRIM.sub("", question.text.strip())[:60] or question.text[:60]
    note_id = answer_note_id(question)
    text = note_text(heading, [question.text], question.answer_text, audience=question.audience)
    question.saved_note_id = note_id
    session.add(question)
    await saved.save_note(session, note_id, text, person_id=admin_id)
    return note_id


async def save_note_text(
    session: AsyncSession, note_id: str, text: str, *, admin_id: int | None
) -> SavedNote:
    """Replace a saved note's text (checked by the caller, as ``kb check`` checks a note)."""
    return await saved.save_note(session, note_id, text, person_id=admin_id)


# --- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteStat:
    """How one note fared over a period."""

    note_id: str
    asked: int
    helpful: int
    unhelpful: int


@dataclass(frozen=True)
class KnowledgeStats:
    """The knowledge base's record over a period."""

    total: int
    answered: int
    suggested: int
    unknown: int
    open_in_queue: int
    most_asked: list[NoteStat]
    least_helpful: list[NoteStat]

    @property
    def unanswered_rate(self) -> float:
        return self.unknown / self.total if self.total else 0.0


async def knowledge_stats(
    session: AsyncSession, *, since: datetime, until: datetime, top: int = 5
) -> KnowledgeStats:
    """Counts by outcome, the most asked notes and the notes with the most 👎 between two moments."""
    in_period = (col(Question.asked_at) >= since) & (col(Question.asked_at) < until)
    counts = dict(
        (
            await session.exec(
                select(Question.outcome, func.count()).where(in_period).group_by(Question.outcome)
            )
        ).all()
    )
    queued = (
        await session.exec(
            select(func.count()).select_from(Question).where(Question.queue_state == QueueState.OPEN)
        )
    ).one()
    up = func.sum(case((Question.feedback == Feedback.UP, 1), else_=0))
    down = func.sum(case((Question.feedback == Feedback.DOWN, 1), else_=0))
    per_note = (
        await session.exec(
            select(Question.note_id, func.count(), up, down)
            .where(in_period, col(Question.note_id).is_not(None), Question.outcome == Outcome.ANSWER)
            .group_by(Question.note_id)
        )
    ).all()
    stats = [
        NoteStat(str(note_id), int(asked), int(ups or 0), int(downs or 0))
        for note_id, asked, ups, downs in per_note
    ]
    most_asked = sorted(stats, key=lambda s: (-s.asked, s.note_id))[:top]
    least_helpful = sorted(
        (s for s in stats if s.unhelpful), key=lambda s: (-(s.unhelpful / s.asked), -s.unhelpful, s.note_id)
    )[:top]
    return KnowledgeStats(
        total=sum(counts.values()),
        answered=counts.get(Outcome.ANSWER, 0),
        suggested=counts.get(Outcome.SUGGEST, 0),
        unknown=counts.get(Outcome.UNKNOWN, 0),
        open_in_queue=int(queued),
        most_asked=most_asked,
        least_helpful=least_helpful,
    )
