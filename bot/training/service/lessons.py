"""A lesson a day: which lessons are due now, claiming one (its day, its messages, its quiz, its reviews, in
one transaction), and moving a lesson on as the outbox delivers its messages one after the other.

The schedule is read from the database every minute: a lesson is due when the person's lesson moment of the
day (``bot.training.timing``) has come, they are not on a shift, and they have no lesson that day yet. A
lesson is claimed by moving the enrolment's ``next_day`` on (conditionally) and writing the lesson row (one
a day per person), together with the campaign of its first message and its polls: a restart neither repeats
nor loses it. Each further message is queued once the one before was delivered; the polls go out after the
last one (``bot.training.scheduled``).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import service as delivery
from bot.delivery.models import Campaign, Delivery, DeliveryState
from bot.delivery.payload import Payload
from bot.i18n import Translate, gettext_for, language_of
from bot.knowledge.notes import Note, Plan, QuizQuestion
from bot.knowledge.render import MESSAGE_LIMIT, note_html, split_html
from bot.people.models import Person, Role
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, EnrolmentState, Lesson, LessonState, PollState, QuizPoll
from bot.training.service import polls
from bot.training.service.calendar import load_days
from bot.training.service.common import HTML, KIND, LESSON_REF, Office, target
from bot.training.service.readiness import mark_if_ready

log = logging.getLogger(__name__)

MAX_REVIEWS_PER_LESSON = 5
"""At most this many questions to review join a day's lesson (``/quiz`` asks the rest)."""


@dataclass(frozen=True, slots=True)
class Advanced:
    """What moving the lessons on did: messages queued, quizzes opened, lessons not delivered, people ready."""

    queued: int = 0
    quizzes: int = 0
    undelivered: int = 0
    ready: int = 0

    def __add__(self, other: Advanced) -> Advanced:
        return Advanced(
            self.queued + other.queued,
            self.quizzes + other.quizzes,
            self.undelivered + other.undelivered,
            self.ready + other.ready,
        )


def lesson_parts(
    _: Translate, plan: Plan, day_index: int | None, notes: Sequence[Note], questions: int, reviews: int
) -> list[str]:
    """The messages of a lesson (HTML): a heading with the day's first note, then one message per note
    (split where a note is longer than a message)."""
    if day_index is None:
        heading = "🔁 <b>" + _("Review: {count} questions you missed before.", count=reviews) + "</b>"
        return [heading]
    title = plan.days[day_index].title
    day, days = day_index + 1, len(plan.days)
    heading = (
        "📚 <b>"
        + (
            _("Training day {day} of {days}: {title}", day=day, days=days, title=html.escape(title))
            if title
            else _("Training day {day} of {days}", day=day, days=days)
        )
        + "</b>"
    )
    guide = (
        _("Read the notes below; {count} quiz questions follow them.", count=questions)
        if questions
        else _("Read the notes below.")
    )
    if reviews:
        guide += "\n" + _("Then {count} questions you missed before, to review.", count=reviews)
    chunks = [chunk for note in notes for chunk in split_html(note_html(note))]
    opening = f"{heading}\n{guide}"
    if chunks and len(opening) + 2 + len(chunks[0]) <= MESSAGE_LIMIT:
        return [f"{opening}\n\n{chunks[0]}", *chunks[1:]]
    return [opening, *chunks]


async def start_due_lessons(session: AsyncSession, catalog: Catalog, office: Office, now: datetime) -> int:
    """Claim every lesson due now (one per person at most); returns how many were claimed."""
    rows = (
        await session.exec(
            select(Enrolment, Person)
            .join(Person, col(Person.id) == col(Enrolment.person_id))
            .where(
                col(Enrolment.state) == EnrolmentState.ACTIVE,
                col(Person.role).in_([Role.STAFF, Role.ADMIN]),
            )
            .order_by(col(Enrolment.id))
        )
    ).all()
    if not rows:
        return 0
    today = office.today(now)
    # Tomorrow too: the lesson before a shift starting just after midnight goes out the evening before.
    candidates = (today, today + timedelta(days=1))
    days = await load_days(session, today, candidates[-1], office.tz)
    taken = set(
        (
            await session.exec(
                select(Lesson.enrolment_id, Lesson.lesson_date).where(col(Lesson.lesson_date).in_(candidates))
            )
        ).all()
    )
    due: list[_Due] = []
    for enrolment, person in rows:
        plan = catalog.plan(enrolment.plan_id)
        if plan is None or enrolment.id is None or person.id is None:
            continue
        for day in candidates:
            if (enrolment.id, day) in taken:
                continue
            moment = days.moment(person.id, day, plan)
            if (
                moment is not None
                and moment >= enrolment.enrolled_at
                and days.can_send(person.id, now, moment, day)
            ):
                due.append(_Due(enrolment.id, person.id, plan, day, moment))
                break
    started = 0
    for item in due:
        try:
            if await _claim(session, catalog, item, office, now):
                started += 1
        except Exception:  # one person's lesson never holds back the others'
            log.exception(
                "the lesson of enrolment %s on %s could not be started", item.enrolment_id, item.day
            )
            await session.rollback()
    return started


@dataclass(frozen=True, slots=True)
class _Due:
    """A lesson due now: whose, under which plan, for which day, due since when."""

    enrolment_id: int
    person_id: int
    plan: Plan
    day: date
    moment: datetime


async def _claim(session: AsyncSession, catalog: Catalog, item: _Due, office: Office, now: datetime) -> bool:
    """Claim one lesson: the plan's next day (or reviews only, after the last day), its first message
    queued and its polls written, all committed together; False if there is nothing to teach or someone
    else claimed it."""
    enrolment = await session.get(Enrolment, item.enrolment_id, populate_existing=True)
    person = await session.get(Person, item.person_id)
    if enrolment is None or person is None or enrolment.state != EnrolmentState.ACTIVE:
        return False
    plan, day, moment = item.plan, item.day, item.moment
    day_index: int | None = enrolment.next_day if enrolment.next_day < len(plan.days) else None
    if day_index is not None:
        claimed = await session.exec(
            update(Enrolment)
            .where(
                col(Enrolment.id) == enrolment.id,
                col(Enrolment.next_day) == day_index,
                col(Enrolment.state) == EnrolmentState.ACTIVE,
            )
            .values(next_day=day_index + 1)
        )
        if not claimed.rowcount:
            return False  # moved on meanwhile: nothing was changed
    questions: list[tuple[Note, QuizQuestion]] = []
    notes: list[Note] = []
    if day_index is not None:
        notes = catalog.day_notes(plan, day_index)
        questions = catalog.questions(plan, day_index)
    assert enrolment.id is not None
    cards = await polls.due_reviews(session, enrolment.id, catalog, day, limit=MAX_REVIEWS_PER_LESSON)
    if day_index is None and not cards:
        await session.commit()  # cards whose question is gone were retired
        return False
    _ = gettext_for(language_of(person, office.default_language))
    lesson = Lesson(
        enrolment_id=enrolment.id,
        plan_id=plan.id,
        day_index=day_index,
        lesson_date=day,
        due_at=moment,
        created_at=now,
        state=LessonState.NOTES,
        note_ids=[note.id for note in notes],
        parts=lesson_parts(_, plan, day_index, notes, len(questions), len(cards)),
    )
    session.add(lesson)
    await session.flush()
    assert lesson.id is not None
    position = 0
    for note, question in questions:
        session.add(
            QuizPoll(
                enrolment_id=enrolment.id,
                lesson_id=lesson.id,
                position=position,
                note_id=note.id,
                question_key=question.key,
                question=question.question,
                options=list(question.options),
                correct_option=question.answer,
                explanation=question.explanation,
                chat_id=person.telegram_id,
                created_at=now,
            )
        )
        position += 1
    for card in cards:
        session.add(
            polls.review_poll(
                enrolment,
                card,
                catalog,
                person.telegram_id,
                lesson_id=lesson.id,
                position=position,
                created_at=now,
            )
        )
        position += 1
    await _queue_part(session, lesson, person, 0, now)
    await session.commit()
    return True


async def _queue_part(
    session: AsyncSession, lesson: Lesson, person: Person, index: int, now: datetime
) -> None:
    """Queue message ``index`` of a lesson in the outbox (in the caller's transaction)."""
    campaign = await delivery.create_campaign(
        session,
        KIND,
        Payload(text=lesson.parts[index], parse_mode=HTML, link_preview=False),
        [target(person)],
        ref=f"{LESSON_REF}{lesson.id}:{index}",
        now=now,
        commit=False,
    )
    lesson.parts_queued = index + 1
    lesson.campaign_id = campaign.id
    session.add(lesson)


async def advance_lessons(session: AsyncSession, catalog: Catalog, office: Office, now: datetime) -> Advanced:
    """Move every lesson whose current message reached a final state on: the next message, or the quiz, or
    — when the message could not be delivered (the bot is blocked) — the day is given back, to be taught
    on the next working day."""
    rows = (
        await session.exec(
            select(Lesson.id, Delivery.state)
            .outerjoin(Campaign, col(Campaign.id) == col(Lesson.campaign_id))
            .outerjoin(Delivery, col(Delivery.campaign_id) == col(Campaign.id))
            .where(col(Lesson.state) == LessonState.NOTES)
            .order_by(col(Lesson.id))
        )
    ).all()
    done = Advanced()
    for lesson_id, state in rows:
        if state in (DeliveryState.PENDING, DeliveryState.SENDING) or lesson_id is None:
            continue
        try:
            step = await _advance(session, catalog, office, lesson_id, state, now)
        except Exception:  # one person's lesson never holds back the others'
            log.exception("lesson %s could not be moved on", lesson_id)
            await session.rollback()
            continue
        done += step
    return done


async def _advance(
    session: AsyncSession, catalog: Catalog, office: Office, lesson_id: int, state: str | None, now: datetime
) -> Advanced:
    """Move one lesson on, its current message having reached the final ``state``."""
    lesson = await session.get(Lesson, lesson_id, populate_existing=True)
    enrolment = await session.get(Enrolment, lesson.enrolment_id) if lesson is not None else None
    person = await session.get(Person, enrolment.person_id) if enrolment is not None else None
    if lesson is None or enrolment is None or person is None or lesson.state != LessonState.NOTES:
        return Advanced()
    if state != DeliveryState.SENT:
        return Advanced(undelivered=await _undelivered(session, lesson, enrolment))
    index = lesson.parts_queued  # the next message (the update below refreshes the loaded lesson)
    if index < len(lesson.parts):
        claimed = await session.exec(
            update(Lesson)
            .where(
                col(Lesson.id) == lesson.id,
                col(Lesson.state) == LessonState.NOTES,
                col(Lesson.parts_queued) == index,
            )
            .values(parts_queued=index + 1)
        )
        if not claimed.rowcount:
            return Advanced()
        await _queue_part(session, lesson, person, index, now)
        await session.commit()
        return Advanced(queued=1)
    claimed = await session.exec(
        update(Lesson)
        .where(col(Lesson.id) == lesson.id, col(Lesson.state) == LessonState.NOTES)
        .values(state=LessonState.QUIZ)
    )
    if not claimed.rowcount:
        return Advanced()
    plan = catalog.plan(enrolment.plan_id)
    ready = plan is not None and await mark_if_ready(session, enrolment, plan, person, office, now)
    await session.commit()
    return Advanced(quizzes=1, ready=int(ready))


async def _undelivered(session: AsyncSession, lesson: Lesson, enrolment: Enrolment) -> int:
    """The lesson's message could not be delivered: its quiz is dropped and its day taught again later."""
    marked = await session.exec(
        update(Lesson)
        .where(col(Lesson.id) == lesson.id, col(Lesson.state) == LessonState.NOTES)
        .values(state=LessonState.UNDELIVERED)
    )
    if not marked.rowcount:
        return 0
    await session.exec(
        update(QuizPoll)
        .where(col(QuizPoll.lesson_id) == lesson.id, col(QuizPoll.state) == PollState.PENDING)
        .values(state=PollState.FAILED, error="the lesson's notes were not delivered")
    )
    if lesson.day_index is not None:
        await session.exec(
            update(Enrolment)
            .where(col(Enrolment.id) == enrolment.id, col(Enrolment.next_day) == lesson.day_index + 1)
            .values(next_day=lesson.day_index)
        )
    await session.commit()
    return 1
