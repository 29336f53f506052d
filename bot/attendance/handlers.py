"""Telegram glue for attendance: check-in and out, shifts, calendar, leave, swaps, corrections, reports."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import admin_only, has_role, staff_only
from bot.attendance import audience, export, jobs, render, reports, service
from bot.attendance.calendar import PlanKind, covers_year
from bot.attendance.checkins import CheckInQueue
from bot.attendance.models import AttendanceRequest, DayKind, Punch, RequestKind, RequestStatus, Shift
from bot.attendance.render import esc
from bot.attendance.schedule import (
    ShiftError,
    local_date,
    parse_clock,
    parse_date,
    parse_month,
    parse_shift,
    parse_weekday,
)
from bot.attendance.service import AnswerOutcome, CheckInOutcome, CheckOutOutcome, RequestError
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.notices.audiences import audiences
from bot.people import service as people
from bot.people.models import Person, Role
from bot.replies import page_buttons

log = logging.getLogger(__name__)

ASSIGN_PAGE_SIZE = 10
CHECKINS_SERVICE = "attendance:check-ins"
MAX_OVERRIDE_DAYS = 31
MIN_RADIUS_M, MAX_RADIUS_M = 30, 5000
AWAIT_KEY = "attendance_awaiting"
CALENDAR_DAYS = 60
TOAST_MAX_LENGTH = 200

AnyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


# --- small helpers -------------------------------------------------------------------------------


async def _say(update: Update, context: BotContext, text: str, markup: AnyMarkup = None) -> None:
    """Answer in the chat the update came from (after acknowledging a pressed button)."""
    if update.callback_query:
        await update.callback_query.answer()
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
    )


def _today(context: BotContext) -> date:
    return local_date(utcnow(), context.settings.tz)


def _person(context: BotContext) -> Person:
    assert context.person is not None and context.person.id is not None
    return context.person


def _translator(context: BotContext, person: Person | None) -> Translate:
    return jobs.translator(person, context.settings)


async def _notify(context: BotContext, person: Person | None, text: str, markup: AnyMarkup = None) -> None:
    if person is None:
        return
    await jobs.send_paced(context.bot, [(person.telegram_id, text, markup)])  # type: ignore[list-item]


# --- check-in and check-out ----------------------------------------------------------------------


def _location_keyboard(_: Translate) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📍 Share my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _checkin_reply(_: Translate, result: service.CheckIn, context: BotContext) -> tuple[str, AnyMarkup]:
    tz = context.settings.tz
    fields = render.occ_fields(_, result.occ, tz) if result.occ else {}
    outcome = result.outcome
    if outcome == CheckInOutcome.DONE:
        assert result.record is not None and result.record.checkin_at is not None
        fields["time"] = render.clock(result.record.checkin_at, tz)
        if result.late_minutes:
            text = _(
                "✅ Checked in at {time} for {shift} ({start}–{end}). Late by {minutes} min.",
                minutes=result.late_minutes,
                **fields,
            )
        else:
            text = _(
                "✅ Checked in at {time} for {shift} ({start}–{end}). On time — have a good shift!", **fields
            )
        return text, ReplyKeyboardRemove() if result.distance_m is not None else None
    if outcome == CheckInOutcome.ALREADY:
        assert result.record is not None and result.record.checkin_at is not None
        fields["time"] = render.clock(result.record.checkin_at, tz)
        return _("You already checked in for {shift} at {time}. Nothing more to do.", **fields), None
    if outcome == CheckInOutcome.ON_LEAVE:
        return _("You are on leave for {shift} on {day}; no check-in needed.", **fields), None
    if outcome == CheckInOutcome.TOO_EARLY:
        return _(
            "Check-in is not open yet. Your next shift: {shift} on {day}, {start}–{end}; check-in opens at "
            "{opens}.",
            **fields,
        ), None
    if outcome == CheckInOutcome.CLOSED:
        text = _(
            "Check-in for {shift} closed at {close}, so you were not checked in. If you were at work on time, "
            "ask for a correction: /correct {date} in HH:MM reason",
            **fields,
        )
        return text, None
    if outcome == CheckInOutcome.NO_SHIFT:
        return _("You have no shift in the coming days. An admin assigns shifts."), None
    if outcome == CheckInOutcome.NEED_LOCATION:
        text = _(
            "To check in for {shift}, share your location with the button below (you must be within {radius} m "
            "of the workplace).",
            radius=result.radius_m,
            **fields,
        )
        return text, _location_keyboard(_)
    text = _(
        "📍 You are {distance} m from the workplace; check-in needs you within {radius} m. You are not checked "
        "in — try again when you are there.",
        distance=round(result.distance_m or 0),
        radius=result.radius_m,
    )
    return text, _location_keyboard(_)


def _checkins(context: BotContext) -> CheckInQueue:
    """The bot's check-in writer (made on first use)."""
    services = context.bot_data.services
    queue = services.get(CHECKINS_SERVICE)
    if queue is None:
        assert context.bot_data.db is not None
        queue = services[CHECKINS_SERVICE] = CheckInQueue(context.bot_data.db, context.settings.tz)
    return queue


async def _check_in(
    update: Update, context: BotContext, location: tuple[float, float] | None = None
) -> service.CheckIn:
    person = _person(context)
    assert person.id is not None
    result = await _checkins(context).check_in(person.id, utcnow(), location=location)
    if result.outcome == CheckInOutcome.NEED_LOCATION and context.user_data is not None:
        context.user_data[AWAIT_KEY] = "checkin"
    text, markup = _checkin_reply(context.gettext, result, context)
    query = update.callback_query
    if query is not None and markup is None and len(text) <= TOAST_MAX_LENGTH:
        await _answer_on_button(query, context, text, update)
    else:
        await _say(update, context, text, markup)
    return result


async def _answer_on_button(query: CallbackQuery, context: BotContext, text: str, update: Update) -> None:
    """Answer a pressed button at once with a toast, then write the answer into the message the button was
    on (replacing the button). The toast is not a message, so it is not held back by the flood limits when
    the whole floor checks in at once; the edit is, and runs in the background."""
    await query.answer(text)
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        context.application.create_task(_append(message, text), update=update)


async def _append(message: Message, text: str) -> None:
    try:
        await message.edit_text(f"{message.text_html}\n\n{text}", parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.info("could not update message %s: %s", message.message_id, exc)


@staff_only
async def checkin_command(update: Update, context: BotContext) -> None:
    """/checkin, or the 签到 button of a reminder."""
    await _check_in(update, context)


async def location_message(update: Update, context: BotContext) -> None:
    """A shared location: the workplace an admin was asked for, or a check-in."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    _ = context.gettext
    awaiting = context.user_data.pop(AWAIT_KEY, None) if context.user_data is not None else None
    if awaiting == "workplace" and has_role(context, Role.ADMIN):
        async with context.session() as session:
            config = await service.set_workplace(
                session, message.location.latitude, message.location.longitude
            )
        await message.reply_text(
            _(
                "📍 Workplace saved. From now on check-in needs a shared location within {radius} m of it. "
                "Change the distance with /workplace 300, turn the check off with /workplace off.",
                radius=config.radius_m,
            ),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    if not has_role(context, Role.STAFF):
        return
    if message.forward_origin is not None or message.venue is not None:
        await message.reply_text(
            _("Please share your current location with the button, not a forwarded message or a place."),
            reply_markup=_location_keyboard(_),
        )
        return
    await _check_in(update, context, (message.location.latitude, message.location.longitude))


def _checkout_reply(_: Translate, result: service.CheckOut, context: BotContext) -> tuple[str, AnyMarkup]:
    tz = context.settings.tz
    record = result.record
    name = esc(result.shift_name)
    if result.outcome == CheckOutOutcome.DONE:
        assert record is not None and record.checkout_at is not None
        text = _(
            "👋 Checked out of {shift} at {time}.", shift=name, time=render.clock(record.checkout_at, tz)
        )
        if result.early_minutes:
            text += " " + _("You left {minutes} min early.", minutes=result.early_minutes)
        return text, None
    if result.outcome == CheckOutOutcome.EARLY:
        assert record is not None
        text = _(
            "{shift} ends at {end}. Leave {minutes} min early and check out now?",
            shift=name,
            end=render.clock(record.ends_at, tz),
            minutes=result.early_minutes,
        )
        buttons = [
            InlineKeyboardButton(_("Yes, check out"), callback_data="att:out:early"),
            InlineKeyboardButton(_("No, I'm staying"), callback_data="att:out:stay"),
        ]
        return text, InlineKeyboardMarkup([buttons])
    if result.outcome == CheckOutOutcome.ALREADY:
        assert record is not None and record.checkout_at is not None
        return _(
            "You already checked out of {shift} at {time}.",
            shift=name,
            time=render.clock(record.checkout_at, tz),
        ), None
    if result.outcome == CheckOutOutcome.CLOSED:
        assert record is not None
        return _(
            "Your record of {shift} was closed because you did not check out in time. Ask for a correction: "
            "/correct {date} out HH:MM reason",
            shift=name,
            date=record.work_date.isoformat(),
        ), None
    return _("You are not checked in to any shift right now."), None


async def _check_out(update: Update, context: BotContext, *, early_ok: bool) -> None:
    person = _person(context)
    assert person.id is not None
    async with context.session() as session:
        result = await service.check_out(session, person.id, utcnow(), context.settings.tz, early_ok=early_ok)
    text, markup = _checkout_reply(context.gettext, result, context)
    query = update.callback_query
    if query is not None and markup is None and len(text) <= TOAST_MAX_LENGTH:
        await _answer_on_button(query, context, text, update)
    else:
        await _say(update, context, text, markup)


@staff_only
async def checkout_command(update: Update, context: BotContext) -> None:
    """/checkout: ask before leaving early."""
    await _check_out(update, context, early_ok=False)


@staff_only
async def checkout_button(update: Update, context: BotContext) -> None:
    """The 签退 button, and the answer to "leave early?"."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data == "att:out:stay":
        await query.answer(context.gettext("OK, keep up the good work!"))
        await query.edit_message_reply_markup(None)
        return
    await _check_out(update, context, early_ok=query.data == "att:out:early")


# --- my shifts and my attendance -----------------------------------------------------------------


@staff_only
async def myshifts_command(update: Update, context: BotContext) -> None:
    """A person's shifts and the next seven days."""
    _ = context.gettext
    person = _person(context)
    assert person.id is not None
    tz, today = context.settings.tz, _today(context)
    last = today + timedelta(days=6)
    async with context.session() as session:
        assignments = await service.person_assignments(session, person.id, today)
        duties = await service.roster(session, today, last, tz, person_id=person.id)
        plans = await service.day_plans(session, today, last)
    lines = ["<b>" + _("🗓 Your shifts") + "</b>"]
    if not assignments:
        lines.append(_("You are not on any shift yet. An admin assigns shifts."))
    for shift, assignment in assignments:
        line = "• " + render.shift_line(_, shift)
        if assignment.start_date > today:
            line += " " + _("(from {day})", day=render.day_label(_, assignment.start_date))
        if assignment.end_date is not None:
            line += " " + _("(until {day})", day=render.day_label(_, assignment.end_date))
        lines.append(line)
    lines += ["", "<b>" + _("Next 7 days") + "</b>"]
    for day, plan in plans.items():
        todays = [d for d in duties if d.occ.work_date == day]
        label = render.plan_label(_, plan)
        parts = [
            f"{esc(d.occ.shift.name)} {render.clock(d.occ.starts_at, tz)}–{render.clock(d.occ.ends_at, tz)}"
            + (" 🌴 " + _("on leave") if d.on_leave else "")
            for d in todays
        ]
        text = ", ".join(parts) if parts else "—"
        if label and (plan.is_day_off or parts):
            text += f" ({label})"
        lines.append(f"{render.day_label(_, day)}: {text}")
    lines += [
        "",
        _("Check in with /checkin, out with /checkout. Leave: /leave · swap: /swap · correction: /correct"),
    ]
    await _say(update, context, "\n".join(lines))


@staff_only
async def myattendance_command(update: Update, context: BotContext) -> None:
    """/myattendance [YYYY-MM]: a person's month."""
    _ = context.gettext
    person = _person(context)
    assert person.id is not None
    tz, today = context.settings.tz, _today(context)
    month = parse_month(context.args[0], today) if context.args else (today.year, today.month)
    if month is None:
        await _say(update, context, _("Write the month like this: /myattendance 2025-10"))
        return
    async with context.session() as session:
        report = await reports.month_report(session, *month, utcnow(), tz, person_id=person.id)
    mine = report.people[0] if report.people else reports.PersonMonth(person)
    label = "{}-{:02d}".format(*month)
    lines = [
        "<b>" + _("📊 My attendance, {month}", month=label) + "</b>",
        _(
            "Shifts: {scheduled} · on time: {on_time} · late: {late} ({late_minutes} min) · absent: {absent} · "
            "on leave: {leave} · left early: {early} · no check-out: {missing}",
            scheduled=mine.scheduled,
            on_time=mine.on_time,
            late=mine.late,
            late_minutes=mine.late_minutes,
            absent=mine.absent,
            leave=mine.leave,
            early=mine.left_early,
            missing=mine.missing_checkout,
        ),
        "",
    ]
    lines += [render.entry_line(_, line.entry, line.occ, tz) for line in report.lines[-40:]]
    if not report.lines:
        lines.append(_("No records this month yet."))
    await _say(update, context, "\n".join(lines))


# --- requests from staff -------------------------------------------------------------------------


_REQUEST_ERRORS = {
    RequestError.BAD_RANGE: N_("The last day is before the first day."),
    RequestError.TOO_LONG: N_("At most 31 days at a time."),
    RequestError.TOO_OLD: N_("That is more than a month ago; talk to an admin."),
    RequestError.OVERLAP: N_("You already asked for leave on some of those days (see /myrequests)."),
    RequestError.SELF: N_("Choose a colleague, not yourself."),
    RequestError.NOT_STAFF: N_("That person is not staff here."),
    RequestError.NO_SHIFT: N_("You have no shift on that day."),
    RequestError.PAST: N_("That shift has already started; talk to an admin."),
    RequestError.FUTURE: N_("That time has not come yet; a correction is for a punch you missed."),
    RequestError.DUPLICATE: N_("You already asked for a swap on that day (see /myrequests)."),
}


async def _card(context: BotContext, request: AttendanceRequest, _: Translate) -> str:
    async with context.session() as session:
        person = await session.get(Person, request.person_id)
        colleague = await session.get(Person, request.colleague_id) if request.colleague_id else None
        shift = await session.get(Shift, request.shift_id) if request.shift_id else None
    assert person is not None
    return render.request_text(_, request, person, context.settings.tz, colleague=colleague, shift=shift)


_SETTLED = {
    RequestStatus.APPROVED: N_("✅ Approved by {name}"),
    RequestStatus.REJECTED: N_("✖️ Rejected by {name}"),
    RequestStatus.CANCELLED: N_("↩️ Withdrawn by {name}"),
}
_OPEN = (RequestStatus.AWAITING_COLLEAGUE, RequestStatus.PENDING)


async def _settled_by(context: BotContext, request: AttendanceRequest) -> Person | None:
    """Who settled a request: the admin who decided it, or the requester who withdrew it."""
    by_id = request.person_id if request.status == RequestStatus.CANCELLED else request.decided_by_id
    if by_id is None:
        return None
    async with context.session() as session:
        return await session.get(Person, by_id)


async def _settled_card(
    context: BotContext, request: AttendanceRequest, _: Translate, by: Person | None
) -> str:
    """A request's card with its outcome ("✅ Approved by 王经理") once it is settled."""
    card = await _card(context, request, _)
    line = _SETTLED.get(RequestStatus(request.status))
    if line is None:
        return card
    return f"{card}\n{_(line, name=esc(by.display_name) if by else '?')}"


async def _settle_cards(
    context: BotContext, request: AttendanceRequest, skip: tuple[int, int] | None = None
) -> None:
    """Show the outcome on every admin's card of a settled request (but ``skip``, a chat and message id),
    without buttons and in each admin's language; the same for a swap's unanswered question to the colleague
    (it is forgotten once answered, so only a withdrawal finds it). A card that cannot be edited any more
    is left as it is."""
    assert request.id is not None
    async with context.session() as session:
        cards = await service.take_request_cards(session, request.id)
    if not cards:
        return
    by = await _settled_by(context, request)
    for card, admin in cards:
        if (card.chat_id, card.message_id) == skip:
            continue
        text = await _settled_card(context, request, _translator(context, admin), by)
        try:
            await context.bot.edit_message_text(
                text, chat_id=card.chat_id, message_id=card.message_id, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.info("could not update the card of request #%s in %s: %s", request.id, card.chat_id, exc)


async def _remember_cards(context: BotContext, request_id: int, messages: list[Message]) -> None:
    """Remember the cards of a request (admins' or the colleague's); if it was settled while they were being
    sent, update them."""
    if not messages:
        return
    async with context.session() as session:
        await service.add_request_cards(session, request_id, [(m.chat_id, m.message_id) for m in messages])
        request = await service.get_request(session, request_id)
    if request is not None and request.status not in _OPEN:
        await _settle_cards(context, request)


async def _to_admins(context: BotContext, request: AttendanceRequest) -> int:
    """Send a request to every admin with approve / reject buttons, remembering each card."""
    assert request.id is not None
    async with context.session() as session:
        admins = await service.admins(session)
    messages = []
    for admin in admins:
        _ = _translator(context, admin)
        header = _("📝 New request — approve or reject:")
        messages.append(
            (
                admin.telegram_id,
                f"{header}\n{await _card(context, request, _)}",
                render.decision_buttons(_, request.id),
            )
        )
    sent = await jobs.send_paced(context.bot, messages)
    await _remember_cards(context, request.id, sent)
    return len(sent)


@staff_only
async def leave_command(update: Update, context: BotContext) -> None:
    """/leave FIRST [LAST] [reason]."""
    _ = context.gettext
    args, today = context.args or [], _today(context)
    first = parse_date(args[0], today) if args else None
    if first is None:
        await _say(
            update,
            context,
            _(
                "Ask for leave with the first day, the last day if more than one, and the reason, for example:\n"
                "/leave {tomorrow} 看病\n/leave {tomorrow} {after} 回家",
                tomorrow=(today + timedelta(days=1)).isoformat(),
                after=(today + timedelta(days=2)).isoformat(),
            ),
        )
        return
    last = parse_date(args[1], today) if len(args) > 1 else None
    reason = " ".join(args[2:] if last else args[1:])
    async with context.session() as session:
        request = await service.request_leave(
            session, _person(context), first, last or first, reason, utcnow(), context.settings.tz
        )
    if isinstance(request, RequestError):
        await _say(update, context, _(_REQUEST_ERRORS[request]))
        return
    await _to_admins(context, request)
    await _say(
        update,
        context,
        _("📝 Leave request #{id} sent to the admins. I'll tell you their answer.", id=request.id),
    )


@staff_only
async def swap_command(update: Update, context: BotContext) -> None:
    """/swap @colleague DAY [reason]: the colleague must accept, then an admin."""
    _ = context.gettext
    args, today = context.args or [], _today(context)
    day = parse_date(args[1], today) if len(args) > 1 else None
    if day is None:
        await _say(
            update,
            context,
            _(
                "Ask a colleague to swap shifts on a day, for example:\n/swap @xiaowang {day} 家里有事\n"
                "They work your shift that day and you work theirs (if they have one).",
                day=(today + timedelta(days=1)).isoformat(),
            ),
        )
        return
    async with context.session() as session:
        colleague = await people.find_person(session, args[0])
        if colleague is None:
            await _say(
                update, context, _("I don't know {who}. They must write to me first.", who=esc(args[0]))
            )
            return
        request = await service.request_swap(
            session, _person(context), colleague, day, " ".join(args[2:]), utcnow(), context.settings.tz
        )
    if isinstance(request, RequestError):
        await _say(update, context, _(_REQUEST_ERRORS[request]))
        return
    theirs = _translator(context, colleague)
    question = theirs(
        N_("🔁 {name} asks you to swap shifts. Do you accept?"), name=esc(_person(context).display_name)
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(theirs(N_("✅ Accept")), callback_data=f"att:swap:{request.id}:yes"),
                InlineKeyboardButton(theirs(N_("✖️ Decline")), callback_data=f"att:swap:{request.id}:no"),
            ]
        ]
    )
    text = f"{question}\n{await _card(context, request, theirs)}"
    sent = await jobs.send_paced(context.bot, [(colleague.telegram_id, text, buttons)])
    await _remember_cards(context, request.id, sent)
    await _say(
        update,
        context,
        _(
            "🔁 Swap request #{id} sent to {name}. Once they accept, an admin decides.",
            id=request.id,
            name=esc(colleague.display_name),
        ),
    )


async def _forget_pressed(context: BotContext, query: CallbackQuery) -> None:
    """Forget the colleague's swap question that was just answered, so settling the request leaves it be."""
    if query.message is not None:
        async with context.session() as session:
            await service.forget_request_card(session, query.message.chat.id, query.message.message_id)


@staff_only
async def swap_answer(update: Update, context: BotContext) -> None:
    """The colleague's accept / decline."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.gettext
    _prefix, _kind, request_id, answer = query.data.split(":")
    async with context.session() as session:
        outcome, request = await service.answer_swap(
            session, int(request_id), _person(context), answer == "yes", utcnow()
        )
    if outcome == AnswerOutcome.ALREADY and request is not None and request.status == RequestStatus.CANCELLED:
        await query.answer(_("This request was withdrawn."), show_alert=True)
        await _forget_pressed(context, query)
        card = await _settled_card(context, request, _, await _settled_by(context, request))
        try:
            await query.edit_message_text(card, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info("could not update the swap question of request #%s: %s", request.id, exc)
        return
    if outcome != AnswerOutcome.DONE or request is None:
        text = {
            AnswerOutcome.NOT_YOURS: _("This request is not addressed to you."),
            AnswerOutcome.ALREADY: _("This request was already answered."),
        }.get(outcome, _("This request no longer exists."))
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    await _forget_pressed(context, query)
    await query.edit_message_text(await _card(context, request, _), parse_mode=ParseMode.HTML)
    async with context.session() as session:
        requester = await session.get(Person, request.person_id)
    theirs = _translator(context, requester)
    if answer == "yes":
        await _to_admins(context, request)
        note = theirs(
            N_("✅ {name} accepted your swap request #{id}; now an admin decides."),
            name=esc(_person(context).display_name),
            id=request.id,
        )
    else:
        note = theirs(
            N_("✖️ {name} declined your swap request #{id}."),
            name=esc(_person(context).display_name),
            id=request.id,
        )
    await _notify(context, requester, note)


_PUNCHES = {
    "in": Punch.IN,
    "签到": Punch.IN,
    "上班": Punch.IN,
    "out": Punch.OUT,
    "签退": Punch.OUT,
    "下班": Punch.OUT,
}


@staff_only
async def correct_command(update: Update, context: BotContext) -> None:
    """/correct DAY in|out HH:MM [reason] (补卡)."""
    _ = context.gettext
    args, today = context.args or [], _today(context)
    day = parse_date(args[0], today) if args else None
    punch = _PUNCHES.get(args[1].lower()) if len(args) > 1 else None
    minute = parse_clock(args[2]) if len(args) > 2 else None
    if day is None or punch is None or minute is None:
        await _say(
            update,
            context,
            _(
                "Ask for a missed check-in or check-out (补卡) with the day, in or out, the time and the reason, "
                "for example:\n/correct {day} in 08:25 手机没电\n/correct {day} out 17:05 忘记签退",
                day=today.isoformat(),
            ),
        )
        return
    async with context.session() as session:
        request = await service.request_correction(
            session, _person(context), day, punch, minute, " ".join(args[3:]), utcnow(), context.settings.tz
        )
    if isinstance(request, RequestError):
        await _say(update, context, _(_REQUEST_ERRORS[request]))
        return
    await _to_admins(context, request)
    await _say(update, context, _("🕘 Correction request #{id} sent to the admins.", id=request.id))


@staff_only
async def myrequests_command(update: Update, context: BotContext) -> None:
    """A person's latest requests, with a button to withdraw the open ones."""
    _ = context.gettext
    async with context.session() as session:
        requests = await service.my_requests(session, _person(context).id or 0)
    if not requests:
        await _say(update, context, _("You have no requests. Ask with /leave, /swap or /correct."))
        return
    cards, buttons = [], []
    for request in requests:
        cards.append(await _card(context, request, _))
        if request.person_id == _person(context).id and request.status in ("pending", "awaiting_colleague"):
            buttons.append(
                [
                    InlineKeyboardButton(
                        _("Withdraw #{id}", id=request.id), callback_data=f"att:cancel:{request.id}"
                    )
                ]
            )
    await _say(update, context, "\n\n".join(cards), InlineKeyboardMarkup(buttons) if buttons else None)


@staff_only
async def cancel_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    request_id = int(query.data.split(":")[2])
    async with context.session() as session:
        outcome = await service.cancel_request(session, request_id, _person(context))
    _ = context.gettext
    if outcome == AnswerOutcome.DONE:
        await query.answer(_("Request #{id} withdrawn.", id=request_id), show_alert=True)
        async with context.session() as session:
            request = await service.get_request(session, request_id)
        if request is not None:
            await _settle_cards(context, request)
    else:
        await query.answer(_("This request was already decided."), show_alert=True)


# --- admins: requests ----------------------------------------------------------------------------


@admin_only
async def requests_command(update: Update, context: BotContext) -> None:
    """Requests waiting for a decision, each with its buttons."""
    _ = context.gettext
    async with context.session() as session:
        pending = await service.pending_requests(session)
    if not pending:
        await _say(update, context, _("No requests are waiting for a decision."))
        return
    chat = update.effective_chat
    assert chat is not None
    for request in pending[:20]:
        assert request.id is not None
        message = await context.bot.send_message(
            chat.id,
            await _card(context, request, _),
            parse_mode=ParseMode.HTML,
            reply_markup=render.decision_buttons(_, request.id),
        )
        await _remember_cards(context, request.id, [message])


_DECIDED = {
    (RequestKind.LEAVE, True): N_("✅ Your leave request #{id} was approved by {admin}."),
    (RequestKind.LEAVE, False): N_("✖️ Your leave request #{id} was rejected by {admin}."),
    (RequestKind.SWAP, True): N_("✅ Swap request #{id} was approved by {admin}."),
    (RequestKind.SWAP, False): N_("✖️ Swap request #{id} was rejected by {admin}."),
    (RequestKind.CORRECTION, True): N_("✅ Your correction request #{id} was approved by {admin}."),
    (RequestKind.CORRECTION, False): N_("✖️ Your correction request #{id} was rejected by {admin}."),
}


@admin_only
async def decide_button(update: Update, context: BotContext) -> None:
    """Approve / reject buttons on a request."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.gettext
    _prefix, action, request_id = query.data.split(":")
    approve = action == "ok"
    admin = _person(context)
    async with context.session() as session:
        outcome, request = await service.decide(
            session, int(request_id), admin, approve, utcnow(), context.settings.tz
        )
    if request is None:
        await query.answer(_("This request no longer exists."), show_alert=True)
        return
    if outcome == AnswerOutcome.NOT_READY:
        await query.answer(_("The colleague has not accepted this swap yet."), show_alert=True)
        return
    if outcome == AnswerOutcome.ALREADY:
        withdrawn = request.status == RequestStatus.CANCELLED
        await query.answer(
            _("This request was withdrawn.") if withdrawn else _("This request was already decided."),
            show_alert=True,
        )
        card = await _settled_card(context, request, _, await _settled_by(context, request))
        try:
            await query.edit_message_text(card, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.info("could not update the card of request #%s: %s", request.id, exc)
        return
    await query.answer(_("Approved.") if approve else _("Rejected."))
    await query.edit_message_text(await _settled_card(context, request, _, admin), parse_mode=ParseMode.HTML)
    pressed = query.message
    await _settle_cards(context, request, (pressed.chat.id, pressed.message_id) if pressed else None)
    async with context.session() as session:
        requester = await session.get(Person, request.person_id)
        colleague = await session.get(Person, request.colleague_id) if request.colleague_id else None
    message = _DECIDED[(RequestKind(request.kind), approve)]
    for person in (requester, colleague):
        if person is not None:
            theirs = _translator(context, person)
            await _notify(context, person, theirs(message, id=request.id, admin=esc(admin.display_name)))


# --- admins: shifts ------------------------------------------------------------------------------


_SHIFT_ERRORS = {
    ShiftError.USAGE: N_("Give the shift a name, a start and an end."),
    ShiftError.BAD_NAME: N_("The name “{value}” does not work: at most 16 characters, not a time."),
    ShiftError.BAD_START: N_("“{value}” is not a start time; write it like 08:30."),
    ShiftError.BAD_END: N_("“{value}” is not an end time; write it like 17:00 (24:00 for midnight)."),
    ShiftError.SAME_TIME: N_("The shift must end at a different time than it starts."),
    ShiftError.BAD_DAYS: N_(
        "“{value}” is not a list of weekdays; write 1-5, 1,3,5, 6-7 or 每天 (1 is Monday)."
    ),
    ShiftError.BAD_OPTION: N_(
        "“{value}” is not an option I know; use window=30, grace=5 or close=60 (minutes)."
    ),
    ShiftError.BAD_WINDOW: N_("Check-in can open at most 240 minutes before the start (you wrote {value})."),
    ShiftError.BAD_GRACE: N_(
        "The grace period ({value} min) must fit in the shift and be at most 120 minutes."
    ),
    ShiftError.BAD_CLOSE: N_(
        "Check-in must close after the grace period and before the shift ends (you wrote {value})."
    ),
}
SHIFT_USAGE = N_(
    "Define a shift: /newshift NAME START END [WEEKDAYS] [window=30] [grace=5] [close=60]\n"
    "Examples:\n/newshift 早班 08:30 17:00 1-5\n/newshift 晚班 16:00 24:00 每天 grace=10\n"
    "/newshift 夜班 22:00 06:00 1-5 window=20\n"
    "window: check-in opens that many minutes before the start; grace: minutes before it counts as late; "
    "close: minutes after the start when check-in closes (then absent). Weekdays: 1 is Monday."
)


def _shift_card(_: Translate, shift: Shift, created: bool | None = None) -> tuple[str, InlineKeyboardMarkup]:
    assert shift.id is not None
    head = {True: _("✅ Shift created:"), False: _("✅ Shift updated:"), None: ""}[created]
    text = "\n".join(
        p for p in (head, "<b>" + render.shift_line(_, shift) + "</b>", render.shift_details(_, shift)) if p
    )
    buttons = [
        [
            InlineKeyboardButton(_("👥 Who works it"), callback_data=f"att:ap:{shift.id}:0"),
            InlineKeyboardButton(_("🗑 Delete"), callback_data=f"att:del:{shift.id}"),
        ]
    ]
    return text, InlineKeyboardMarkup(buttons)


@admin_only
async def newshift_command(update: Update, context: BotContext) -> None:
    """/newshift NAME START END [DAYS] [window=] [grace=] [close=] — creates or updates by name."""
    _ = context.gettext
    draft = parse_shift(context.args or [])
    if isinstance(draft, tuple):
        error, value = draft
        text = _(_SHIFT_ERRORS[error], value=esc(value)) if error != ShiftError.USAGE else ""
        await _say(update, context, "\n\n".join(p for p in (text, _(SHIFT_USAGE)) if p))
        return
    async with context.session() as session:
        shift, created = await service.save_shift(session, draft)
    text, markup = _shift_card(_, shift, created)
    await _say(update, context, text, markup)


@admin_only
async def shifts_command(update: Update, context: BotContext) -> None:
    """All shifts, each with a button to its staff list."""
    _ = context.gettext
    today = _today(context)
    async with context.session() as session:
        shifts = await service.list_shifts(session)
        counts = {s.id: len(await service.assignees(session, s.id or 0, today)) for s in shifts}
    if not shifts:
        await _say(update, context, _("No shifts yet.") + "\n\n" + _(SHIFT_USAGE))
        return
    lines = ["<b>" + _("🗓 Shifts") + "</b>"]
    rows = []
    for shift in shifts:
        lines.append(
            _("• {shift} — {count} people", shift=render.shift_line(_, shift), count=counts[shift.id])
        )
        rows.append([InlineKeyboardButton(f"⚙️ {shift.name}", callback_data=f"att:sh:{shift.id}")])
    lines += ["", _("Tap a shift to see or change who works it. New shift: /newshift")]
    await _say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


async def _assign_page(context: BotContext, shift: Shift, page: int) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    today = _today(context)
    async with context.session() as session:
        everyone = await service.staff(session)
        assigned = {p.id for p in await service.assignees(session, shift.id or 0, today)}
    pages = max(1, -(-len(everyone) // ASSIGN_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * ASSIGN_PAGE_SIZE : (page + 1) * ASSIGN_PAGE_SIZE]
    text = _(
        "👥 Who works {shift}? Tap a name to add ✅ or remove it (from today on). {count} people now.",
        shift="<b>" + render.shift_line(_, shift) + "</b>",
        count=len(assigned),
    )
    buttons = [
        InlineKeyboardButton(
            ("✅ " if p.id in assigned else "▫️ ") + p.display_name[:30],
            callback_data=f"att:as:{shift.id}:{p.id}:{page}",
        )
        for p in shown
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if nav := page_buttons(page, pages, lambda n: f"att:ap:{shift.id}:{n}"):
        rows.append(nav)
    if not everyone:
        text += "\n" + _("There is no staff yet: invite people with /invite.")
    return text, InlineKeyboardMarkup(rows)


@admin_only
async def shift_button(update: Update, context: BotContext) -> None:
    """Shift cards, staff pages and toggles, deletion."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.gettext
    parts = query.data.split(":")
    action, shift_id = parts[1], int(parts[2])
    async with context.session() as session:
        shift = await session.get(Shift, shift_id)
    if shift is None or not shift.active:
        await query.answer(_("That shift no longer exists."), show_alert=True)
        return
    if action == "sh":
        text, markup = _shift_card(_, shift)
    elif action == "ap":
        text, markup = await _assign_page(context, shift, int(parts[3]))
    elif action == "as":
        today = _today(context)
        async with context.session() as session:
            person = await session.get(Person, int(parts[3]))
            if person is None:
                await query.answer(_("That person is not known."), show_alert=True)
                return
            on_shift = any(p.id == person.id for p in await service.assignees(session, shift_id, today))
            if on_shift:
                await service.unassign(session, shift, person, today)
            else:
                await service.assign(session, shift, person, today)
        text, markup = await _assign_page(context, shift, int(parts[4]))
    elif action == "del":
        text = _(
            "Delete the shift {shift}? Its records stay in the reports.", shift=render.shift_line(_, shift)
        )
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=f"att:delok:{shift.id}")]]
        )
    else:
        async with context.session() as session:
            await service.deactivate_shift(session, shift_id)
        await query.answer(_("Deleted."))
        await query.edit_message_text(
            _("🗑 Shift {name} deleted.", name=esc(shift.name)), parse_mode=ParseMode.HTML
        )
        return
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)


@admin_only
async def deleteshift_command(update: Update, context: BotContext) -> None:
    """/deleteshift NAME — asks for confirmation."""
    _ = context.gettext
    async with context.session() as session:
        shift = await service.get_shift(session, " ".join(context.args or []))
    if shift is None or not shift.active:
        await _say(update, context, _("There is no shift called that. See /shifts."))
        return
    text = _("Delete the shift {shift}? Its records stay in the reports.", shift=render.shift_line(_, shift))
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=f"att:delok:{shift.id}")]]
    )
    await _say(update, context, text, markup)


async def _people_and_dates(
    context: BotContext, tokens: list[str]
) -> tuple[list[Person], list[str], list[date]] | str:
    """Split ``@name 12345 2025-10-01`` into people, unknown references and dates."""
    _ = context.gettext
    today = _today(context)
    found, unknown, dates = [], [], []
    async with context.session() as session:
        for token in tokens:
            if token.startswith("@") or token.lstrip("-").isdigit():
                person = await people.find_person(session, token)
                if person is None:
                    unknown.append(token)
                else:
                    found.append(person)
                continue
            day = parse_date(token, today)
            if day is None:
                return _("“{value}” is neither a person (@username or id) nor a date.", value=esc(token))
            dates.append(day)
    return found, unknown, dates


@admin_only
async def assign_command(update: Update, context: BotContext) -> None:
    """/assign SHIFT @people... [FROM] [TO]; without people it shows the staff buttons."""
    _ = context.gettext
    args = context.args or []
    if not args:
        await _say(
            update,
            context,
            _(
                "Put people on a shift: /assign SHIFT @username … [FROM] [TO], for example:\n"
                "/assign 早班 @xiaoli @xiaowang\n/assign 夜班 @xiaoli 2025-11-01 2025-11-30\n"
                "Or send /assign SHIFT and tap names."
            ),
        )
        return
    async with context.session() as session:
        shift = await service.get_shift(session, args[0])
    if shift is None or not shift.active:
        await _say(update, context, _("There is no shift called {name}. See /shifts.", name=esc(args[0])))
        return
    parsed = await _people_and_dates(context, args[1:])
    if isinstance(parsed, str):
        await _say(update, context, parsed)
        return
    found, unknown, dates = parsed
    if not found and not unknown:
        text, markup = await _assign_page(context, shift, 0)
        await _say(update, context, text, markup)
        return
    start = dates[0] if dates else _today(context)
    end = dates[1] if len(dates) > 1 else None
    if end is not None and end < start:
        await _say(update, context, _("The last day is before the first day."))
        return
    refused = [p for p in found if not p.is_staff]
    added = []
    async with context.session() as session:
        for person in found:
            if person.is_staff:
                await service.assign(session, shift, person, start, end)
                added.append(person)
    lines = []
    if added:
        names = ", ".join(esc(p.display_name) for p in added)
        span = render.day_label(_, start) + (f" – {render.day_label(_, end)}" if end else "")
        lines.append(_("✅ On {shift} from {span}: {names}", shift=esc(shift.name), span=span, names=names))
    if refused:
        lines.append(
            _(
                "Not staff (make them staff first): {names}",
                names=", ".join(esc(p.display_name) for p in refused),
            )
        )
    if unknown:
        lines.append(_("I don't know {who}. They must write to me first.", who=esc(", ".join(unknown))))
    await _say(update, context, "\n".join(lines))


@admin_only
async def unassign_command(update: Update, context: BotContext) -> None:
    """/unassign SHIFT @people... [FROM]: off the shift from FROM (today) on."""
    _ = context.gettext
    args = context.args or []
    async with context.session() as session:
        shift = await service.get_shift(session, args[0]) if args else None
    if shift is None:
        await _say(update, context, _("Take people off a shift: /unassign SHIFT @username … [FROM]"))
        return
    parsed = await _people_and_dates(context, args[1:])
    if isinstance(parsed, str):
        await _say(update, context, parsed)
        return
    found, unknown, dates = parsed
    start = dates[0] if dates else _today(context)
    removed = []
    async with context.session() as session:
        for person in found:
            if await service.unassign(session, shift, person, start):
                removed.append(person)
    lines = [
        _(
            "Off {shift} from {day}: {names}",
            shift=esc(shift.name),
            day=render.day_label(_, start),
            names=", ".join(esc(p.display_name) for p in removed) or "—",
        )
    ]
    if unknown:
        lines.append(_("I don't know {who}. They must write to me first.", who=esc(", ".join(unknown))))
    await _say(update, context, "\n".join(lines))


# --- admins: calendar and workplace --------------------------------------------------------------


@admin_only
async def dayoff_command(update: Update, context: BotContext) -> None:
    """/dayoff FIRST [LAST] [note]: no shifts, reminders or absences on those days."""
    _ = context.gettext
    args, today = context.args or [], _today(context)
    first = parse_date(args[0], today) if args else None
    if first is None:
        await _say(
            update,
            context,
            _("Give the day (and the last day), for example: /dayoff {day} 停电检修", day=today.isoformat()),
        )
        return
    last = parse_date(args[1], today) if len(args) > 1 else None
    note = " ".join(args[2:] if last else args[1:])
    last = last or first
    if last < first or (last - first).days >= MAX_OVERRIDE_DAYS:
        await _say(update, context, _("Give at most 31 days, the first before the last."))
        return
    async with context.session() as session:
        for day in service.days_between(first, last):
            await service.set_day(session, day, DayKind.OFF, note=note, by=_person(context))
    span = render.day_label(_, first) + (f" – {render.day_label(_, last)}" if last != first else "")
    await _say(
        update,
        context,
        _("🌴 Day off: {span}. No reminders and no absences then. Undo with /clearday.", span=span),
    )


@admin_only
async def workday_command(update: Update, context: BotContext) -> None:
    """/workday DAY [WEEKDAY] [note]: a workday running that weekday's shifts."""
    _ = context.gettext
    args, today = context.args or [], _today(context)
    day = parse_date(args[0], today) if args else None
    if day is None:
        await _say(
            update,
            context,
            _(
                "Make a day a workday and say which weekday's shifts run, for example:\n/workday {day} 5 — the "
                "shifts of Friday (1 is Monday; without it: the day's own weekday, or Monday for a weekend).",
                day=today.isoformat(),
            ),
        )
        return
    weekday = parse_weekday(args[1]) if len(args) > 1 else None
    note = " ".join(args[2:] if weekday else args[1:])
    async with context.session() as session:
        await service.set_day(session, day, DayKind.WORK, works_as=weekday, note=note, by=_person(context))
        plan = (await service.day_plans(session, day, day))[day]
    await _say(
        update,
        context,
        _(
            "🏢 {day} is a workday with the shifts of {weekday}. Undo with /clearday.",
            day=render.day_label(_, day),
            weekday=render.weekday_name(_, plan.weekday or 1),
        ),
    )


@admin_only
async def clearday_command(update: Update, context: BotContext) -> None:
    """/clearday DAY: back to the statutory calendar."""
    _ = context.gettext
    day = parse_date(context.args[0], _today(context)) if context.args else None
    if day is None:
        await _say(
            update, context, _("Which day? For example: /clearday {day}", day=_today(context).isoformat())
        )
        return
    async with context.session() as session:
        cleared = await service.clear_day(session, day)
    text = _("{day} follows the normal calendar again.") if cleared else _("{day} had no change of yours.")
    await _say(update, context, text.format(day=render.day_label(_, day)))


@admin_only
async def calendar_command(update: Update, context: BotContext) -> None:
    """Holidays, make-up workdays and the admins' changes in the coming weeks."""
    _ = context.gettext
    today = _today(context)
    last = today + timedelta(days=CALENDAR_DAYS)
    async with context.session() as session:
        plans = await service.day_plans(session, today, last)
    lines = ["<b>" + _("📅 Calendar, next {days} days", days=CALENDAR_DAYS) + "</b>"]
    special = [
        (day, render.plan_label(_, plan)) for day, plan in plans.items() if plan.kind != PlanKind.REGULAR
    ]
    lines += [f"{render.day_label(_, day)}: {label}" for day, label in special] or [
        _("No holidays or changes.")
    ]
    for year in sorted({today.year, last.year}):
        if not covers_year(year):
            lines.append(
                _(
                    "⚠️ The official holidays of {year} are not known yet (update the chinesecalendar package); "
                    "until then set days off with /dayoff.",
                    year=year,
                )
            )
    lines += ["", _("Change a day: /dayoff, /workday, /clearday")]
    await _say(update, context, "\n".join(lines))


@admin_only
async def workplace_command(update: Update, context: BotContext) -> None:
    """/workplace: share the workplace location; /workplace 300 sets the distance; on / off."""
    _ = context.gettext
    arg = (context.args or [""])[0].lower()
    async with context.session() as session:
        config = await service.get_config(session)
        if arg.isdigit():
            radius = int(arg)
            if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
                await _say(update, context, _("Give a distance between 30 and 5000 metres."))
                return
            config = await service.set_radius(session, radius)
            await _say(
                update,
                context,
                _("Check-in now needs to be within {radius} m of the workplace.", radius=radius),
            )
            return
        if arg in ("off", "on"):
            config = await service.set_require_location(session, arg == "on")
            if arg == "on" and not config.require_location:
                arg = ""
            else:
                state = _("on") if config.require_location else _("off")
                await _say(update, context, _("The location check at check-in is {state}.", state=state))
                return
    if context.user_data is not None:
        context.user_data[AWAIT_KEY] = "workplace"
    if config.latitude is not None:
        state = _("on") if config.require_location else _("off")
        current = _(
            "The workplace is set; check-in must be within {radius} m of it; the check is {state}.",
            radius=config.radius_m,
            state=state,
        )
    else:
        current = _("The workplace is not set, so check-in does not need a location.")
    text = (
        current
        + "\n"
        + _(
            "To set the workplace, stand there and share your location with the button below. "
            "/workplace 300 sets the distance, /workplace off turns the check off."
        )
    )
    await _say(update, context, text, _location_keyboard(_))


# --- admins: reports -----------------------------------------------------------------------------


@admin_only
async def attendance_command(update: Update, context: BotContext) -> None:
    """/attendance [DAY]: who was on time, late, absent, on leave."""
    _ = context.gettext
    today = _today(context)
    day = parse_date(context.args[0], today) if context.args else today
    if day is None:
        await _say(update, context, _("Write the day like this: /attendance {day}", day=today.isoformat()))
        return
    async with context.session() as session:
        report = await reports.day_report(session, day, utcnow(), context.settings.tz)
    await _say(update, context, render.day_report_text(_, report, context.settings.tz))


@admin_only
async def summary_command(update: Update, context: BotContext) -> None:
    """The daily summary, now."""
    _ = context.gettext
    tz = context.settings.tz
    async with context.session() as session:
        groups = await reports.summary_report(session, utcnow(), tz)
        pending = len(await service.pending_requests(session))
    await _say(update, context, render.summary_text(_, groups, utcnow(), tz, pending))


def chart_labels(_: Translate) -> dict[reports.Mark, str]:
    return {mark: _(render.MARK_NAMES[mark]) for mark in export.CHART_MARKS}


@admin_only
async def monthreport_command(update: Update, context: BotContext) -> None:
    """/monthreport [YYYY-MM]: the payroll workbook and a chart of the month."""
    _ = context.gettext
    today, tz = _today(context), context.settings.tz
    month = parse_month(context.args[0], today) if context.args else (today.year, today.month)
    if month is None:
        await _say(update, context, _("Write the month like this: /monthreport 2025-10"))
        return
    async with context.session() as session:
        report = await reports.month_report(session, *month, utcnow(), tz)
    label = f"{month[0]}-{month[1]:02d}"
    workbook = await asyncio.to_thread(export.month_xlsx, report, tz)
    chart_ = _ if export.cjk_font() else jobs.gettext_for("en")
    chart = await asyncio.to_thread(
        export.month_chart, report, chart_labels(chart_), chart_(N_("Attendance {month}"), month=label)
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        workbook,
        filename=f"attendance-{label}.xlsx",
        caption=_(
            "📊 Attendance {month}: {people} people, {records} records.",
            month=label,
            people=len(report.people),
            records=len(report.lines),
        ),
    )
    await context.bot.send_photo(chat.id, chart, caption=_("Attendance by day, {month}", month=label))


# --- wiring --------------------------------------------------------------------------------------


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the attendance handlers, menu entries, the notice audience "staff of a shift" and scheduled jobs."""
    private = filters.ChatType.PRIVATE
    commands = {
        "checkin": checkin_command,
        "checkout": checkout_command,
        "myshifts": myshifts_command,
        "myattendance": myattendance_command,
        "leave": leave_command,
        "swap": swap_command,
        "correct": correct_command,
        "buka": correct_command,
        "myrequests": myrequests_command,
        "requests": requests_command,
        "newshift": newshift_command,
        "shifts": shifts_command,
        "deleteshift": deleteshift_command,
        "assign": assign_command,
        "unassign": unassign_command,
        "dayoff": dayoff_command,
        "workday": workday_command,
        "clearday": clearday_command,
        "calendar": calendar_command,
        "workplace": workplace_command,
        "attendance": attendance_command,
        "summary": summary_command,
        "monthreport": monthreport_command,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, private))
    app.add_handler(MessageHandler(private & filters.LOCATION, location_message))
    app.add_handler(CallbackQueryHandler(checkin_command, pattern=r"^att:in$"))
    app.add_handler(CallbackQueryHandler(checkout_button, pattern=r"^att:out"))
    app.add_handler(CallbackQueryHandler(swap_answer, pattern=r"^att:swap:\d+:(yes|no)$"))
    app.add_handler(CallbackQueryHandler(cancel_button, pattern=r"^att:cancel:\d+$"))
    app.add_handler(CallbackQueryHandler(decide_button, pattern=r"^att:(ok|no):\d+$"))
    app.add_handler(CallbackQueryHandler(shift_button, pattern=r"^att:(sh|ap|as|del|delok):"))

    menus = app.bot_data.menus
    if menus is not None:
        staff, admin = [Role.STAFF], [Role.ADMIN]
        menus.add("checkin", N_("Check in (签到)"), roles=staff, order=20)
        menus.add("checkout", N_("Check out (签退)"), roles=staff, order=21)
        menus.add("myshifts", N_("My shifts and the next 7 days"), roles=staff, order=22)
        menus.add("myattendance", N_("My attendance this month"), roles=staff, order=23)
        menus.add("leave", N_("Ask for leave"), roles=staff, order=24)
        menus.add("swap", N_("Swap a shift with a colleague"), roles=staff, order=25)
        menus.add("correct", N_("Missed check-in or check-out (补卡)"), roles=staff, order=26)
        menus.add("myrequests", N_("My requests"), roles=staff, order=27)
        menus.add("attendance", N_("Attendance of a day"), roles=admin, order=70)
        menus.add("requests", N_("Requests to decide"), roles=admin, order=71)
        menus.add("shifts", N_("Shifts and who works them"), roles=admin, order=72)
        menus.add("newshift", N_("Define a shift"), roles=admin, order=73)
        menus.add("assign", N_("Put staff on a shift"), roles=admin, order=74)
        menus.add("calendar", N_("Holidays and workdays"), roles=admin, order=75)
        menus.add("monthreport", N_("Monthly attendance (.xlsx)"), roles=admin, order=76)
        menus.add("workplace", N_("Workplace location for check-in"), roles=admin, order=77)
    settings = app.bot_data.settings
    assert settings is not None, "build_application() sets the settings"
    # Notices can go to the staff of chosen shifts (the registry the notice panel uses).
    audience.add_shift_audience(app.bot_data.services.get("notice_audiences", audiences), settings.tz)
    jobs.schedule_jobs(app)
