"""What the dashboard's screens show and the changes it makes, as JSON-ready data. No Telegram: attendance's
reports, knowledge's queue, jobs' applications, notices' acknowledgements, training's progress and the
delivery outbox, through their public functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.attendance import service as attendance
from bot.attendance.models import Shift
from bot.attendance.reports import Entry, Mark, MonthReport, ShiftDay, day_report, shift_days
from bot.attendance.schedule import local_date
from bot.clock import utcnow
from bot.dashboard.models import MenuButtonSet
from bot.delivery import service as delivery
from bot.delivery.payload import Payload
from bot.delivery.service import Target
from bot.i18n import translator_for
from bot.jobs import outbox as jobs_outbox
from bot.jobs import service as jobs
from bot.jobs.models import ApplicationStatus
from bot.knowledge import service as knowledge
from bot.knowledge.models import Feedback, QueueState
from bot.notices import service as notices
from bot.notices.models import NoticeState
from bot.people.models import Person, Role
from bot.training import service as training
from bot.training.catalog import Catalog

WEEK_DAYS = 7
QUESTIONS_SHOWN = 50
#: The delivery outbox's kind of the messages the dashboard queues.
ANSWER_KIND = "dashboard"
POSTINGS_SHOWN = 20
NOTICES_SHOWN = 10
#: The applicants' pipeline, column by column.
PIPELINE = (
    ApplicationStatus.NEW,
    ApplicationStatus.CONTACTED,
    ApplicationStatus.INTERVIEWED,
    ApplicationStatus.HIRED,
    ApplicationStatus.REJECTED,
)
MONTH_MARKS = (Mark.ON_TIME, Mark.LATE, Mark.ABSENT, Mark.LEAVE)


async def person_by_telegram_id(session: AsyncSession, telegram_id: int) -> Person | None:
    """The person a Telegram user is, if the bot knows them."""
    result = await session.exec(select(Person).where(Person.telegram_id == telegram_id))
    return result.first()


def _clock(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%H:%M") if moment is not None else None


def _entry(entry: Entry, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "person_id": entry.person.id,
        "name": entry.person.display_name,
        "mark": entry.mark.value,
        "late_minutes": entry.late_minutes,
        "early_minutes": entry.early_minutes,
        "checkin_at": _clock(entry.checkin_at, tz),
        "checkout_at": _clock(entry.checkout_at, tz),
    }


def _shift(group: ShiftDay, tz: ZoneInfo, person_id: int | None) -> dict[str, Any] | None:
    entries = [e for e in group.entries if person_id is None or e.person.id == person_id]
    if not entries:
        return None
    occ = group.occ
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.mark.value] = counts.get(entry.mark.value, 0) + 1
    return {
        "shift_id": occ.shift.id,
        "name": occ.shift.name,
        "date": occ.work_date.isoformat(),
        "starts_at": _clock(occ.starts_at, tz),
        "ends_at": _clock(occ.ends_at, tz),
        "counts": counts,
        "people": [_entry(e, tz) for e in entries],
    }


def _shifts(groups: list[ShiftDay], tz: ZoneInfo, person_id: int | None) -> list[dict[str, Any]]:
    shown = (_shift(group, tz, person_id) for group in groups)
    return [shift for shift in shown if shift is not None]


async def today(
    session: AsyncSession, now: datetime, tz: ZoneInfo, *, person_id: int | None = None
) -> dict[str, Any]:
    """Every shift of today and everyone on it (only ``person_id``'s own entries when given)."""
    report = await day_report(session, local_date(now, tz), now, tz)
    return {
        "day": report.day.isoformat(),
        "day_off": report.plan.is_day_off,
        "holiday": report.plan.holiday,
        "updated_at": _clock(now, tz),
        "shifts": _shifts(report.shifts, tz, person_id),
    }


async def week(session: AsyncSession, person: Person, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """One person's shifts of the last seven days, today included, newest first."""
    last: date = local_date(now, tz)
    groups = await shift_days(session, last - timedelta(days=WEEK_DAYS - 1), last, now, tz)
    shifts = _shifts(groups, tz, person.id)
    shifts.reverse()
    return {"person_id": person.id, "name": person.display_name, "shifts": shifts}


async def people_with_access(session: AsyncSession) -> list[Person]:
    """Everyone the dashboard lets in: admins and staff."""
    result = await session.exec(select(Person).where(col(Person.role).in_([Role.ADMIN, Role.STAFF])))
    return list(result.all())


@dataclass(frozen=True, slots=True)
class MenuButtonChanges:
    """The menu buttons a start has to set (chat id → label) and to take back (chat ids), all else as it was."""

    to_set: dict[int, str]
    to_reset: list[int]


async def menu_button_changes(
    session: AsyncSession, url: str, label: str, default_language: str, admin_ids: frozenset[int]
) -> MenuButtonChanges:
    """Compare who should have the dashboard's menu button (admins and staff, in their language; configured
    admins the bot does not know yet, in the default one) with the buttons remembered as set."""
    wanted = {
        person.telegram_id: translator_for(person, default_language)(label)
        for person in await people_with_access(session)
    }
    default = translator_for(None, default_language)(label)
    for telegram_id in admin_ids - wanted.keys():
        wanted[telegram_id] = default
    remembered = {row.chat_id: row for row in (await session.exec(select(MenuButtonSet))).all()}
    to_set = {
        chat_id: text
        for chat_id, text in wanted.items()
        if chat_id not in remembered or (remembered[chat_id].url, remembered[chat_id].label) != (url, text)
    }
    return MenuButtonChanges(to_set, sorted(remembered.keys() - wanted.keys()))


async def remember_menu_buttons(
    session: AsyncSession, url: str, labels: dict[int, str], *, reset: Sequence[int] = ()
) -> None:
    """Remember the menu buttons just set (chat id → label) and forget those just taken back. Two rounds at
    once (the start's and someone's ``/dashboard``) both write: the later one wins."""
    if labels:
        connection = await session.connection()
        insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        now = utcnow()
        statement = insert(MenuButtonSet).values(
            [
                {"chat_id": chat_id, "url": url, "label": label, "set_at": now}
                for chat_id, label in labels.items()
            ]
        )
        await session.exec(
            statement.on_conflict_do_update(
                index_elements=["chat_id"],
                set_={"url": statement.excluded.url, "label": statement.excluded.label, "set_at": now},
            )
        )
    if reset:
        await session.exec(delete(MenuButtonSet).where(col(MenuButtonSet.chat_id).in_(reset)))
    await session.commit()


async def pending_requests(session: AsyncSession, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Leave, swaps and missed-punch corrections waiting for an admin, oldest first."""
    requests = await attendance.pending_requests(session)
    people_ids = {r.person_id for r in requests} | {r.colleague_id for r in requests if r.colleague_id}
    people = await _people(session, people_ids)
    shift_ids = {r.shift_id for r in requests if r.shift_id}
    shifts = (
        {s.id: s for s in (await session.exec(select(Shift).where(col(Shift.id).in_(shift_ids)))).all()}
        if shift_ids
        else {}
    )

    def name(person_id: int | None) -> str | None:
        person = people.get(person_id) if person_id is not None else None
        return person.display_name if person is not None else None

    return [
        {
            "id": r.id,
            "kind": r.kind,
            "person_id": r.person_id,
            "name": name(r.person_id),
            "start_date": r.start_date.isoformat(),
            "end_date": r.end_date.isoformat(),
            "reason": r.reason,
            "shift": shifts[r.shift_id].name if r.shift_id in shifts else None,
            "colleague": name(r.colleague_id),
            "punch": r.punch,
            "punch_at": _clock(r.punch_at, tz),
        }
        for r in requests
    ]


async def _people(session: AsyncSession, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    result = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {p.id: p for p in result.all() if p.id is not None}


async def open_questions(session: AsyncSession, tz: ZoneInfo) -> dict[str, Any]:
    """The admins' queue of unanswered (or disliked) questions, oldest first."""
    questions, total = await knowledge.open_queue(session, limit=QUESTIONS_SHOWN)
    people = await _people(session, {q.person_id for q in questions if q.person_id is not None})
    return {
        "total": total,
        "questions": [
            {
                "id": q.id,
                "asked_at": _stamp(q.asked_at, tz),
                "text": q.text,
                "disliked": q.feedback == Feedback.DOWN,
                "asker": people[q.person_id].display_name if q.person_id in people else None,
            }
            for q in questions
        ],
    }


class AnswerOutcome(StrEnum):
    """What answering a queued question did."""

    DONE = "done"
    NOT_FOUND = "not_found"
    ALREADY = "already"  # answered or dismissed by then


async def answer_question(
    session: AsyncSession, question_id: int, admin: Person, text: str, default_language: str
) -> AnswerOutcome:
    """Record an admin's answer and queue it, in the asker's language, for the chat the question came from
    (the same words as an answer given in chat), in one transaction: the answer is never recorded unsent."""
    question = await knowledge.get_question(session, question_id)
    if question is None:
        return AnswerOutcome.NOT_FOUND
    if question.queue_state != QueueState.OPEN:
        return AnswerOutcome.ALREADY
    asker = await session.get(Person, question.person_id) if question.person_id else None
    _ = translator_for(asker, default_language)
    words = _(
        "An admin answered your question “{question}”:\n\n{answer}", question=question.text, answer=text
    )
    target = Target(question.chat_id, asker.display_name if asker else str(question.chat_id))
    await delivery.create_campaign(
        session,
        ANSWER_KIND,
        Payload(text=words),
        [target],
        created_by_id=admin.id,
        ref=f"{ANSWER_KIND}:question:{question_id}",
        commit=False,
    )
    await knowledge.answer_question(session, question, admin_id=admin.id, text=text)  # commits both
    return AnswerOutcome.DONE


def _counts(marks: Counter[Mark]) -> dict[str, int]:
    return {mark.value: marks[mark] for mark in MONTH_MARKS}


def month_data(report: MonthReport) -> dict[str, Any]:
    """A month per person, per shift and per day: on time, late, absent, on leave."""
    shifts: dict[str, Counter[Mark]] = {}
    for line in report.lines:
        shifts.setdefault(line.shift_name, Counter())[line.entry.mark] += 1
    return {
        "month": f"{report.year:04d}-{report.month:02d}",
        "people": [
            {
                "person_id": m.person.id,
                "name": m.person.display_name,
                "scheduled": m.scheduled,
                "on_time": m.on_time,
                "late": m.late,
                "late_minutes": m.late_minutes,
                "absent": m.absent,
                "leave": m.leave,
            }
            for m in sorted(report.people, key=lambda m: (m.person.display_name, m.person.id or 0))
        ],
        "shifts": [{"name": name, **_counts(marks)} for name, marks in sorted(shifts.items())],
        "days": [{"date": day.isoformat(), **_counts(report.daily[day])} for day in sorted(report.daily)],
    }


async def pipelines(session: AsyncSession, *, limit: int = POSTINGS_SHOWN) -> list[dict[str, Any]]:
    """Each posting (drafts and open ones first) with its applicants by status: new, contacted, interviewed,
    hired, rejected (withdrawn ones left out). Phones included: only admins see this."""
    postings, _ = await jobs.all_postings(session, limit=limit)
    shown = []
    for posting in postings:
        assert posting.id is not None
        columns: dict[str, list[dict[str, Any]]] = {status.value: [] for status in PIPELINE}
        for application in await jobs.applicants(session, posting.id):
            if application.status in columns:
                columns[application.status].append(
                    {
                        "id": application.id,
                        "name": application.name,
                        "phone": application.phone,
                        "village": application.village,
                        "availability": application.availability,
                        "note": application.note,
                    }
                )
        shown.append(
            {
                "id": posting.id,
                "title": posting.title,
                "state": posting.state,
                "headcount": posting.headcount,
                "location": posting.location,
                "pipeline": columns,
            }
        )
    return shown


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What moving an applicant along did."""

    changed: bool
    invited: bool = False  # hired: a one-time staff invite is on its way to them
    told: bool = False  # the applicant is told of the new status
    filled: bool = False  # this hire filled the posting; the village groups' copies are being updated


async def change_status(
    session: AsyncSession,
    application_id: int,
    status: ApplicationStatus,
    admin: Person,
    *,
    bot_username: str,
    invite_ttl: timedelta,
    default_language: str,
    tz: ZoneInfo,
) -> StatusChange | None:
    """Move an application along as the chat's buttons do: a hire sends the applicant a staff invite (or
    tells them), and a hire that fills the posting updates its copies in the village groups; the messages go
    through the delivery outbox. None when there is no such application."""
    application = await jobs.get_application(session, application_id)
    if application is None:
        return None
    result = await jobs.set_status(session, application, status, by=admin)
    invited = told = False
    if result.changed and status == ApplicationStatus.HIRED:
        invite = await jobs_outbox.send_staff_invite(
            session,
            application,
            result.posting,
            admin,
            bot_username=bot_username,
            ttl=invite_ttl,
            default_language=default_language,
            tz=tz,
        )
        invited = invite is not None
        if not invited:
            told = (
                await jobs_outbox.notify_status(
                    session,
                    application,
                    result.posting,
                    default_language=default_language,
                    created_by_id=admin.id,
                )
                is not None
            )
    if result.filled:
        await jobs_outbox.refresh_announcements(
            session, result.posting, bot_username=bot_username, language=default_language, tz=tz
        )
    return StatusChange(result.changed, invited, told, result.filled)


async def notices_overview(
    session: AsyncSession, tz: ZoneInfo, *, limit: int = NOTICES_SHOWN
) -> list[dict[str, Any]]:
    """The latest sent notices: how many of the people they reached confirmed them, and who has not."""
    sent = [n for n in await notices.list_notices(session, limit=limit) if n.state == NoticeState.CONFIRMED]
    shown = []
    for notice in sent:
        status = await notices.ack_status(session, notice) if notice.needs_ack else None
        shown.append(
            {
                "id": notice.id,
                "summary": notice.summary,
                "sent_at": _stamp(notice.confirmed_at, tz),
                "needs_ack": notice.needs_ack,
                "acknowledged": len(status.acknowledged) if status else 0,
                "expected": status.expected if status else 0,
                "missing": [person.display_name for person in status.missing] if status else [],
            }
        )
    return shown


async def my_notices(session: AsyncSession, person: Person, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The notices a member of staff has not confirmed yet."""
    waiting = await notices.unacknowledged_for(session, person)
    return [{"id": n.id, "summary": n.summary, "sent_at": _stamp(n.confirmed_at, tz)} for n in waiting]


def _stamp(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%m-%d %H:%M") if moment is not None else None


def _learner(learner: training.Learner, tz: ZoneInfo) -> dict[str, Any]:
    """One person's training as training's own progress reports it (``/training``, ``/learn``)."""
    quiz = learner.quiz
    plan = learner.plan
    ready_at = learner.enrolment.ready_at
    return {
        "person_id": learner.person.id,
        "name": learner.person.display_name,
        "plan": plan.title if plan is not None else learner.enrolment.plan_id,
        "ready": learner.ready,
        "ready_on": ready_at.astimezone(tz).date().isoformat() if ready_at is not None else None,
        "paused": learner.paused,
        "days_done": learner.days_done,
        "days_total": learner.days_total,
        "answered": quiz.answered,
        "right": quiz.right,
        "accuracy": quiz.accuracy,
        "unanswered": quiz.unanswered,
        "overdue": learner.overdue,
        "reviews_due": learner.reviews_due,
        "undelivered": learner.undelivered,
        "weakest": [score.title for score in learner.weakest],
    }


async def training_overview(
    session: AsyncSession, catalog: Catalog, office: training.Office, now: datetime
) -> list[dict[str, Any]]:
    """Everyone in training, by name, with their readiness: what ``/training`` shows the admins."""
    return [
        _learner(learner, office.tz) for learner in await training.learners(session, catalog, office, now)
    ]


async def person_training(
    session: AsyncSession, catalog: Catalog, office: training.Office, person: Person, now: datetime
) -> dict[str, Any]:
    """One person's training as ``/learn`` shows it to them: days taught, today's lesson, the next one (its
    day, title and when it goes out), quiz accuracy, reviews due; ``enrolled`` false when not in training."""
    mine = await training.my_training(session, catalog, office, person, now)
    if mine is None:
        return {"person_id": person.id, "name": person.display_name, "enrolled": False}
    learner = mine.learner
    shown = {"enrolled": True, **_learner(learner, office.tz)}
    lesson = mine.today
    shown["today"] = (
        {"day": lesson.day_index + 1, "state": lesson.state}
        if lesson is not None and lesson.day_index is not None
        else None
    )
    plan = learner.plan
    upcoming = None
    if plan is not None and not learner.ready and not learner.paused and learner.days_done < len(plan.days):
        upcoming = {
            "day": learner.days_done + 1,
            "title": plan.days[learner.days_done].title,
            "at": _stamp(mine.next_lesson, office.tz),
        }
    shown["next_lesson"] = upcoming
    shown["next_review"] = mine.next_review.isoformat() if mine.next_review is not None else None
    return shown
