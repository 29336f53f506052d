"""The application form: what the ✍️ Apply button of a posting, and the 我要报名 link of a village group
(``/start job_<id>``), start. Five questions, a summary to check, then the application is sent and the
admins are alerted through the outbox.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext
from bot.conversations import CANCEL, TEXT_ANSWER, cancel_label, conversation
from bot.i18n import N_, Translate
from bot.jobs import outbox, render, service
from bot.jobs.buttons import Apply
from bot.jobs.handlers.browse import linked_posting, show_linked_posting
from bot.jobs.handlers.common import (
    FORM_TIMEOUT,
    INPUT_ERRORS,
    chat_id,
    field_label,
    form_keyboard,
    input_error,
)
from bot.jobs.models import ApplicationStatus
from bot.jobs.service import InputError
from bot.people import service as people
from bot.people.models import Role
from bot.replies import on_button, reply, toast

log = logging.getLogger(__name__)

NAME, PHONE, VILLAGE, AVAILABILITY, NOTE, CONFIRM, FIX = range(20, 27)
STEPS = ("name", "phone", "village", "availability", "note")
STATES = dict(zip(STEPS, (NAME, PHONE, VILLAGE, AVAILABILITY, NOTE), strict=True))
#: Where the answers wait in ``context.user_data`` until the form is sent.
FORM_KEY = "job_form"

PROMPTS = {
    "name": N_("What is your name?"),
    "phone": N_("Your mobile number? Tap “📱 Send my number” below, or type the 11 digits."),
    "village": N_("Which village are you from? Tap it or type it."),
    "availability": N_(
        "When can you start work? Tap an answer or type your own (for example: 下周一起，只能上白班)."
    ),
    "note": N_("Anything else the recruiter should know? (optional, up to 200 characters, or tap Skip)"),
}
AVAILABILITY_CHOICES = (N_("Right away"), N_("In a week"), N_("In a month"))
CLOSED = N_("Sorry, this job is no longer taking applications. See the other open jobs: /jobs")
ALREADY_HIRED = N_("You are already hired for this job. 🎉")


def _form(context: BotContext) -> dict[str, Any]:
    return context.user_data.setdefault(FORM_KEY, {})


# --- starting --------------------------------------------------------------------------------------


async def apply_button(update: Update, context: BotContext, pressed: Apply) -> int:
    """✍️ Apply under a posting: check it still takes applications, then ask the first question."""
    return await _begin(update, context, pressed.posting_id)


async def apply_from_link(update: Update, context: BotContext) -> int:
    """``/start job_<id>`` (the 我要报名 button of a village group): the posting, then the first question.

    A posting that takes no applications (closed, filled, past its deadline, a draft an admin looks at)
    or one the person is already hired for is only shown.
    """
    posting_id = linked_posting(context.args[0] if context.args else "")
    if posting_id is None:
        await show_linked_posting(update, context, None)
        return ConversationHandler.END
    return await _begin(update, context, posting_id)


async def _begin(update: Update, context: BotContext, posting_id: int) -> int:
    """Start the form for a posting (from its Apply button or from a group's link)."""
    query = update.callback_query
    assert context.person and context.person.id is not None
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        mine = await service.own_application_for(session, posting_id, context.person.id)
        previous = await service.last_form(session, context.person)
        villages = await service.known_villages(session)
    hired = mine is not None and mine.status == ApplicationStatus.HIRED
    taking = posting is not None and service.accepts_applications(posting)
    if query is None and (hired or not taking):
        await show_linked_posting(update, context, posting_id)
        return ConversationHandler.END
    if not taking:
        await reply(update, context, _(CLOSED))
        return ConversationHandler.END
    if hired:
        await toast(update, _(ALREADY_HIRED), alert=True)
        return ConversationHandler.END
    assert posting is not None
    if query is not None:
        await query.answer()
    else:
        # From a village group's link: show what they are applying for, without a button to tap first.
        await context.bot.send_message(
            chat_id(update),
            render.posting_html(_, posting, context.settings.tz),
            parse_mode=ParseMode.HTML,
            disable_web_page_preview=True,
        )
    form: dict[str, Any] = {"posting_id": posting_id, "title": posting.title, "villages": villages}
    if previous is not None:
        form["previous"] = {
            "name": previous.name,
            "phone": previous.phone,
            "village": previous.village,
            "contact_shared": previous.contact_shared,
        }
    context.user_data[FORM_KEY] = form
    intro = _("Applying for {title}. Five short questions; tap ✖ Cancel at any time.", title=posting.title)
    if mine is not None and mine.status != ApplicationStatus.WITHDRAWN:
        intro += "\n" + _("You applied before: sending again updates your application.")
    await context.bot.send_message(chat_id(update), intro)
    return await _ask(update, context, "name")


# --- the questions ---------------------------------------------------------------------------------


def _keyboard(context: BotContext, step: str) -> ReplyKeyboardMarkup:
    """Answer buttons: what the person said before, their village, a few usual answers."""
    _ = context.gettext
    form = _form(context)
    previous = form.get("previous") or {}
    rows: list[list[str | KeyboardButton]] = []
    if step == "name":
        first_name = context.person.first_name if context.person else None
        names = [n for n in (form.get("name"), previous.get("name"), first_name) if n]
        if names:
            rows.append([names[0]])
    elif step == "phone":
        rows.append([KeyboardButton(_("📱 Send my number"), request_contact=True)])
        known = form.get("phone") or previous.get("phone")
        if known:
            rows.append([_("Same number: {phone}", phone=service.mask_phone(known))])
    elif step == "village":
        choices = [v for v in (form.get("village"), previous.get("village")) if v]
        choices += [v for v in form.get("villages", []) if v not in choices]
        for start in range(0, min(len(choices), 8), 2):
            rows.append(choices[start : start + 2])
    elif step == "availability":
        rows.append([_(c) for c in AVAILABILITY_CHOICES])
    elif step == "note":
        rows.append([_("Skip")])
    rows.append([cancel_label(_)])
    return form_keyboard(rows, placeholder=field_label(_, step))


async def _ask(update: Update, context: BotContext, step: str, error: str | None = None) -> int:
    """Ask one question (after the explanation of what was wrong with the last answer)."""
    _ = context.gettext
    question = f"{STEPS.index(step) + 1}/{len(STEPS)} " + _(PROMPTS[step])
    text = f"{error}\n\n{question}" if error else question
    await context.bot.send_message(chat_id(update), text, reply_markup=_keyboard(context, step))
    return STATES[step]


async def _after_answer(update: Update, context: BotContext, step: str) -> int:
    """The next question, or back to the summary when a single answer was being fixed."""
    if _form(context).pop("fixing", False):
        return await _confirm(update, context)
    position = STEPS.index(step)
    if position + 1 < len(STEPS):
        return await _ask(update, context, STEPS[position + 1])
    return await _confirm(update, context)


async def form_name(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message and message.text is not None
    result = service.check_name(message.text)
    if isinstance(result, InputError):
        rule = service.APPLICATION_RULES["name"]
        error = input_error(context.gettext, result, rule=rule, text=message.text)
        return await _ask(update, context, "name", error)
    _form(context)["name"] = result
    return await _after_answer(update, context, "name")


async def form_phone_text(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    form = _form(context)
    previous = form.get("previous") or {}
    known = form.get("phone") or previous.get("phone")
    if known and message.text.strip() == _("Same number: {phone}", phone=service.mask_phone(known)):
        form["phone"] = known
        form.setdefault("contact_shared", bool(previous.get("contact_shared")))
        return await _after_answer(update, context, "phone")
    phone = service.normalize_phone(message.text)
    if phone is None:
        error = _(INPUT_ERRORS[InputError.BAD_PHONE]) + "\n" + _("Type it again, or tap “📱 Send my number”.")
        return await _ask(update, context, "phone", error)
    form["phone"], form["contact_shared"] = phone, False
    return await _after_answer(update, context, "phone")


async def form_phone_contact(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message and message.contact and update.effective_user
    own = message.contact.user_id == update.effective_user.id
    phone = service.contact_phone(message.contact.phone_number, own=own)
    if phone is None:
        _ = context.gettext
        error = _("That contact's number is not a mainland mobile number (11 digits starting with 1).")
        return await _ask(update, context, "phone", error)
    form = _form(context)
    form["phone"], form["contact_shared"] = phone, own
    return await _after_answer(update, context, "phone")


def _text_step(step: str) -> MessageHandler[BotContext, int]:
    """The handler of a free-text question (village, availability, note)."""

    async def answer(update: Update, context: BotContext) -> int:
        message = update.effective_message
        assert message and message.text is not None
        _ = context.gettext
        rule = service.APPLICATION_RULES[step]
        text = "跳过" if step == "note" and message.text.strip() == _("Skip") else message.text
        result = service.check_text(text, rule)
        if isinstance(result, InputError):
            return await _ask(update, context, step, input_error(_, result, rule=rule, text=message.text))
        _form(context)[step] = result
        return await _after_answer(update, context, step)

    answer.__name__ = f"form_{step}"
    return MessageHandler(TEXT_ANSWER, answer)


# --- checking and sending --------------------------------------------------------------------------


def _confirm_keyboard(_: Translate) -> ReplyKeyboardMarkup:
    return form_keyboard([[_("✅ Send")], [_("✏️ Change something"), cancel_label(_)]])


async def _confirm(update: Update, context: BotContext) -> int:
    """The answers, to check before sending."""
    _ = context.gettext
    form = _form(context)
    summary = render.application_summary(_, {k: form.get(k) for k in STEPS})
    title = render.esc(form.get("title"))
    text = _("Please check your application for {title}:", title=title) + "\n\n" + summary
    text += "\n\n" + _("Only the recruiter sees your phone number.")
    await reply(update, context, text, _confirm_keyboard(_))
    return CONFIRM


async def form_confirm(update: Update, context: BotContext) -> int:
    """✅ Send, or ✏️ change one answer."""
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    text = message.text.strip()
    if text == _("✏️ Change something"):
        labels = [field_label(_, k) for k in STEPS]
        keyboard = form_keyboard([labels[:2], labels[2:4], [labels[4], _("« Back")]])
        await reply(update, context, _("What do you want to change?"), keyboard)
        return FIX
    if text != _("✅ Send"):
        await reply(
            update, context, _("Tap ✅ Send to send it, or ✏️ Change something."), _confirm_keyboard(_)
        )
        return CONFIRM
    await reply(update, context, await _send(context), ReplyKeyboardRemove())
    return ConversationHandler.END


async def _send(context: BotContext) -> str:
    """Submit the form and alert the admins; what to tell the applicant."""
    assert context.person
    _ = context.gettext
    form = _form(context)
    answers = service.ApplicationForm(
        **{step: form.get(step) for step in STEPS}, contact_shared=bool(form.get("contact_shared"))
    )
    outcome = service.SubmitOutcome
    async with context.bot_data.alert_lock(outbox.ALERT_KIND), context.session() as session:
        person = await people.get_person(session, context.person.telegram_id)
        assert person is not None
        result = await service.submit_application(session, form["posting_id"], person, answers)
        if result.outcome in (outcome.CREATED, outcome.UPDATED):
            assert result.application is not None
            await outbox.alert_admins(
                session,
                result.application,
                updated=result.outcome == outcome.UPDATED,
                admins=await people.list_people(session, [Role.ADMIN]),
                default_language=context.settings.default_language,
            )
    context.user_data.pop(FORM_KEY, None)
    if result.outcome == outcome.CREATED:
        context.bot_data.sender.wake()
        return _(
            "✅ Sent! The recruiter will call you at {phone}. See your applications with /myapplications.",
            phone=service.mask_phone(answers.phone),
        )
    if result.outcome == outcome.UPDATED:
        context.bot_data.sender.wake()
        return _("✅ Your application is updated. See your applications with /myapplications.")
    if result.outcome == outcome.ALREADY_HIRED:
        return _(ALREADY_HIRED)
    return _(CLOSED)


async def form_fix(update: Update, context: BotContext) -> int:
    """Which answer to change."""
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    text = message.text.strip()
    for step in STEPS:
        if text == field_label(_, step):
            _form(context)["fixing"] = True
            return await _ask(update, context, step)
    return await _confirm(update, context)


# --- leaving ---------------------------------------------------------------------------------------


async def form_cancel(update: Update, context: BotContext) -> int:
    """✖ Cancel (or /cancel) at any step: nothing is sent."""
    context.user_data.pop(FORM_KEY, None)
    text = context.gettext("Cancelled; nothing was sent. See the open jobs: /jobs")
    await reply(update, context, text, ReplyKeyboardRemove())
    return ConversationHandler.END


async def form_other(update: Update, context: BotContext) -> int:
    """Something that is not an answer (a photo, a sticker): ask the current question again."""
    form = _form(context)
    for step in STEPS:
        if step not in form:
            return await _ask(
                update, context, step, context.gettext("Please answer with text or tap a button.")
            )
    return await _confirm(update, context)


async def form_timeout(update: object, context: BotContext) -> None:
    """A long pause closes the form."""
    context.user_data.pop(FORM_KEY, None)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    text = context.gettext("The form was closed after a long pause. Tap ✍️ Apply again to start over.")
    try:
        await context.bot.send_message(chat.id, text, reply_markup=ReplyKeyboardRemove())
    except TelegramError as exc:
        log.info("could not tell %s the form timed out: %s", chat.id, exc)


def form() -> ConversationHandler[BotContext]:
    """The application form: a new handler each call (PTB keeps a conversation's state in the handler)."""
    private = filters.ChatType.PRIVATE
    return conversation(
        name="job_application_form",
        entry_points=[
            on_button(Apply, apply_button),
            CommandHandler(
                "start", apply_from_link, private & filters.Regex(rf"^/start {service.DEEP_LINK_PREFIX}\d+$")
            ),
        ],
        states={
            NAME: [MessageHandler(TEXT_ANSWER, form_name)],
            PHONE: [
                MessageHandler(private & filters.CONTACT, form_phone_contact),
                MessageHandler(TEXT_ANSWER, form_phone_text),
            ],
            VILLAGE: [_text_step("village")],
            AVAILABILITY: [_text_step("availability")],
            NOTE: [_text_step("note")],
            CONFIRM: [MessageHandler(TEXT_ANSWER, form_confirm)],
            FIX: [MessageHandler(TEXT_ANSWER, form_fix)],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, form_timeout)],
        },
        fallbacks=[
            MessageHandler(CANCEL, form_cancel),
            MessageHandler(private & ~filters.COMMAND, form_other),
        ],
        timeout=FORM_TIMEOUT,
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [form()]
