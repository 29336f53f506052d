"""Progress, for the person learning (``/learn``) and for the admins (``/training``, the workbook): day
reached, quiz accuracy, lessons whose quiz is overdue, weakest notes, reviews due, the questions most often
answered wrong across everyone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.knowledge.notes import Plan
from bot.people.models import Person
from bot.training.catalog import Catalog
from bot.training.models import (
    Enrolment,
    EnrolmentState,
    Lesson,
    LessonState,
    PollState,
    QuizPoll,
    ReviewCard,
)
from bot.training.service.calendar import load_days
from bot.training.service.common import Office

OVERDUE_AFTER = timedelta(days=1)
"""A lesson whose quiz is still not fully answered this long after it went out is overdue."""
WEAKEST_SHOWN = 2
LOOKAHEAD_DAYS = 7


@dataclass(frozen=True, slots=True)
class QuizStats:
    """Polls that reached someone, how many were answered, how many right."""

    asked: int = 0
    answered: int = 0
    right: int = 0

    @property
    def unanswered(self) -> int:
        return self.asked - self.answered

    @property
    def accuracy(self) -> int | None:
        """Percent of answers right (None before the first answer)."""
        return round(100 * self.right / self.answered) if self.answered else None


@dataclass(frozen=True, slots=True)
class NoteScore:
    """How someone did on one note's questions."""

    note_id: str
    title: str
    right: int
    answered: int


@dataclass(frozen=True)
class Learner:
    """One person in training, as the admins see them."""

    enrolment: Enrolment
    person: Person
    plan: Plan | None
    quiz: QuizStats = QuizStats()
    overdue: int = 0
    weakest: tuple[NoteScore, ...] = ()
    reviews_due: int = 0
    undelivered: bool = False

    @property
    def days_total(self) -> int:
        return len(self.plan.days) if self.plan is not None else 0

    @property
    def days_done(self) -> int:
        """Days taught so far."""
        return (
            min(self.enrolment.next_day, self.days_total)
            if self.plan is not None
            else self.enrolment.next_day
        )

    @property
    def paused(self) -> bool:
        return self.enrolment.state == EnrolmentState.PAUSED

    @property
    def ready(self) -> bool:
        return self.enrolment.ready_at is not None


@dataclass(frozen=True, slots=True)
class FailedQuestion:
    """A question and how often it was answered wrong, across everyone."""

    note_id: str
    question: str
    wrong: int
    answered: int


@dataclass(frozen=True)
class LessonLine:
    """One lesson of someone's, with its quiz so far."""

    lesson: Lesson
    quiz: QuizStats


@dataclass(frozen=True)
class MyTraining:
    """What ``/learn`` shows: progress, today's lesson or the next one, reviews."""

    learner: Learner
    today: Lesson | None = None
    next_lesson: datetime | None = None
    next_review: date | None = None
    lessons: list[LessonLine] = field(default_factory=list)


def _stats(polls: Iterable[QuizPoll]) -> QuizStats:
    reached = [p for p in polls if p.state == PollState.SENT]
    answered = [p for p in reached if p.answered_at is not None]
    return QuizStats(len(reached), len(answered), sum(1 for p in answered if p.correct))


async def learners(
    session: AsyncSession, catalog: Catalog, office: Office, now: datetime, *, enrolment_id: int | None = None
) -> list[Learner]:
    """Everyone in training (or one enrolment), by name."""
    query = select(Enrolment, Person).join(Person, col(Person.id) == col(Enrolment.person_id))
    if enrolment_id is not None:
        query = query.where(Enrolment.id == enrolment_id)
    rows = (await session.exec(query.order_by(col(Person.first_name), col(Person.id)))).all()
    ids = [enrolment.id for enrolment, _ in rows]
    if not ids:
        return []
    polls: dict[int, list[QuizPoll]] = defaultdict(list)
    for poll in (await session.exec(select(QuizPoll).where(col(QuizPoll.enrolment_id).in_(ids)))).all():
        polls[poll.enrolment_id].append(poll)
    lessons: dict[int, list[Lesson]] = defaultdict(list)
    for lesson in (
        await session.exec(select(Lesson).where(col(Lesson.enrolment_id).in_(ids)).order_by(col(Lesson.id)))
    ).all():
        lessons[lesson.enrolment_id].append(lesson)
    today = office.today(now)
    due: dict[int, int] = defaultdict(int)
    for enrolment_ref in (
        await session.exec(
            select(ReviewCard.enrolment_id).where(
                col(ReviewCard.enrolment_id).in_(ids), col(ReviewCard.due_on) <= today
            )
        )
    ).all():
        due[enrolment_ref] += 1
    found = []
    for enrolment, person in rows:
        assert enrolment.id is not None
        mine = polls[enrolment.id]
        overdue = {
            lesson.id
            for lesson in lessons[enrolment.id]
            if lesson.created_at <= now - OVERDUE_AFTER
            and any(
                p.lesson_id == lesson.id and p.state == PollState.SENT and p.answered_at is None for p in mine
            )
        }
        latest = lessons[enrolment.id][-1] if lessons[enrolment.id] else None
        found.append(
            Learner(
                enrolment,
                person,
                catalog.plan(enrolment.plan_id),
                _stats(mine),
                len(overdue),
                _weakest(mine, catalog),
                due[enrolment.id],
                latest is not None and latest.state == LessonState.UNDELIVERED,
            )
        )
    return found


def _weakest(polls: list[QuizPoll], catalog: Catalog) -> tuple[NoteScore, ...]:
    """The notes someone answered wrong most often (in proportion), weakest first."""
    per_note: dict[str, list[QuizPoll]] = defaultdict(list)
    for poll in polls:
        if poll.answered_at is not None:
            per_note[poll.note_id].append(poll)
    scores = [
        NoteScore(
            note_id,
            catalog.notes[note_id].title if note_id in catalog.notes else note_id,
            sum(1 for p in answered if p.correct),
            len(answered),
        )
        for note_id, answered in per_note.items()
    ]
    weak = [score for score in scores if score.right < score.answered]
    weak.sort(key=lambda s: (s.right / s.answered, -s.answered, s.note_id))
    return tuple(weak[:WEAKEST_SHOWN])


async def most_failed(session: AsyncSession, *, limit: int = 5) -> list[FailedQuestion]:
    """The questions answered wrong most often across everyone: a sign that a note needs rewriting."""
    rows = (
        await session.exec(
            select(QuizPoll.note_id, QuizPoll.question_key, QuizPoll.question, QuizPoll.correct).where(
                col(QuizPoll.answered_at).is_not(None)
            )
        )
    ).all()
    counts: dict[tuple[str, str], list[int]] = {}
    texts: dict[tuple[str, str], str] = {}
    for note_id, key, question, correct in rows:
        entry = counts.setdefault((note_id, key), [0, 0])
        entry[0] += 0 if correct else 1
        entry[1] += 1
        texts[(note_id, key)] = question
    failed = [
        FailedQuestion(note_id, texts[(note_id, key)], wrong, answered)
        for (note_id, key), (wrong, answered) in counts.items()
        if wrong
    ]
    failed.sort(key=lambda f: (-f.wrong, -f.wrong / f.answered, f.note_id, f.question))
    return failed[:limit]


async def lesson_lines(session: AsyncSession, enrolment_id: int, *, limit: int = 10) -> list[LessonLine]:
    """Someone's latest lessons, newest first, each with its quiz so far."""
    lessons = (
        await session.exec(
            select(Lesson)
            .where(Lesson.enrolment_id == enrolment_id)
            .order_by(col(Lesson.id).desc())
            .limit(limit)
        )
    ).all()
    ids = [lesson.id for lesson in lessons]
    polls: dict[int | None, list[QuizPoll]] = defaultdict(list)
    for poll in (await session.exec(select(QuizPoll).where(col(QuizPoll.lesson_id).in_(ids)))).all():
        polls[poll.lesson_id].append(poll)
    return [LessonLine(lesson, _stats(polls[lesson.id])) for lesson in lessons]


async def my_training(
    session: AsyncSession, catalog: Catalog, office: Office, person: Person, now: datetime
) -> MyTraining | None:
    """What someone sees with ``/learn`` (None: not in training)."""
    enrolment = (await session.exec(select(Enrolment).where(Enrolment.person_id == person.id))).first()
    if enrolment is None or enrolment.id is None:
        return None
    (learner,) = await learners(session, catalog, office, now, enrolment_id=enrolment.id)
    today = office.today(now)
    lines = await lesson_lines(session, enrolment.id, limit=3)
    todays = next((line.lesson for line in lines if line.lesson.lesson_date == today), None)
    upcoming = await session.exec(
        select(ReviewCard.due_on)
        .where(ReviewCard.enrolment_id == enrolment.id, col(ReviewCard.due_on) > today)
        .order_by(col(ReviewCard.due_on))
    )
    next_lesson = None
    if (
        learner.plan is not None
        and not learner.paused
        and enrolment.next_day < len(learner.plan.days)
        and person.id is not None
    ):
        next_lesson = await _next_lesson(session, enrolment, learner.plan, person.id, office, now, todays)
    return MyTraining(learner, todays, next_lesson, upcoming.first(), lines)


async def _next_lesson(
    session: AsyncSession,
    enrolment: Enrolment,
    plan: Plan,
    person_id: int,
    office: Office,
    now: datetime,
    todays: Lesson | None,
) -> datetime | None:
    """When someone's next lesson goes out, within the next week (None if no workday of theirs is near)."""
    today = office.today(now)
    days = await load_days(
        session, today, today + timedelta(days=LOOKAHEAD_DAYS), office.tz, person_id=person_id
    )
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        if day == today and todays is not None:
            continue
        moment = days.moment(person_id, day, plan)
        if moment is not None and moment >= enrolment.enrolled_at:
            return moment
    return None
