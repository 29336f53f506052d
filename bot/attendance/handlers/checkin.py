"""Check-in and check-out: /checkin, the 签到 and 签退 buttons of the reminders, a shared location, /checkout.

/checkin and the 签到 button start the location conversation (``location.py``) when the workplace wants a
location; a location staff share at any other time is a check-in too.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot import unhandled
from bot.access import has_role, staff_only
from bot.attendance import render, service
from bot.attendance.buttons import CheckInNow, CheckOutNow, StayOn
from bot.attendance.handlers.common import PRIVATE, Awaiting, Next, location_keyboard, me
from bot.attendance.render import esc
from bot.attendance.service import CheckInOutcome, CheckOutOutcome
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import Translate
from bot.people.models import Role
from bot.replies import Markup, on_button, reply

log = logging.getLogger(__name__)

TOAST_MAX_LENGTH = 200


def _checkin_reply(_: Translate, result: service.CheckIn, context: BotContext) -> tuple[str, Markup]:
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
        return text, location_keyboard(_)
    text = _(
        "📍 You are {distance} m from the workplace; check-in needs you within {radius} m. You are not checked "
        "in — try again when you are there.",
        distance=round(result.distance_m or 0),
        radius=result.radius_m,
    )
    return text, location_keyboard(_)


async def _check_in(update: Update, context: BotContext, location: tuple[float, float] | None = None) -> Next:
    """Check the person in and answer; wait for a location while the answer asks for one, else stop waiting."""
    person = me(context)
    assert person.id is not None
    result = await context.bot_data.checkins.check_in(person.id, utcnow(), location=location)
    text, markup = _checkin_reply(context.gettext, result, context)
    query = update.callback_query
    if query is not None and markup is None and len(text) <= TOAST_MAX_LENGTH:
        await _answer_on_button(update, context, text)
    else:
        await reply(update, context, text, markup)
    if result.outcome in (CheckInOutcome.NEED_LOCATION, CheckInOutcome.TOO_FAR):
        return Awaiting.CHECKIN_LOCATION
    return ConversationHandler.END


async def _answer_on_button(update: Update, context: BotContext, text: str) -> None:
    """Answer a pressed button at once with a toast, then write the answer into the message the button was
    on (replacing the button). The toast is not a message, so it is not held back by the flood limits when
    the whole floor checks in at once; the edit is, and runs in the background."""
    query = update.callback_query
    assert query is not None
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
async def checkin_command(update: Update, context: BotContext) -> Next:
    """/checkin."""
    return await _check_in(update, context)


@staff_only
async def checkin_pressed(update: Update, context: BotContext, _pressed: CheckInNow) -> Next:
    """The 签到 button of a reminder."""
    return await _check_in(update, context)


async def location_message(update: Update, context: BotContext) -> Next:
    """A location shared by staff: a check-in, asked for or not. Anyone else is told what locations are for
    (as ``bot.unhandled`` tells them when nothing takes a location)."""
    message = update.effective_message
    if message is None or message.location is None:
        return ConversationHandler.END
    if not has_role(context, Role.STAFF):
        await reply(update, context, context.gettext(unhandled.LOCATION), parse_mode=None)
        return ConversationHandler.END
    if message.forward_origin is not None or message.venue is not None:
        _ = context.gettext
        await reply(
            update,
            context,
            _("Please share your current location with the button, not a forwarded message or a place."),
            location_keyboard(_),
        )
        return Awaiting.CHECKIN_LOCATION
    return await _check_in(update, context, (message.location.latitude, message.location.longitude))


def _checkout_reply(_: Translate, result: service.CheckOut, context: BotContext) -> tuple[str, Markup]:
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
            InlineKeyboardButton(_("Yes, check out"), callback_data=CheckOutNow(early_ok=True).pack()),
            InlineKeyboardButton(_("No, I'm staying"), callback_data=StayOn().pack()),
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
    person = me(context)
    assert person.id is not None
    async with context.session() as session:
        result = await service.check_out(session, person.id, utcnow(), context.settings.tz, early_ok=early_ok)
    text, markup = _checkout_reply(context.gettext, result, context)
    if update.callback_query is not None and markup is None and len(text) <= TOAST_MAX_LENGTH:
        await _answer_on_button(update, context, text)
    else:
        await reply(update, context, text, markup)


@staff_only
async def checkout_command(update: Update, context: BotContext) -> None:
    """/checkout: ask before leaving early."""
    await _check_out(update, context, early_ok=False)


@staff_only
async def checkout_pressed(update: Update, context: BotContext, pressed: CheckOutNow) -> None:
    """The 签退 button of a reminder, and "Yes, check out" when asked about leaving early."""
    await _check_out(update, context, early_ok=pressed.early_ok)


@staff_only
async def stay_pressed(update: Update, context: BotContext, _pressed: StayOn) -> None:
    """The answer "No, I'm staying": nothing changes; the question loses its buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.gettext("OK, keep up the good work!"))
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:  # pressed twice, or the message is gone: there is nothing left to remove
        log.info("could not remove the check-out question's buttons: %s", exc)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """Check-out, and locations nobody asked for (check-in itself starts the location conversation)."""
    return [
        CommandHandler("checkout", checkout_command, PRIVATE),
        on_button(CheckOutNow, checkout_pressed),
        on_button(StayOn, stay_pressed),
        MessageHandler(PRIVATE & filters.LOCATION, location_message),
    ]
