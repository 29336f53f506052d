"""Ready for the floor: every day of the plan taught and every question answered right in the end. The admins
(and the person) are told once, through the outbox, in the transaction that marks it."""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import service as delivery
from bot.delivery.payload import Payload
from bot.i18n import gettext_for, language_of
from bot.knowledge.notes import Plan
from bot.people.models import Person, Role
from bot.training.models import Enrolment, Lesson, LessonState, PollState, QuizPoll
from bot.training.service.common import HTML, KIND, READY_REF, Office, target


async def is_ready(session: AsyncSession, enrolment: Enrolment, plan: Plan) -> bool:
    """Every day taught (its notes delivered) and, for every question of the plan's notes that was asked, the
    latest answer right. A question never answered is not done yet; one that could not be sent at all does
    not count (nor do questions of another plan the person learned before)."""
    if enrolment.next_day < len(plan.days):
        return False
    in_flight = await session.exec(
        select(Lesson.id).where(Lesson.enrolment_id == enrolment.id, Lesson.state == LessonState.NOTES)
    )
    if in_flight.first() is not None:
        return False
    polls = await session.exec(
        select(QuizPoll).where(QuizPoll.enrolment_id == enrolment.id, col(QuizPoll.state) != PollState.FAILED)
    )
    taught = {note_id for day in plan.days for note_id in day.note_ids}
    asked: set[tuple[str, str]] = set()
    latest: dict[tuple[str, str], tuple[datetime, bool]] = {}
    for poll in polls.all():
        if poll.note_id not in taught:
            continue
        key = (poll.note_id, poll.question_key)
        asked.add(key)
        if poll.answered_at is not None and (key not in latest or poll.answered_at >= latest[key][0]):
            latest[key] = (poll.answered_at, bool(poll.correct))
    return all(key in latest and latest[key][1] for key in asked)


async def mark_if_ready(
    session: AsyncSession, enrolment: Enrolment, plan: Plan, person: Person, office: Office, now: datetime
) -> bool:
    """Mark someone ready once (in the caller's transaction) and queue the news for the admins and for
    them; True if they became ready just now."""
    if enrolment.ready_at is not None or not await is_ready(session, enrolment, plan):
        return False
    claimed = await session.exec(
        update(Enrolment)
        .where(col(Enrolment.id) == enrolment.id, col(Enrolment.ready_at).is_(None))
        .values(ready_at=now)
    )
    if not claimed.rowcount:
        return False
    enrolment.ready_at = now
    right, answered = await _score(session, enrolment)
    await _tell_admins(session, enrolment, plan, person, office, right, answered, now)
    _ = gettext_for(language_of(person, office.default_language))
    text = _(
        "🎉 You finished the training “{plan}”: every question is answered right. You are ready for the "
        "floor! Questions you missed still come back now and then; /quiz asks one when it is due.",
        plan=plan.title,
    )
    await delivery.create_campaign(
        session,
        KIND,
        Payload(text=text),
        [target(person)],
        ref=f"{READY_REF}{enrolment.id}",
        now=now,
        commit=False,
    )
    return True


async def _score(session: AsyncSession, enrolment: Enrolment) -> tuple[int, int]:
    answered = (
        await session.exec(
            select(QuizPoll.correct).where(
                QuizPoll.enrolment_id == enrolment.id, col(QuizPoll.answered_at).is_not(None)
            )
        )
    ).all()
    return sum(1 for correct in answered if correct), len(answered)


async def _tell_admins(
    session: AsyncSession,
    enrolment: Enrolment,
    plan: Plan,
    person: Person,
    office: Office,
    right: int,
    answered: int,
    now: datetime,
) -> None:
    """One campaign per language among the admins (configured admins who never wrote: the default)."""
    admins = (await session.exec(select(Person).where(Person.role == Role.ADMIN))).all()
    by_language: dict[str, list[Person | int]] = {}
    for admin in admins:
        by_language.setdefault(language_of(admin, office.default_language), []).append(admin)
    known = {admin.telegram_id for admin in admins}
    for telegram_id in sorted(office.admin_ids - known):
        by_language.setdefault(office.default_language, []).append(telegram_id)
    for language, recipients in by_language.items():
        _ = gettext_for(language)
        percent = round(100 * right / answered) if answered else 0
        text = _(
            "🎓 <b>{name}</b> finished the training plan “{plan}” and is ready for the floor: {right}/{answered} "
            "answers right ({percent}%).",
            name=html.escape(person.display_name),
            plan=html.escape(plan.title),
            right=right,
            answered=answered,
            percent=percent,
        )
        targets = [target(r) if isinstance(r, Person) else delivery.Target(r, kind=None) for r in recipients]
        await delivery.create_campaign(
            session,
            KIND,
            Payload(text=text, parse_mode=HTML),
            targets,
            ref=f"{READY_REF}{enrolment.id}",
            now=now,
            commit=False,
        )
