"""Phrasings learned from traffic: questions people asked, remembered as other ways of asking for a note.

A question becomes a learned phrasing of a note when its asker picks the note under "did you mean"
(:attr:`LearnedFrom.PICK`), or an admin answers the queued question by pointing to the note
(:attr:`LearnedFrom.ADMIN`). From then on the same question, and close variants of it, are answered with
the note outright, whoever asks, as long as they may see the note: a job seeker never gets a staff note, and
a phrasing whose note is gone (deleted, or left out as broken) answers nothing until the note is back.

Questions are compared in their comparable form (:func:`bot.knowledge.search.normalize_query`: script,
width, punctuation, greetings, particles and question words folded away) with rapidfuzz's ``ratio``, at
:data:`MATCH_THRESHOLD` or above: after normalising, one character added or dropped in a question of four
characters or more, one changed in nine or more. Typos in shorter questions are the matcher's job.

Every phrasing has a score: :data:`PICK_SCORE` or :data:`ADMIN_SCORE` when learned, one more (up to
:data:`MAX_SCORE`) each time the same pairing is learned again or an answer it gave gets 👍, one less for
each 👎 on an answer it gave; at 0 it is removed. Admins see and remove phrasings in ``/kbstats``;
``python -m bot kb learned export`` prints them as ``questions:`` of their notes.

The table is the truth. :class:`LearnedSet` is the copy the search thread reads: an immutable snapshot,
replaced whole (:class:`~bot.knowledge.service.KnowledgeBase` does it) whenever a phrasing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.knowledge.models import LearnedFrom, LearnedPhrasing
from bot.knowledge.search import normalize_query

MATCH_THRESHOLD = 88.0
PICK_SCORE = 2
ADMIN_SCORE = 3
MAX_SCORE = 5
#: The longest comparable form learned (the column's length); longer texts are pasted, not asked.
MAX_NORMALIZED = 200


def comparable(text: str) -> str | None:
    """The form questions are compared in, or None when there is nothing to learn (only greetings and
    particles, or a pasted text far longer than a question)."""
    normalized = normalize_query(text)
    if not normalized or len(normalized) > MAX_NORMALIZED:
        return None
    return normalized


@dataclass(frozen=True, slots=True)
class Learned:
    """A learned phrasing as the search sees it."""

    id: int
    note_id: str
    normalized: str
    score: int

    @classmethod
    def of(cls, row: LearnedPhrasing) -> Learned:
        assert row.id is not None
        return cls(row.id, row.note_id, row.normalized, row.score)


@dataclass(frozen=True, slots=True)
class LearnedMatch:
    """The learned phrasing that answers a question, and how close the question is to it (0–100)."""

    learned: Learned
    similarity: float


class LearnedSet:
    """Every learned phrasing, searchable; never changed in place (see :meth:`with_` and :meth:`without`)."""

    __slots__ = ("_entries", "_texts")

    def __init__(self, entries: Iterable[Learned] = ()) -> None:
        self._entries: tuple[Learned, ...] = tuple(sorted(entries, key=lambda e: e.id))
        self._texts = [entry.normalized for entry in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def with_(self, entry: Learned) -> LearnedSet:
        """A copy holding ``entry`` (in place of the phrasing with its id, if any)."""
        return LearnedSet([*(e for e in self._entries if e.id != entry.id), entry])

    def without(self, phrasing_id: int) -> LearnedSet:
        """A copy without the phrasing ``phrasing_id``."""
        return LearnedSet(e for e in self._entries if e.id != phrasing_id)

    def match(self, normalized: str, visible: Callable[[str], bool]) -> LearnedMatch | None:
        """The closest phrasing of a note ``visible`` to the asker, at :data:`MATCH_THRESHOLD` or above
        (ties: the higher score, then the newer phrasing)."""
        if not normalized or not self._texts:
            return None
        best: LearnedMatch | None = None
        hits = process.extract(
            normalized, self._texts, scorer=fuzz.ratio, score_cutoff=MATCH_THRESHOLD, limit=None
        )
        for _text, similarity, position in hits:
            entry = self._entries[position]
            if not visible(entry.note_id):
                continue
            if best is None or (similarity, entry.score, entry.id) > (
                best.similarity,
                best.learned.score,
                best.learned.id,
            ):
                best = LearnedMatch(entry, float(similarity))
        return best


async def load(session: AsyncSession) -> LearnedSet:
    """Every learned phrasing in the database."""
    rows = await session.exec(select(LearnedPhrasing))
    return LearnedSet(Learned.of(row) for row in rows.all())


async def learn(
    session: AsyncSession,
    *,
    text: str,
    note_id: str,
    audience: str,
    source: LearnedFrom,
    person_id: int | None,
    now: datetime | None = None,
) -> LearnedPhrasing | None:
    """Learn ``text`` as a phrasing of ``note_id``; a pairing learned before is raised instead (one statement,
    so two people teaching the same pairing at once raise it twice).

    Returns the phrasing, or None when the text has nothing to learn (see :func:`comparable`).
    """
    normalized = comparable(text)
    if normalized is None:
        return None
    start = ADMIN_SCORE if source == LearnedFrom.ADMIN else PICK_SCORE
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(LearnedPhrasing).values(
        note_id=note_id,
        normalized=normalized,
        text=" ".join(text.split()),
        audience=audience,
        source=source,
        score=start,
        created_by_id=person_id,
        created_at=now or utcnow(),
    )
    raised = LearnedPhrasing.score + 1
    statement = statement.on_conflict_do_update(
        index_elements=["normalized", "note_id"],
        set_={"score": case((raised > MAX_SCORE, MAX_SCORE), (raised < start, start), else_=raised)},
    ).returning(col(LearnedPhrasing.id))
    phrasing_id = (await session.exec(statement)).one()[0]  # type: ignore[call-overload]
    await session.commit()
    return await session.get(LearnedPhrasing, phrasing_id, populate_existing=True)


async def adjust(session: AsyncSession, phrasing_id: int, step: int) -> LearnedPhrasing | None:
    """Raise (``step`` > 0, up to :data:`MAX_SCORE`) or lower a phrasing's score; at 0 it is removed.

    Returns the phrasing as it is now, or None if it is gone.
    """
    raised = LearnedPhrasing.score + step
    await session.exec(
        update(LearnedPhrasing)  # type: ignore[call-overload]
        .where(col(LearnedPhrasing.id) == phrasing_id)
        .values(score=case((raised > MAX_SCORE, MAX_SCORE), else_=raised))
    )
    phrasing = await session.get(LearnedPhrasing, phrasing_id, populate_existing=True)
    if phrasing is not None and phrasing.score <= 0:
        await session.delete(phrasing)
        phrasing = None
    await session.commit()
    return phrasing


async def remove(session: AsyncSession, phrasing_id: int) -> LearnedPhrasing | None:
    """Remove a phrasing (an admin found it wrong); returns it, or None if it was gone already."""
    phrasing = await session.get(LearnedPhrasing, phrasing_id)
    if phrasing is None:
        return None
    await session.delete(phrasing)
    await session.commit()
    return phrasing


async def recent(session: AsyncSession, *, page: int, size: int) -> tuple[list[LearnedPhrasing], int]:
    """One page of the phrasings, most recently learned first, and how many there are in all."""
    total = (await session.exec(select(func.count()).select_from(LearnedPhrasing))).one()
    rows = await session.exec(
        select(LearnedPhrasing)
        .order_by(col(LearnedPhrasing.created_at).desc(), col(LearnedPhrasing.id).desc())
        .offset(page * size)
        .limit(size)
    )
    return list(rows.all()), int(total)


async def of_notes(session: AsyncSession, note_id: str | None = None) -> list[LearnedPhrasing]:
    """The phrasings of one note (or of every note), by note, oldest first."""
    query = select(LearnedPhrasing).order_by(LearnedPhrasing.note_id, LearnedPhrasing.id)
    if note_id is not None:
        query = query.where(LearnedPhrasing.note_id == note_id)
    return list((await session.exec(query)).all())
