"""The dashboard's HTTP side: its page and static files, and a JSON API checking the role on every route.

Signing in: ``POST api/session`` with ``Authorization: tma <initData>`` answers a bearer token for an hour
(``bot.dashboard.auth``); every other API route wants ``Authorization: Bearer <token>``. The person's role is
read from the database on every request, so someone demoted loses access at once. Admins see everything;
staff see only their own page (asking for someone else's is refused); job seekers and strangers get nothing.
A failing request is logged and answered 500: it never reaches the bot.

Routes (S: staff and admins, each staff member limited to themselves; A: admins only): ``GET api/today`` S,
``GET api/people/{id}/week`` S, ``GET api/people/{id}/training`` S, ``GET api/training`` A,
``GET api/month`` S, ``GET api/month.xlsx`` A, ``GET api/requests`` A, ``POST api/requests/{id}/decision`` A,
``GET api/questions`` A, ``POST api/questions/{id}/answer`` A,
``POST api/questions/{id}/note`` A, ``GET api/applicants`` A, ``POST api/applications/{id}/status`` A,
``GET api/notes`` A, ``GET``/``PUT api/notes/{id}`` A, ``GET api/notices`` S, ``POST api/notices/{id}/remind`` A.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.attendance import cards, decisions
from bot.attendance.export import month_xlsx
from bot.attendance.reports import month_report
from bot.attendance.schedule import local_date
from bot.attendance.service import AnswerOutcome
from bot.clock import utcnow
from bot.context import BotApplication, BotContext, BotData
from bot.dashboard import service
from bot.dashboard.auth import InitDataError, Sessions, validate_init_data
from bot.i18n import gettext_for, language_of
from bot.jobs import service as jobs
from bot.jobs.models import ApplicationStatus
from bot.knowledge import service as knowledge
from bot.knowledge.notes import MAX_FILE_BYTES, parse_note_text
from bot.notices import service as notices
from bot.notices.buttons import ACK_LABEL
from bot.notices.models import NoticeState
from bot.notices.scheduled import reminder_message
from bot.people.models import Person, Role
from bot.training import service as training
from bot.training.catalog import Catalog, load_catalog

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
BOT: web.AppKey[BotApplication] = web.AppKey("dashboard_bot")
SESSIONS = web.AppKey("dashboard_sessions", Sessions)
#: Telegram's limit on a message, less room for the question quoted before the answer.
MAX_ANSWER_LENGTH = 3500
#: The page loads and talks to nothing but this server (no CDN, no inline script): a name written by someone
#: that slipped into the page as markup could not run.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'"
)
MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, as the database knows them now."""

    person: Person

    @property
    def id(self) -> int:
        assert self.person.id is not None
        return self.person.id

    @property
    def is_admin(self) -> bool:
        return self.person.role == Role.ADMIN


Route = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


def _refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


def _person_in_view(request: web.Request, viewer: Viewer) -> int | web.Response:
    """The person id of the path, or the refusal: admins may look at anyone, staff only at themselves."""
    try:
        person_id = int(request.match_info["person_id"])
    except ValueError:
        return _refuse(404, "person")
    if not viewer.is_admin and person_id != viewer.id:
        return _refuse(403, "person")
    return person_id


def requires(role: Role) -> Callable[[Route], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """Serve the route only to a live session whose person holds ``role`` now (admins hold every role)."""

    def decorate(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @functools.wraps(route)
        async def guarded(request: web.Request) -> web.StreamResponse:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            found = request.app[SESSIONS].find(token, utcnow()) if scheme == "Bearer" and token else None
            if found is None:
                return _refuse(401, "session")
            async with request.app[BOT].bot_data.db() as session:
                person = await session.get(Person, found.person_id)
            if person is None or not (person.role == Role.ADMIN or person.role == role):
                return _refuse(403, "role")
            return await route(request, Viewer(person))

        return guarded

    return decorate


async def open_session(request: web.Request) -> web.Response:
    """Exchange Telegram's signed launch data for a session token; staff and admins only."""
    scheme, _, init_data = request.headers.get("Authorization", "").partition(" ")
    if scheme != "tma" or not init_data:
        return _refuse(401, "init_data")
    data = request.app[BOT].bot_data
    assert data.settings.bot_token is not None
    now = utcnow()
    try:
        user = validate_init_data(init_data, data.settings.bot_token.get_secret_value().strip(), now)
    except InitDataError as exc:
        log.info("refused dashboard launch data from %s: %s", request.remote, exc)
        return _refuse(401, "init_data")
    async with data.db() as session:
        person = await service.person_by_telegram_id(session, user.telegram_id)
    if person is None or person.id is None or not person.is_staff:
        return _refuse(403, "role")
    token, opened = request.app[SESSIONS].open(person.id, person.telegram_id, now)
    return web.json_response(
        {
            "token": token,
            "expires_in": int((opened.expires_at - now).total_seconds()),
            "person_id": person.id,
            "name": person.display_name,
            "role": person.role,
            "language": language_of(person, data.settings.default_language),
        }
    )


@requires(Role.STAFF)
async def today(request: web.Request, viewer: Viewer) -> web.Response:
    """Today's shifts: all of them for an admin, the viewer's own for staff."""
    data = request.app[BOT].bot_data
    async with data.db() as session:
        shown = await service.today(
            session, utcnow(), data.settings.tz, person_id=None if viewer.is_admin else viewer.id
        )
    return web.json_response(shown)


@requires(Role.STAFF)
async def person_week(request: web.Request, viewer: Viewer) -> web.Response:
    """A person's last seven days: anyone's for an admin, only their own for staff."""
    person_id = _person_in_view(request, viewer)
    if isinstance(person_id, web.Response):
        return person_id
    data = request.app[BOT].bot_data
    async with data.db() as session:
        person = await session.get(Person, person_id)
        if person is None or not person.is_staff:
            return _refuse(404, "person")
        shown = await service.week(session, person, utcnow(), data.settings.tz)
    return web.json_response(shown)


def _training_place(data: BotData) -> tuple[Catalog, training.Office]:
    settings = data.settings
    return load_catalog(data.knowledge), training.Office(
        settings.tz, settings.default_language, frozenset(settings.admin_ids)
    )


@requires(Role.ADMIN)
async def training_overview(request: web.Request, viewer: Viewer) -> web.Response:
    """Everyone in training with their readiness, as ``/training`` shows it."""
    data = request.app[BOT].bot_data
    catalog, office = await asyncio.to_thread(_training_place, data)
    async with data.db() as session:
        learners = await service.training_overview(session, catalog, office, utcnow())
    return web.json_response({"learners": learners})


@requires(Role.STAFF)
async def person_training(request: web.Request, viewer: Viewer) -> web.Response:
    """A person's training progress: anyone's for an admin, only their own for staff."""
    person_id = _person_in_view(request, viewer)
    if isinstance(person_id, web.Response):
        return person_id
    data = request.app[BOT].bot_data
    catalog, office = await asyncio.to_thread(_training_place, data)
    async with data.db() as session:
        person = await session.get(Person, person_id)
        if person is None or not person.is_staff:
            return _refuse(404, "person")
        shown = await service.person_training(session, catalog, office, person, utcnow())
    return web.json_response(shown)


@requires(Role.ADMIN)
async def pending_requests(request: web.Request, viewer: Viewer) -> web.Response:
    """Leave, swaps and corrections waiting for a decision."""
    data = request.app[BOT].bot_data
    async with data.db() as session:
        shown = await service.pending_requests(session, data.settings.tz)
    return web.json_response({"requests": shown})


@requires(Role.ADMIN)
async def decide_request(request: web.Request, viewer: Viewer) -> web.Response:
    """Approve or reject a request: attendance's own decision, with the same messages and card updates as the
    chat's buttons. ``{"approve": true}`` or ``{"approve": false}``."""
    try:
        request_id = int(request.match_info["request_id"])
        body = await request.json()
        approve = body["approve"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "bad_request")
    if not isinstance(approve, bool):
        return _refuse(400, "bad_request")
    application = request.app[BOT]
    data = application.bot_data
    async with data.db() as session:
        outcome, decided = await decisions.decide(
            session,
            request_id,
            viewer.person,
            approve,
            utcnow(),
            data.settings.tz,
            data.settings.default_language,
        )
    if decided is None:
        return _refuse(404, "request")
    if outcome == AnswerOutcome.DONE:
        data.sender.wake()
        await cards.settle_cards(BotContext(application), decided)
    return web.json_response({"outcome": outcome.value, "status": decided.status})


@requires(Role.ADMIN)
async def open_questions(request: web.Request, viewer: Viewer) -> web.Response:
    """The unanswered questions, oldest first."""
    data = request.app[BOT].bot_data
    async with data.db() as session:
        return web.json_response(await service.open_questions(session, data.settings.tz))


@requires(Role.ADMIN)
async def answer_question(request: web.Request, viewer: Viewer) -> web.Response:
    """Answer a queued question: ``{"text": "..."}``, delivered to the asker through the outbox."""
    try:
        question_id = int(request.match_info["question_id"])
        text = (await request.json())["text"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "bad_request")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_ANSWER_LENGTH:
        return _refuse(400, "bad_request")
    data = request.app[BOT].bot_data
    async with data.db() as session:
        outcome = await service.answer_question(
            session, question_id, viewer.person, text.strip(), data.settings.default_language
        )
    if outcome == service.AnswerOutcome.NOT_FOUND:
        return _refuse(404, "question")
    if outcome == service.AnswerOutcome.DONE:
        data.sender.wake()
    return web.json_response({"outcome": outcome.value})


def _month_asked(request: web.Request, tz: ZoneInfo) -> tuple[int, int] | None:
    """The ``month=YYYY-MM`` asked for (this month by default); None when it is not a month."""
    asked = request.query.get("month")
    if asked is None:
        today = local_date(utcnow(), tz)
        return today.year, today.month
    match = MONTH.fullmatch(asked)
    if match is None or not 1 <= int(match["month"]) <= 12:
        return None
    return int(match["year"]), int(match["month"])


@requires(Role.STAFF)
async def month(request: web.Request, viewer: Viewer) -> web.Response:
    """A month per person, per shift and per day: everyone's for an admin, the viewer's own for staff."""
    data = request.app[BOT].bot_data
    asked = _month_asked(request, data.settings.tz)
    if asked is None:
        return _refuse(400, "bad_request")
    async with data.db() as session:
        report = await month_report(
            session, *asked, utcnow(), data.settings.tz, person_id=None if viewer.is_admin else viewer.id
        )
    return web.json_response(service.month_data(report))


@requires(Role.ADMIN)
async def month_workbook(request: web.Request, viewer: Viewer) -> web.Response:
    """The month's ``.xlsx``, the same workbook as the chat's export."""
    data = request.app[BOT].bot_data
    asked = _month_asked(request, data.settings.tz)
    if asked is None:
        return _refuse(400, "bad_request")
    async with data.db() as session:
        report = await month_report(session, *asked, utcnow(), data.settings.tz)
    workbook = await asyncio.to_thread(month_xlsx, report, data.settings.tz)
    name = f"attendance-{asked[0]:04d}-{asked[1]:02d}.xlsx"
    return web.Response(
        body=workbook,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@requires(Role.ADMIN)
async def applicants(request: web.Request, viewer: Viewer) -> web.Response:
    """Each posting's applicants by status, phones included."""
    async with request.app[BOT].bot_data.db() as session:
        return web.json_response({"postings": await service.pipelines(session)})


@requires(Role.ADMIN)
async def applicant_status(request: web.Request, viewer: Viewer) -> web.Response:
    """Move an applicant along: ``{"status": "contacted" | "interviewed" | "hired" | "rejected"}``."""
    try:
        application_id = int(request.match_info["application_id"])
        status = ApplicationStatus((await request.json())["status"])
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "bad_request")
    if status not in jobs.ADMIN_STATUSES:
        return _refuse(400, "bad_request")
    application = request.app[BOT]
    data = application.bot_data
    async with data.db() as session:
        change = await service.change_status(
            session,
            application_id,
            status,
            viewer.person,
            bot_username=application.bot.username,
            invite_ttl=timedelta(hours=data.settings.invite_ttl_hours),
            default_language=data.settings.default_language,
            tz=data.settings.tz,
        )
    if change is None:
        return _refuse(404, "application")
    if change.invited or change.told or change.filled:
        data.sender.wake()
    return web.json_response(
        {"changed": change.changed, "invited": change.invited, "told": change.told, "filled": change.filled}
    )


@requires(Role.STAFF)
async def notices_route(request: web.Request, viewer: Viewer) -> web.Response:
    """For an admin, each notice's acknowledgements and who has not confirmed; for staff, the notices they
    have not confirmed yet."""
    data = request.app[BOT].bot_data
    async with data.db() as session:
        if viewer.is_admin:
            return web.json_response({"notices": await service.notices_overview(session, data.settings.tz)})
        return web.json_response(
            {"waiting": await service.my_notices(session, viewer.person, data.settings.tz)}
        )


@requires(Role.ADMIN)
async def remind_now(request: web.Request, viewer: Viewer) -> web.Response:
    """Remind those who have not confirmed a notice, now, as the chat's 🔔 button does."""
    try:
        notice_id = int(request.match_info["notice_id"])
    except ValueError:
        return _refuse(404, "notice")
    data = request.app[BOT].bot_data
    default = gettext_for(data.settings.default_language)
    async with data.db() as session:
        notice = await notices.get_notice(session, notice_id)
        if notice is None or notice.state != NoticeState.CONFIRMED or not notice.needs_ack:
            return _refuse(404, "notice")
        reminder = await notices.send_reminder(
            session,
            notice,
            text=reminder_message(default, notice),
            ack_label=default(ACK_LABEL),
            scheduled=False,
        )
    if reminder is None:
        return web.json_response({"reminded": 0})
    data.sender.wake()
    return web.json_response({"reminded": reminder.total})


@requires(Role.ADMIN)
async def save_as_note(request: web.Request, viewer: Viewer) -> web.Response:
    """Save an answered question as a note and reload the notes, as the chat's 💾 button does: the next
    person asking gets it from the bot. ``loaded`` is false when the notes have problems (see /reload)."""
    try:
        question_id = int(request.match_info["question_id"])
    except ValueError:
        return _refuse(404, "question")
    data = request.app[BOT].bot_data
    kb = data.knowledge
    async with data.db() as session:
        question = await knowledge.get_question(session, question_id)
        if question is None:
            return _refuse(404, "question")
        if not question.answer_text:
            return _refuse(409, "unanswered")
        note_id = await knowledge.save_answer_as_note(session, question, admin_id=viewer.id)
    await kb.load()
    saved = kb.note(note_id, audience="staff")
    loaded = saved is not None and kb.is_saved(saved)
    return web.json_response({"note": note_id, "loaded": loaded})


@requires(Role.ADMIN)
async def list_notes(request: web.Request, viewer: Viewer) -> web.Response:
    """Every loaded note: id, title, audience."""
    kb = request.app[BOT].bot_data.knowledge
    notes = sorted(kb.current().notes, key=lambda note: note.id)
    return web.json_response(
        {"notes": [{"id": n.id, "title": n.title, "audience": n.audience} for n in notes]}
    )


@requires(Role.ADMIN)
async def read_note(request: web.Request, viewer: Viewer) -> web.Response:
    """A note's file as it is written (front matter and body)."""
    kb = request.app[BOT].bot_data.knowledge
    note = kb.note(request.match_info["note_id"], audience="staff")
    if note is None:
        return _refuse(404, "note")
    text = await asyncio.to_thread(kb.text_of, note)
    return web.json_response({"id": note.id, "text": text})


@requires(Role.ADMIN)
async def write_note(request: web.Request, viewer: Viewer) -> web.Response:
    """Replace a note's text, checked as ``kb check`` checks a note before anything is written: a note with
    problems is refused with them, and the file stays as it was. Then the notes are reloaded."""
    kb = request.app[BOT].bot_data.knowledge
    note = kb.note(request.match_info["note_id"], audience="staff")
    if note is None:
        return _refuse(404, "note")
    try:
        text = (await request.json())["text"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "bad_request")
    if not isinstance(text, str) or len(text.encode()) > MAX_FILE_BYTES:
        return _refuse(400, "bad_request")
    checked, problems = parse_note_text(text, note_id=note.id, path=note.path)
    if checked is None or problems:
        return web.json_response({"error": "invalid", "problems": [str(p) for p in problems]}, status=400)
    if kb.is_saved(note):  # saved from chat: in the database, for every instance
        async with request.app[BOT].bot_data.db() as session:
            await knowledge.save_note_text(session, note.id, text, admin_id=viewer.id)
    else:
        await asyncio.to_thread(_replace, note.path, text)
    await kb.load()
    return web.json_response({"id": note.id, "title": checked.title})


def _replace(path: Path, text: str) -> None:
    """Write ``text`` beside the file and swap it in, so that a reload never reads it half-written."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, "utf-8")
    partial.replace(path)


async def page(request: web.Request) -> web.FileResponse:
    """The single page; everything else it needs is under ``static/``."""
    return web.FileResponse(
        STATIC_DIR / "index.html",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY},
    )


@web.middleware
async def contain_failures(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A dashboard request that fails is logged and answered 500; nothing reaches the bot."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("dashboard request %s %s failed", request.method, request.path)
        return _refuse(500, "internal")


def add_routes(app: web.Application, application: BotApplication) -> None:
    """Serve the dashboard from ``app``: the page at ``/``, ``/static/…`` and the API under ``/api/``."""
    app[BOT] = application
    app[SESSIONS] = Sessions()
    app.middlewares.append(contain_failures)
    app.router.add_get("/", page)
    app.router.add_static("/static", STATIC_DIR, append_version=False)
    app.router.add_post("/api/session", open_session)
    app.router.add_get("/api/today", today)
    app.router.add_get("/api/people/{person_id}/week", person_week)
    app.router.add_get("/api/people/{person_id}/training", person_training)
    app.router.add_get("/api/training", training_overview)
    app.router.add_get("/api/requests", pending_requests)
    app.router.add_post("/api/requests/{request_id}/decision", decide_request)
    app.router.add_get("/api/month", month)
    app.router.add_get("/api/month.xlsx", month_workbook)
    app.router.add_get("/api/applicants", applicants)
    app.router.add_post("/api/applications/{application_id}/status", applicant_status)
    app.router.add_get("/api/notices", notices_route)
    app.router.add_post("/api/notices/{notice_id}/remind", remind_now)
    app.router.add_get("/api/questions", open_questions)
    app.router.add_post("/api/questions/{question_id}/answer", answer_question)
    app.router.add_post("/api/questions/{question_id}/note", save_as_note)
    app.router.add_get("/api/notes", list_notes)
    app.router.add_get("/api/notes/{note_id:.+}", read_note)
    app.router.add_put("/api/notes/{note_id:.+}", write_note)
