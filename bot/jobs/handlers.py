"""Telegram glue for jobs: postings written and published by admins, applications from job seekers.

Job seekers: ``/jobs`` (open postings), a posting's detail, the application form (also started straight
away by the 我要报名 button in a village group, through ``/start job_<id>``), ``/myapplications``,
``/jobalerts`` and ``/forgetme``. Admins: ``/newjob`` (a guided form, then a preview to publish from),
``/postings``, ``/applicants``. Everything sent to groups, to applicants and as alerts goes through the delivery outbox
(``bot.jobs.outbox``); interactive answers are ordinary replies.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.access import admin_only, has_role
from bot.clock import utcnow
from bot.context import BotContext
from bot.delivery import service as delivery
from bot.delivery.handlers import SERVICE_KEY as DELIVERY_KEY
from bot.delivery.handlers import alert_lock
from bot.delivery.models import DeliveryState
from bot.delivery.sender import Progress, Sender
from bot.i18n import N_, Translate, gettext_for
from bot.jobs import export, outbox, render, service
from bot.jobs.models import ApplicationStatus, JobApplication, JobPosting, PostingState
from bot.jobs.service import InputError
from bot.people import service as people
from bot.people.models import Person, Role
from bot.replies import edit_query_message, page_buttons

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
HTML = ParseMode.HTML
PAGE = 5
ADMIN_PAGE = 8
APPLICANTS_PAGE = 10
FORM_TIMEOUT = timedelta(minutes=30)
TICK_JOB = "jobs:tick"
TICK_SECONDS = 60

# Conversation states: the admin's posting form, then the job seeker's application form.
TITLE, DESCRIPTION, HEADCOUNT, PAY, HOURS, LOCATION, REQUIREMENTS, DEADLINE, EDIT_VALUE = range(9)
NAME, PHONE, VILLAGE, AVAILABILITY, NOTE, CONFIRM, FIX = range(20, 27)

POSTING_STEPS = ("title", "description", "headcount", "pay", "hours", "location", "requirements", "deadline")
POSTING_STATES = dict(
    zip(
        POSTING_STEPS,
        (TITLE, DESCRIPTION, HEADCOUNT, PAY, HOURS, LOCATION, REQUIREMENTS, DEADLINE),
        strict=True,
    )
)
FORM_STEPS = ("name", "phone", "village", "availability", "note")
FORM_STATES = dict(zip(FORM_STEPS, (NAME, PHONE, VILLAGE, AVAILABILITY, NOTE), strict=True))
NEW_KEY, EDIT_KEY, FORM_KEY, PICK_KEY = "job_new", "job_edit", "job_form", "job_pick"

POSTING_PROMPTS = {
    "title": N_("What is the job called? (2 to 40 characters, for example: 电商客服)"),
    "description": N_(
        "Describe the work in a few lines: what people do, training, who it suits (up to 1000 characters)."
    ),
    "headcount": N_("How many people do you need? (a number, for example: 3)"),
    "pay": N_("What is the pay? (for example: 3000-4500元/月)"),
    "hours": N_("What are the hours or shifts? (for example: 早班 8:00-16:00，晚班 16:00-24:00)"),
    "location": N_("Where is the work? (for example: 平安区星站 2楼)"),
    "requirements": N_("Any requirements? (up to 300 characters, or tap Skip)"),
    "deadline": N_(
        "Until which day can people apply? For example 2026-12-31, 12-31, 12月31日 or 明天; or tap No deadline."
    ),
}
FORM_PROMPTS = {
    "name": N_("What is your name?"),
    "phone": N_("Your mobile number? Tap “📱 Send my number” below, or type the 11 digits."),
    "village": N_("Which village are you from? Tap it or type it."),
    "availability": N_(
        "When can you start work? Tap an answer or type your own (for example: 下周一起，只能上白班)."
    ),
    "note": N_("Anything else the recruiter should know? (optional, up to 200 characters, or tap Skip)"),
}
INPUT_ERRORS = {
    InputError.EMPTY: N_("Please write something."),
    InputError.TOO_SHORT: N_("That is too short: at least {min} characters."),
    InputError.TOO_LONG: N_("That is too long: at most {max} characters (you wrote {length})."),
    InputError.NOT_A_NUMBER: N_("Please write a number, for example: 3"),
    InputError.OUT_OF_RANGE: N_("Please write a number from 1 to 999."),
    InputError.NOT_A_NAME: N_("Please write your name in letters, not only digits or signs."),
    InputError.BAD_PHONE: N_(
        "That is not a mainland mobile number: 11 digits starting with 1, for example 138 1234 5678."
    ),
    InputError.BAD_DATE: N_("I could not read that date. Write it like 2026-12-31, 12-31 or 12月31日."),
    InputError.PAST_DATE: N_("That day has already passed. Choose today or a later day."),
    InputError.FAR_DATE: N_("That is more than a year away. Choose an earlier day."),
}
AVAILABILITY_CHOICES = (N_("Right away"), N_("In a week"), N_("In a month"))
STATUS_BUTTONS = (
    (ApplicationStatus.CONTACTED, N_("📞 Contacted")),
    (ApplicationStatus.INTERVIEWED, N_("🗣 Interviewed")),
    (ApplicationStatus.HIRED, N_("🎉 Hire")),
    (ApplicationStatus.REJECTED, N_("✖️ Not hired")),
)
CANCEL_WORDS = frozenset({"取消", "cancel", "/cancel", "退出", "算了"})
SEEKER_BUTTONS = r"^job:(list:\d+|view:\d+|my|wd:\d+|wdok:\d+|sub:(menu|all|off|g:\d+)|forget:(yes|no))$"
ADMIN_BUTTONS = (
    r"^job:((postings|adm|edit|del|pub|pubsel|pick|card|ntf|xlsx|csv):\d+|tog:\d+:\d+|apps:\d+:\d+"
    r"|state:\d+:(open|filled|closed)|st:\d+:(contacted|interviewed|hired|rejected))$"
)


# --- small helpers ---------------------------------------------------------------------------------


def _label(_: Translate, key: str) -> str:
    return _(render.FIELD_LABELS[key])


def _cancel_label(_: Translate) -> str:
    return _("✖ Cancel")


def _is_cancel(_: Translate, text: str | None) -> bool:
    text = (text or "").strip()
    return text == _cancel_label(_) or text.lower() in CANCEL_WORDS


def _keyboard(rows: list[list[str | KeyboardButton]], placeholder: str | None = None) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, input_field_placeholder=placeholder)


def _input_error(
    _: Translate, error: InputError, *, rule: service.TextRule | None = None, text: str = ""
) -> str:
    return _(
        INPUT_ERRORS[error],
        min=rule.min if rule else 1,
        max=rule.max if rule else 0,
        length=len(service.tidy(text)),
    )


def _find_sender(app: AnyApplication) -> Sender | None:
    """The outbox sender of the running bot (set up by the delivery room), if there is one."""
    sender = app.bot_data.services.get(DELIVERY_KEY)
    return sender if isinstance(sender, Sender) else None


def _listen(app: AnyApplication) -> Sender | None:
    sender = _find_sender(app)
    if sender is None:
        return None
    listening: set[int] = app.bot_data.services.setdefault("jobs_listening", set())
    if id(sender) not in listening:
        listening.add(id(sender))
        sender.listen(outbox.ANNOUNCE_KIND, _announcement_report(app))
    return sender


def _queued(context: BotContext | AnyApplication) -> None:
    """Something was put in the outbox: have the sender look now."""
    app = context if isinstance(context, Application) else context.application
    sender = _listen(app)
    if sender is not None:
        sender.wake()
    else:
        log.warning("jobs: messages are queued in the outbox but no sender is running")


def _announcement_report(app: AnyApplication) -> Callable[[Progress], Awaitable[None]]:
    """Tell the admin who published a posting how its announcement went, once it is done."""

    async def report(progress: Progress) -> None:
        campaign = progress.campaign
        posting_id = outbox.posting_id_of(campaign.ref)
        if not progress.finished or posting_id is None or campaign.created_by_id is None:
            return
        factory, settings = app.bot_data.db, app.bot_data.settings
        assert factory is not None and settings is not None
        async with factory() as session:
            posting = await service.get_posting(session, posting_id)
            admin = await session.get(Person, campaign.created_by_id)
            assert campaign.id is not None
            missed = await delivery.chats_by_campaign(
                session, campaign.id, [DeliveryState.FAILED, DeliveryState.BLOCKED]
            )
        if posting is None or admin is None:
            return
        _ = gettext_for(outbox.language_of(admin, settings.default_language))
        counts = progress.counts
        lines = [
            _(
                "📣 “{title}” reached {sent} of {total} village groups.",
                title=posting.title,
                sent=counts.sent,
                total=counts.total,
            )
        ]
        if missed:
            lines.append(_("Not delivered:"))
            lines += [f"• {label or chat_id} — {error or '?'}" for chat_id, label, error in missed[:10]]
        try:
            await app.bot.send_message(admin.telegram_id, "\n".join(lines))
        except TelegramError as exc:
            log.warning("could not report announcement %s: %s", campaign.id, exc)

    return report


# --- job seekers: browsing -------------------------------------------------------------------------


def _jobs_page(
    _: Translate, postings: list[JobPosting], total: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    if not total:
        text = _("No open jobs right now. Tap below to get a message when there is a new one.")
        return text, InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🔔 Alert me"), callback_data="job:sub:menu")]]
        )
    pages = max(1, -(-total // PAGE))
    text = _("Open jobs: {total}. Tap one to see it and apply.", total=total)
    rows = [
        [InlineKeyboardButton(f"{p.title} · {p.pay}"[:60], callback_data=f"job:view:{p.id}")]
        for p in postings
    ]
    if nav := page_buttons(page, pages, lambda n: f"job:list:{n}"):
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("🔔 Alerts for new jobs"), callback_data="job:sub:menu")])
    return text, InlineKeyboardMarkup(rows)


async def _jobs_listing(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    page = max(page, 0)
    async with context.session() as session:
        postings, total = await service.open_postings(session, offset=page * PAGE, limit=PAGE)
        if not postings and page > 0:
            page = 0
            postings, total = await service.open_postings(session, limit=PAGE)
    return _jobs_page(context.gettext, postings, total, page)


async def jobs_command(update: Update, context: BotContext) -> None:
    """``/jobs``: open postings, a page at a time."""
    assert update.effective_message
    text, markup = await _jobs_listing(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def _posting_view(context: BotContext, posting_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    """A posting as a job seeker sees it, with the Apply button while it takes applications."""
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None or (posting.state == PostingState.DRAFT and not has_role(context, Role.ADMIN)):
            return None
        mine = None
        if context.person is not None and context.person.id is not None:
            mine = await service.own_application_for(session, posting_id, context.person.id)
    text = render.posting_html(_, posting, context.settings.tz)
    rows = []
    if service.accepts_applications(posting):
        if mine is not None and mine.status == ApplicationStatus.HIRED:
            text += "\n\n" + _("🎉 You are hired for this job.")
        else:
            if mine is not None and mine.status != ApplicationStatus.WITHDRAWN:
                text += "\n\n" + _(
                    "You have applied ({status}). Applying again updates your application.",
                    status=_(render.SEEKER_STATUS[ApplicationStatus(mine.status)]),
                )
            rows.append([InlineKeyboardButton(_("✍️ Apply"), callback_data=f"job:apply:{posting_id}")])
    elif posting.state != PostingState.DRAFT:
        text += "\n\n" + _("This job is no longer taking applications.")
    rows.append([InlineKeyboardButton(_("« All open jobs"), callback_data="job:list:0")])
    return text, InlineKeyboardMarkup(rows)


async def open_from_link(update: Update, context: BotContext, payload: str) -> None:
    """``/start job_<id>``: the 我要报名 button of a village group leads here."""
    message = update.effective_message
    assert message
    _ = context.gettext
    raw = payload.removeprefix(service.DEEP_LINK_PREFIX)
    view = await _posting_view(context, int(raw)) if raw.isdigit() else None
    if view is None:
        await message.reply_text(_("Sorry, I cannot find this job any more. See the open jobs: /jobs"))
        return
    text, markup = view
    await message.reply_text(text, reply_markup=markup, parse_mode=HTML, disable_web_page_preview=True)


# --- job seekers: their applications, alerts, personal data -----------------------------------------


async def _my_applications(context: BotContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        mine = await service.applications_of(session, context.person)
    if not mine:
        return _("You have not applied for any job yet. See the open jobs: /jobs"), None
    tz = context.settings.tz
    lines = [_("Your applications:")]
    rows = []
    for application, posting in mine:
        status = ApplicationStatus(application.status)
        when = application.updated_at.astimezone(tz).strftime("%m-%d")
        lines.append(f"• <b>{render.esc(posting.title)}</b> — {_(render.SEEKER_STATUS[status])} ({when})")
        if status in service.ACTIVE_STATUSES:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("↩️ Withdraw: {title}", title=posting.title)[:60],
                        callback_data=f"job:wd:{application.id}",
                    )
                ]
            )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def myapplications_command(update: Update, context: BotContext) -> None:
    """``/myapplications``: the person's own applications and where they stand."""
    assert update.effective_message
    text, markup = await _my_applications(context)
    await update.effective_message.reply_text(text, reply_markup=markup, parse_mode=HTML)


async def _alerts_menu(context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        subscription = await service.get_subscription(session, context.person)
        groups = await service.village_groups(session)
    if subscription is None:
        current = _("You get no alerts for new jobs.")
    elif subscription.village is None:
        current = _("You get alerts for new jobs in every village.")
    else:
        current = _("You get alerts for new jobs in {village}.", village=subscription.village)
    rows = []
    seen: set[str] = set()
    for group in groups:
        if group.village and group.village not in seen:
            seen.add(group.village)
            rows.append([InlineKeyboardButton("🏘 " + group.village, callback_data=f"job:sub:g:{group.id}")])
    rows.append([InlineKeyboardButton(_("🌏 Every village"), callback_data="job:sub:all")])
    if subscription is not None:
        rows.append([InlineKeyboardButton(_("🔕 No alerts"), callback_data="job:sub:off")])
    return current + "\n" + _("Which new jobs should I tell you about?"), InlineKeyboardMarkup(rows[-12:])


async def jobalerts_command(update: Update, context: BotContext) -> None:
    """``/jobalerts``: choose alerts for new postings (one village, every village, none)."""
    assert update.effective_message
    text, markup = await _alerts_menu(context)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def forgetme_command(update: Update, context: BotContext) -> None:
    """``/forgetme``: ask before deleting the person's applications and alert choice."""
    _ = context.gettext
    assert update.effective_message
    buttons = [
        [InlineKeyboardButton(_("🗑 Yes, delete my data"), callback_data="job:forget:yes")],
        [InlineKeyboardButton(_("Keep it"), callback_data="job:forget:no")],
    ]
    await update.effective_message.reply_text(
        _(
            "This deletes your job applications (name, phone number, village, notes) and your job alerts. "
            "Recruiters will no longer see them. Delete?"
        ),
        reply_markup=InlineKeyboardMarkup(buttons),
    )


async def seeker_button(update: Update, context: BotContext) -> None:
    """Buttons of job seekers: pages, details, their applications, alerts, forgetting."""
    query = update.callback_query
    assert query and query.data and context.person
    _ = context.gettext
    parts = query.data.split(":")
    action = parts[1]
    if action == "list":
        text, markup = await _jobs_listing(context, int(parts[2]))
        await query.answer()
        await edit_query_message(query, text, reply_markup=markup)
    elif action == "view":
        view = await _posting_view(context, int(parts[2]))
        if view is None:
            await query.answer(_("Sorry, I cannot find this job any more."), show_alert=True)
            return
        await query.answer()
        await edit_query_message(
            query, view[0], reply_markup=view[1], parse_mode=HTML, disable_web_page_preview=True
        )
    elif action == "my":
        text, markup = await _my_applications(context)
        await query.answer()
        await edit_query_message(query, text, reply_markup=markup, parse_mode=HTML)
    elif action in ("wd", "wdok"):
        await _withdraw(update, context, int(parts[2]), confirmed=action == "wdok")
    elif action == "sub":
        await _alerts_choice(update, context, parts[2:])
    elif action == "forget":
        await _forget(update, context, parts[2] == "yes")
    else:
        await query.answer()


async def _withdraw(update: Update, context: BotContext, application_id: int, *, confirmed: bool) -> None:
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    async with context.session() as session:
        application = await service.own_application(session, application_id, context.person)
        if application is None:
            await query.answer(_("This is not one of your applications."), show_alert=True)
            return
        posting = await service.get_posting(session, application.posting_id)
        assert posting is not None
        if not confirmed:
            await query.answer()
            buttons = [
                [InlineKeyboardButton(_("Yes, withdraw"), callback_data=f"job:wdok:{application_id}")],
                [InlineKeyboardButton(_("No, keep it"), callback_data="job:my")],
            ]
            await edit_query_message(
                query,
                _("Withdraw your application for {title}?", title=posting.title),
                reply_markup=InlineKeyboardMarkup(buttons),
            )
            return
        done = await service.withdraw(session, application)
    await query.answer(_("Withdrawn.") if done else _("It can no longer be withdrawn."))
    text, markup = await _my_applications(context)
    await edit_query_message(query, text, reply_markup=markup, parse_mode=HTML)


async def _alerts_choice(update: Update, context: BotContext, args: list[str]) -> None:
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    if args[0] != "menu":
        async with context.session() as session:
            if args[0] == "off":
                await service.unsubscribe(session, context.person)
            elif args[0] == "all":
                await service.subscribe(session, context.person, None)
            elif args[0] == "g" and len(args) > 1 and args[1].isdigit():
                groups = {g.id: g for g in await service.village_groups(session)}
                group = groups.get(int(args[1]))
                if group is None or not group.village:
                    await query.answer(_("That village group is no longer available."), show_alert=True)
                    return
                await service.subscribe(session, context.person, group.village)
        await query.answer(_("Saved."))
    else:
        await query.answer()
    text, markup = await _alerts_menu(context)
    await edit_query_message(query, text, reply_markup=markup)


async def _forget(update: Update, context: BotContext, confirmed: bool) -> None:
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    await query.answer()
    if not confirmed:
        await edit_query_message(query, _("Nothing was deleted."))
        return
    async with context.session() as session:
        forgotten = await service.forget_person(session, context.person)
    for key in (FORM_KEY,):
        context.user_data.pop(key, None)
    await edit_query_message(
        query,
        _(
            "Done: {count} applications and your job alerts are deleted. If you apply again, you fill in the "
            "form again.",
            count=forgotten.applications,
        ),
    )


# --- job seekers: the application form -------------------------------------------------------------


def _form(context: BotContext) -> dict[str, Any]:
    return context.user_data.setdefault(FORM_KEY, {})


async def apply_button(update: Update, context: BotContext) -> int | None:
    """The Apply button of a posting: check it still takes applications, then ask the first question."""
    query = update.callback_query
    assert query and query.data
    return await _begin_form(update, context, int(query.data.split(":")[2]))


async def apply_from_link(update: Update, context: BotContext) -> int:
    """``/start job_<id>`` (the 我要报名 button of a village group): the posting, then the first question.

    A posting that takes no applications (closed, filled, past its deadline, a draft an admin looks at)
    or one the person is already hired for is only shown, as ``open_from_link`` always did.
    """
    assert context.args
    return await _begin_form(update, context, int(context.args[0].removeprefix(service.DEEP_LINK_PREFIX)))


async def _begin_form(update: Update, context: BotContext, posting_id: int) -> int:
    """Start the application form for a posting (from its Apply button or from a deep link)."""
    query = update.callback_query
    message = update.effective_message
    assert message and context.person and context.person.id is not None
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        mine = await service.own_application_for(session, posting_id, context.person.id)
        previous = await service.last_form(session, context.person)
        villages = await service.known_villages(session)
    hired = mine is not None and mine.status == ApplicationStatus.HIRED
    if query is None and (posting is None or hired or not service.accepts_applications(posting)):
        await open_from_link(update, context, f"{service.DEEP_LINK_PREFIX}{posting_id}")
        return ConversationHandler.END
    if posting is None or not service.accepts_applications(posting):
        assert query
        await query.answer()
        await message.reply_text(
            _("Sorry, this job is no longer taking applications. See the other open jobs: /jobs")
        )
        return ConversationHandler.END
    if hired:
        assert query
        await query.answer(_("You are already hired for this job. 🎉"), show_alert=True)
        return ConversationHandler.END
    if query is not None:
        await query.answer()
    else:
        # From a village group's link: show what they are applying for, without a button to tap first.
        await message.reply_text(
            render.posting_html(_, posting, context.settings.tz),
            parse_mode=HTML,
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
    await message.reply_text(intro)
    return await _ask(update, context, "name")


def _form_keyboard(context: BotContext, step: str) -> ReplyKeyboardMarkup:
    _ = context.gettext
    form = _form(context)
    previous = form.get("previous") or {}
    cancel = _cancel_label(_)
    rows: list[list[str | KeyboardButton]] = []
    if step == "name":
        names = [
            n
            for n in (form.get("name"), previous.get("name"), context.person and context.person.first_name)
            if n
        ]
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
    rows.append([cancel])
    return _keyboard(rows, placeholder=_label(_, step))


async def _ask(update: Update, context: BotContext, step: str, error: str | None = None) -> int:
    """Ask one question of the form (after the explanation of what was wrong with the last answer)."""
    _ = context.gettext
    message = update.effective_message
    assert message
    number = FORM_STEPS.index(step) + 1
    question = f"{number}/{len(FORM_STEPS)} " + _(FORM_PROMPTS[step])
    text = f"{error}\n\n{question}" if error else question
    await message.reply_text(text, reply_markup=_form_keyboard(context, step))
    return FORM_STATES[step]


async def _after_answer(update: Update, context: BotContext, step: str) -> int:
    """Next question, or back to the summary when a single answer was being fixed."""
    form = _form(context)
    if form.pop("fixing", False):
        return await _confirm(update, context)
    position = FORM_STEPS.index(step)
    if position + 1 < len(FORM_STEPS):
        return await _ask(update, context, FORM_STEPS[position + 1])
    return await _confirm(update, context)


async def form_name(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message and message.text is not None
    result = service.check_name(message.text)
    if isinstance(result, InputError):
        rule = service.APPLICATION_RULES["name"]
        return await _ask(
            update, context, "name", _input_error(context.gettext, result, rule=rule, text=message.text)
        )
    _form(context)["name"] = result
    return await _after_answer(update, context, "name")


async def form_phone_text(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    form = _form(context)
    known = form.get("phone") or (form.get("previous") or {}).get("phone")
    if known and message.text.strip() == _("Same number: {phone}", phone=service.mask_phone(known)):
        form["phone"] = known
        if "contact_shared" not in form:
            form["contact_shared"] = bool((form.get("previous") or {}).get("contact_shared"))
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
    _ = context.gettext
    own = message.contact.user_id == update.effective_user.id
    phone = service.contact_phone(message.contact.phone_number, own=own)
    if phone is None:
        error = _("That contact's number is not a mainland mobile number (11 digits starting with 1).")
        return await _ask(update, context, "phone", error)
    form = _form(context)
    form["phone"], form["contact_shared"] = phone, own
    return await _after_answer(update, context, "phone")


async def _form_text(update: Update, context: BotContext, step: str) -> int:
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    rule = service.APPLICATION_RULES[step]
    text = message.text
    if step == "note" and text.strip() == _("Skip"):
        text = "跳过"
    result = service.check_text(text, rule)
    if isinstance(result, InputError):
        return await _ask(update, context, step, _input_error(_, result, rule=rule, text=message.text))
    _form(context)[step] = result
    return await _after_answer(update, context, step)


async def form_village(update: Update, context: BotContext) -> int:
    return await _form_text(update, context, "village")


async def form_availability(update: Update, context: BotContext) -> int:
    return await _form_text(update, context, "availability")


async def form_note(update: Update, context: BotContext) -> int:
    return await _form_text(update, context, "note")


def _confirm_keyboard(_: Translate) -> ReplyKeyboardMarkup:
    return _keyboard([[_("✅ Send")], [_("✏️ Change something"), _cancel_label(_)]])


async def _confirm(update: Update, context: BotContext) -> int:
    _ = context.gettext
    message = update.effective_message
    assert message
    form = _form(context)
    summary = render.application_summary(_, {k: form.get(k) for k in FORM_STEPS})
    text = (
        _("Please check your application for {title}:", title=render.esc(form.get("title")))
        + "\n\n"
        + summary
    )
    text += "\n\n" + _("Only the recruiter sees your phone number.")
    await message.reply_text(text, reply_markup=_confirm_keyboard(_), parse_mode=HTML)
    return CONFIRM


async def form_confirm(update: Update, context: BotContext) -> int:
    """✅ Send, or ✏️ change one answer."""
    message = update.effective_message
    assert message and message.text is not None and context.person
    _ = context.gettext
    text = message.text.strip()
    if text == _("✏️ Change something"):
        buttons = [_label(_, k) for k in FORM_STEPS]
        await message.reply_text(
            _("What do you want to change?"),
            reply_markup=_keyboard([buttons[:2], buttons[2:4], [buttons[4], _("« Back")]]),
        )
        return FIX
    if text != _("✅ Send"):
        await message.reply_text(
            _("Tap ✅ Send to send it, or ✏️ Change something."), reply_markup=_confirm_keyboard(_)
        )
        return CONFIRM
    form = _form(context)
    answers = service.ApplicationForm(
        name=form["name"],
        phone=form["phone"],
        village=form["village"],
        availability=form["availability"],
        note=form.get("note"),
        contact_shared=bool(form.get("contact_shared")),
    )
    async with alert_lock(context.bot_data, outbox.ALERT_KIND), context.session() as session:
        person = await people.get_person(session, context.person.telegram_id)
        assert person is not None
        result = await service.submit_application(session, form["posting_id"], person, answers)
        if result.outcome in (service.SubmitOutcome.CREATED, service.SubmitOutcome.UPDATED):
            assert result.application is not None
            admins = await people.list_people(session, [Role.ADMIN])
            await outbox.alert_admins(
                session,
                result.application,
                updated=result.outcome == service.SubmitOutcome.UPDATED,
                admins=admins,
                default_language=context.settings.default_language,
            )
    context.user_data.pop(FORM_KEY, None)
    if result.outcome == service.SubmitOutcome.CREATED or result.outcome == service.SubmitOutcome.UPDATED:
        _queued(context)
        reply = _(
            "✅ Sent! The recruiter will call you at {phone}. See your applications with /myapplications.",
            phone=service.mask_phone(answers.phone),
        )
        if result.outcome == service.SubmitOutcome.UPDATED:
            reply = _("✅ Your application is updated. See your applications with /myapplications.")
    elif result.outcome == service.SubmitOutcome.ALREADY_HIRED:
        reply = _("You are already hired for this job. 🎉")
    else:
        reply = _("Sorry, this job is no longer taking applications. See the other open jobs: /jobs")
    await message.reply_text(reply, reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def form_fix(update: Update, context: BotContext) -> int:
    """Which answer to change."""
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    text = message.text.strip()
    for step in FORM_STEPS:
        if text == _label(_, step):
            _form(context)["fixing"] = True
            return await _ask(update, context, step)
    return await _confirm(update, context)


async def form_cancel(update: Update, context: BotContext) -> int:
    """✖ Cancel (or /cancel) at any step: nothing is sent."""
    context.user_data.pop(FORM_KEY, None)
    if update.effective_message:
        await update.effective_message.reply_text(
            context.gettext("Cancelled; nothing was sent. See the open jobs: /jobs"),
            reply_markup=ReplyKeyboardRemove(),
        )
    return ConversationHandler.END


async def form_other(update: Update, context: BotContext) -> int | None:
    """Something that is not an answer (a photo, a sticker): ask the current question again."""
    _ = context.gettext
    message = update.effective_message
    if message is None:
        return None
    if message.text and _is_cancel(_, message.text):
        return await form_cancel(update, context)
    form = _form(context)
    for step in FORM_STEPS:
        if step not in form:
            return await _ask(update, context, step, _("Please answer with text or tap a button."))
    return await _confirm(update, context)


async def form_timeout(update: Update, context: BotContext) -> None:
    context.user_data.pop(FORM_KEY, None)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None:
        try:
            await context.bot.send_message(
                chat.id,
                context.gettext("The form was closed after a long pause. Tap ✍️ Apply again to start over."),
                reply_markup=ReplyKeyboardRemove(),
            )
        except TelegramError as exc:
            log.info("could not tell %s the form timed out: %s", chat.id, exc)


def _cancelling(
    callback: Callable[[Update, BotContext], Awaitable[int]],
) -> Callable[[Update, BotContext], Awaitable[int]]:
    """Let a text step treat ✖ Cancel as cancelling rather than as an answer."""

    async def step(update: Update, context: BotContext) -> int:
        message = update.effective_message
        if message is not None and _is_cancel(context.gettext, message.text):
            return await form_cancel(update, context)
        return await callback(update, context)

    step.__name__ = callback.__name__
    step.__doc__ = callback.__doc__
    return step


# --- admins: writing a posting ---------------------------------------------------------------------


def _posting_keyboard(_: Translate, step: str) -> ReplyKeyboardMarkup:
    rows: list[list[str | KeyboardButton]] = []
    if step == "requirements":
        rows.append([_("Skip")])
    elif step == "deadline":
        rows.append([_("Tomorrow"), _("No deadline")])
    rows.append([_cancel_label(_)])
    return _keyboard(rows, placeholder=_label(_, step))


async def _ask_posting(
    update: Update, context: BotContext, step: str, error: str | None = None, *, editing: bool = False
) -> int:
    _ = context.gettext
    message = update.effective_message
    assert message
    question = _(POSTING_PROMPTS[step])
    if not editing:
        question = f"{POSTING_STEPS.index(step) + 1}/{len(POSTING_STEPS)} " + question
    text = f"{error}\n\n{question}" if error else question
    await message.reply_text(text, reply_markup=_posting_keyboard(_, step))
    return EDIT_VALUE if editing else POSTING_STATES[step]


def _parse_posting_value(context: BotContext, step: str, raw: str) -> tuple[bool, Any, str | None]:
    """(ok, value, error text) for one posting field typed by an admin."""
    _ = context.gettext
    text = raw
    if step == "requirements" and raw.strip() == _("Skip"):
        text = "跳过"
    if step == "deadline":
        if raw.strip() == _("No deadline"):
            return True, None, None
        if raw.strip() == _("Tomorrow"):
            text = "明天"
        tz = context.settings.tz
        day = service.parse_deadline(text, service.local_today(tz))
        if isinstance(day, InputError):
            return False, None, _input_error(_, day)
        return True, None if day is None else service.closing_moment(day, tz), None
    result = service.check_posting_field(step, text)
    if isinstance(result, InputError):
        return False, None, _input_error(_, result, rule=service.POSTING_RULES.get(step), text=raw)
    return True, result, None


@admin_only
async def newjob_command(update: Update, context: BotContext) -> int:
    """``/newjob``: write a posting step by step; it is saved as a draft with a preview at the end."""
    _ = context.gettext
    assert update.effective_message
    context.user_data[NEW_KEY] = {}
    await update.effective_message.reply_text(
        _(
            "New job posting: {count} questions, then a preview. Nothing is sent before you publish.",
            count=len(POSTING_STEPS),
        )
    )
    return await _ask_posting(update, context, "title")


async def posting_step(update: Update, context: BotContext) -> int:
    """One answer of the posting form."""
    message = update.effective_message
    assert message and message.text is not None and context.person
    _ = context.gettext
    values: dict[str, Any] = context.user_data.setdefault(NEW_KEY, {})
    step = next((s for s in POSTING_STEPS if s not in values), None)
    if step is None:
        return ConversationHandler.END
    ok, value, error = _parse_posting_value(context, step, message.text)
    if not ok:
        return await _ask_posting(update, context, step, error)
    values[step] = value
    following = POSTING_STEPS.index(step) + 1
    if following < len(POSTING_STEPS):
        return await _ask_posting(update, context, POSTING_STEPS[following])
    draft = service.PostingDraft(
        title=values["title"],
        description=values["description"],
        headcount=values["headcount"],
        pay=values["pay"],
        hours=values["hours"],
        location=values["location"],
        requirements=values["requirements"],
        closes_at=values["deadline"],
    )
    async with context.session() as session:
        posting = await service.create_posting(session, context.person, draft)
    context.user_data.pop(NEW_KEY, None)
    assert posting.id is not None
    await message.reply_text(
        _("Saved as draft #{id}. This is how it will look:", id=posting.id),
        reply_markup=ReplyKeyboardRemove(),
    )
    await _send_admin_card(message, context, posting.id)
    return ConversationHandler.END


@admin_only
async def edit_field_button(update: Update, context: BotContext) -> int | None:
    """✏️ one field of a posting (before or after publishing)."""
    query = update.callback_query
    assert query and query.data and query.message
    _ = context.gettext
    _prefix, _action, raw_id, step = query.data.split(":")
    async with context.session() as session:
        posting = await service.get_posting(session, int(raw_id))
    if posting is None or step not in POSTING_STEPS:
        await query.answer(_("This posting no longer exists."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data[EDIT_KEY] = (posting.id, step)
    current = {
        "deadline": render.deadline_text(_, posting, context.settings.tz),
        "headcount": str(posting.headcount),
    }.get(step, getattr(posting, step, None) or "—")
    await query.message.reply_text(_("Now: {value}", value=current))
    return await _ask_posting(update, context, step, editing=True)


async def edit_value(update: Update, context: BotContext) -> int:
    """The new value of the field being edited; published copies are updated through the outbox."""
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    target = context.user_data.get(EDIT_KEY)
    if target is None:
        return ConversationHandler.END
    posting_id, step = target
    ok, value, error = _parse_posting_value(context, step, message.text)
    if not ok:
        return await _ask_posting(update, context, step, error, editing=True)
    context.user_data.pop(EDIT_KEY, None)
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            await message.reply_text(_("This posting no longer exists."), reply_markup=ReplyKeyboardRemove())
            return ConversationHandler.END
        await service.update_posting(session, posting, step, value)
        edited = 0
        if posting.state != PostingState.DRAFT:
            edited = await _refresh(context, session, posting)
    if edited:
        _queued(context)
    note = _("Saved.")
    if edited:
        note += " " + _("The copies in {count} village groups are being updated.", count=edited)
    await message.reply_text(note, reply_markup=ReplyKeyboardRemove())
    await _send_admin_card(message, context, posting_id)
    return ConversationHandler.END


async def posting_cancel(update: Update, context: BotContext) -> int:
    context.user_data.pop(NEW_KEY, None)
    context.user_data.pop(EDIT_KEY, None)
    if update.effective_message:
        await update.effective_message.reply_text(
            context.gettext("Cancelled; nothing was saved."), reply_markup=ReplyKeyboardRemove()
        )
    return ConversationHandler.END


def _posting_cancelling(
    callback: Callable[[Update, BotContext], Awaitable[int]],
) -> Callable[[Update, BotContext], Awaitable[int]]:
    async def step(update: Update, context: BotContext) -> int:
        message = update.effective_message
        if message is not None and _is_cancel(context.gettext, message.text):
            return await posting_cancel(update, context)
        return await callback(update, context)

    step.__name__ = callback.__name__
    return step


# --- admins: the posting card, publishing, states ---------------------------------------------------


async def _refresh(context: BotContext, session: Any, posting: JobPosting) -> int:
    return await outbox.refresh_announcements(
        session,
        posting,
        bot_username=context.bot.username,
        language=context.settings.default_language,
        tz=context.settings.tz,
    )


async def _admin_card(context: BotContext, posting_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            return None
        counts = (await service.posting_counts(session, [posting_id]))[posting_id]
        sent = await outbox.announcement_counts(session, posting_id)
        groups = await service.village_groups(session)
        announced = await outbox.announced_chats(session, posting_id)
    remaining = [g for g in groups if g.chat_id not in announced]
    text = render.admin_card(
        _,
        posting,
        counts,
        context.settings.tz,
        groups_sent=sent.sent,
        groups_total=sent.total - sent.cancelled,
    )
    rows: list[list[InlineKeyboardButton]] = []
    pid = posting.id
    if posting.state == PostingState.DRAFT:
        if groups:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("📣 Publish to all village groups ({count})", count=len(groups)),
                        callback_data=f"job:pub:{pid}",
                    )
                ]
            )
            rows.append([InlineKeyboardButton(_("🏘 Choose village groups"), callback_data=f"job:pick:{pid}")])
        else:
            rows.append(
                [
                    InlineKeyboardButton(
                        _("📣 Publish (no village groups yet)"), callback_data=f"job:pub:{pid}"
                    )
                ]
            )
        rows.append(
            [
                InlineKeyboardButton(_("✏️ Edit"), callback_data=f"job:edit:{pid}"),
                InlineKeyboardButton(_("🗑 Delete draft"), callback_data=f"job:del:{pid}"),
            ]
        )
    else:
        rows.append(
            [
                InlineKeyboardButton(
                    _("👥 Applicants ({count})", count=counts.total), callback_data=f"job:apps:{pid}:0"
                )
            ]
        )
        if posting.state == PostingState.OPEN:
            if remaining:
                rows.append(
                    [
                        InlineKeyboardButton(
                            _("📣 All other groups ({count})", count=len(remaining)),
                            callback_data=f"job:pub:{pid}",
                        ),
                        InlineKeyboardButton(_("🏘 Choose"), callback_data=f"job:pick:{pid}"),
                    ]
                )
            rows.append(
                [
                    InlineKeyboardButton(_("🈵 Mark filled"), callback_data=f"job:state:{pid}:filled"),
                    InlineKeyboardButton(_("⏹ Close"), callback_data=f"job:state:{pid}:closed"),
                ]
            )
        else:
            rows.append([InlineKeyboardButton(_("🔄 Reopen"), callback_data=f"job:state:{pid}:open")])
        rows.append([InlineKeyboardButton(_("✏️ Edit"), callback_data=f"job:edit:{pid}")])
    rows.append([InlineKeyboardButton(_("« All postings"), callback_data="job:postings:0")])
    return text, InlineKeyboardMarkup(rows)


async def _send_admin_card(message: Message, context: BotContext, posting_id: int) -> None:
    card = await _admin_card(context, posting_id)
    if card is not None:
        await message.reply_text(
            card[0], reply_markup=card[1], parse_mode=HTML, disable_web_page_preview=True
        )


async def _postings_page(
    context: BotContext, page: int, *, to_applicants: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    async with context.session() as session:
        postings, total = await service.all_postings(session, offset=page * ADMIN_PAGE, limit=ADMIN_PAGE)
        counts = await service.posting_counts(session, [p.id for p in postings if p.id is not None])
    icons = {
        PostingState.DRAFT: "📝",
        PostingState.OPEN: "📢",
        PostingState.FILLED: "🈵",
        PostingState.CLOSED: "⏹",
    }
    rows = [
        [
            InlineKeyboardButton(
                f"{icons[PostingState(p.state)]} {p.title} · {counts[p.id].total if p.id else 0}"[:60],
                callback_data=f"job:apps:{p.id}:0" if to_applicants else f"job:adm:{p.id}",
            )
        ]
        for p in postings
    ]
    pages = max(1, -(-total // ADMIN_PAGE))
    if nav := page_buttons(page, pages, lambda n: f"job:postings:{n}"):
        rows.append(nav)
    if not total:
        return _("No postings yet. Write one with /newjob."), InlineKeyboardMarkup(rows)
    return _(
        "Job postings: {total} (📝 draft · 📢 open · 🈵 filled · ⏹ closed). Numbers are applications.",
        total=total,
    ), InlineKeyboardMarkup(rows)


@admin_only
async def postings_command(update: Update, context: BotContext) -> None:
    """``/postings``: every posting, drafts and open ones first."""
    assert update.effective_message
    text, markup = await _postings_page(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def _applicants_page(
    context: BotContext, posting_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            return None
        everyone = await service.applicants(session, posting_id)
    pages = max(1, -(-len(everyone) // APPLICANTS_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * APPLICANTS_PAGE : (page + 1) * APPLICANTS_PAGE]
    text = render.applicants_list(_, posting, shown, page * APPLICANTS_PAGE)
    rows = []
    for number, application in enumerate(shown, start=page * APPLICANTS_PAGE + 1):
        icon = render.STATUS_ICONS[ApplicationStatus(application.status)]
        rows.append(
            [
                InlineKeyboardButton(
                    f"{number}. {icon} {application.name}"[:60], callback_data=f"job:card:{application.id}"
                )
            ]
        )
    if nav := page_buttons(page, pages, lambda n: f"job:apps:{posting_id}:{n}"):
        rows.append(nav)
    if everyone:
        rows.append(
            [
                InlineKeyboardButton(_("📊 Excel"), callback_data=f"job:xlsx:{posting_id}"),
                InlineKeyboardButton(_("📄 CSV"), callback_data=f"job:csv:{posting_id}"),
            ]
        )
    rows.append([InlineKeyboardButton(_("« Posting"), callback_data=f"job:adm:{posting_id}")])
    return text, InlineKeyboardMarkup(rows)


@admin_only
async def applicants_command(update: Update, context: BotContext) -> None:
    """``/applicants [posting id]``: the applicants of a posting, or the postings to choose from."""
    _ = context.gettext
    message = update.effective_message
    assert message
    if context.args:
        raw = context.args[0].lstrip("#")
        page = await _applicants_page(context, int(raw), 0) if raw.isdigit() else None
        if page is None:
            await message.reply_text(
                _("There is no posting {id}. See them all with /postings.", id=context.args[0])
            )
            return
        await message.reply_text(page[0], reply_markup=page[1], parse_mode=HTML)
        return
    text, markup = await _postings_page(context, 0, to_applicants=True)
    await message.reply_text(_("Whose applicants? Choose a posting:") + "\n" + text, reply_markup=markup)


def _applicant_keyboard(_: Translate, application: JobApplication) -> InlineKeyboardMarkup:
    current = ApplicationStatus(application.status)
    buttons = [
        InlineKeyboardButton(
            ("• " if status == current else "") + _(label), callback_data=f"job:st:{application.id}:{status}"
        )
        for status, label in STATUS_BUTTONS
    ]
    rows = [buttons[:2], buttons[2:]]
    if current in (ApplicationStatus.CONTACTED, ApplicationStatus.INTERVIEWED, ApplicationStatus.REJECTED):
        rows.append(
            [InlineKeyboardButton(_("📨 Tell the applicant"), callback_data=f"job:ntf:{application.id}")]
        )
    rows.append(
        [InlineKeyboardButton(_("« Applicants"), callback_data=f"job:apps:{application.posting_id}:0")]
    )
    return InlineKeyboardMarkup(rows)


async def _applicant_card(
    context: BotContext, application_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    async with context.session() as session:
        application = await service.get_application(session, application_id)
        if application is None:
            return None
        posting = await service.get_posting(session, application.posting_id)
    assert posting is not None
    _ = context.gettext
    return render.applicant_card(_, application, posting, context.settings.tz), _applicant_keyboard(
        _, application
    )


_STATE_ANSWERS = {
    service.StateChange.UNCHANGED: N_("It already is so."),
    service.StateChange.IS_DRAFT: N_("Publish it first."),
    service.StateChange.DEADLINE_PASSED: N_(
        "Its deadline has passed: edit the deadline first, then reopen it."
    ),
}


@admin_only
async def admin_button(update: Update, context: BotContext) -> None:
    """Every admin button of the jobs capability."""
    query = update.callback_query
    assert query and query.data and query.message
    _ = context.gettext
    parts = query.data.split(":")
    action, arg = parts[1], int(parts[2])
    if action == "postings":
        text, markup = await _postings_page(context, arg)
        await query.answer()
        await edit_query_message(query, text, reply_markup=markup)
        return
    if action == "adm":
        await _show_card(query, context, arg)
        return
    if action == "edit":
        buttons = [
            InlineKeyboardButton(_label(_, s), callback_data=f"job:ef:{arg}:{s}") for s in POSTING_STEPS
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([InlineKeyboardButton(_("« Back"), callback_data=f"job:adm:{arg}")])
        await query.answer()
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        return
    if action == "del":
        async with context.session() as session:
            posting = await service.get_posting(session, arg)
            deleted = posting is not None and await service.delete_draft(session, posting)
        if not deleted:
            await query.answer(_("Only drafts can be deleted; close it instead."), show_alert=True)
            return
        await query.answer()
        await edit_query_message(query, _("Draft deleted."))
        return
    if action in ("pub", "pubsel"):
        await _publish(update, context, arg, selected=action == "pubsel")
        return
    if action in ("pick", "tog"):
        await _pick_groups(update, context, arg, toggle=int(parts[3]) if action == "tog" else None)
        return
    if action == "state":
        await _change_state(update, context, arg, PostingState(parts[3]))
        return
    if action == "apps":
        page = await _applicants_page(context, arg, int(parts[3]) if len(parts) > 3 else 0)
        if page is None:
            await query.answer(_("This posting no longer exists."), show_alert=True)
            return
        await query.answer()
        await edit_query_message(query, page[0], reply_markup=page[1], parse_mode=HTML)
        return
    if action == "card":
        card = await _applicant_card(context, arg)
        if card is None:
            await query.answer(
                _("This application no longer exists (withdrawn data is deleted on request)."),
                show_alert=True,
            )
            return
        await query.answer()
        await edit_query_message(query, card[0], reply_markup=card[1], parse_mode=HTML)
        return
    if action == "st":
        await _set_status(update, context, arg, ApplicationStatus(parts[3]))
        return
    if action == "ntf":
        async with context.session() as session:
            application = await service.get_application(session, arg)
            posting = await service.get_posting(session, application.posting_id) if application else None
            campaign = None
            if application is not None and posting is not None:
                campaign = await outbox.notify_status(
                    session,
                    application,
                    posting,
                    default_language=context.settings.default_language,
                    created_by_id=context.person.id if context.person else None,
                )
        if campaign is None:
            await query.answer(_("There is nothing to tell them."), show_alert=True)
            return
        _queued(context)
        await query.answer(_("Sent to the applicant."))
        return
    if action in ("xlsx", "csv"):
        await _export(update, context, arg, action)
        return
    await query.answer()


async def _show_card(query: Any, context: BotContext, posting_id: int, *, answered: bool = False) -> None:
    card = await _admin_card(context, posting_id)
    if card is None:
        if not answered:
            await query.answer(context.gettext("This posting no longer exists."), show_alert=True)
        return
    if not answered:
        await query.answer()
    await edit_query_message(
        query, card[0], reply_markup=card[1], parse_mode=HTML, disable_web_page_preview=True
    )


async def _publish(update: Update, context: BotContext, posting_id: int, *, selected: bool) -> None:
    """Open the posting and queue it for the village groups (all, or the chosen ones)."""
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    chosen: set[int] = set(context.user_data.get(PICK_KEY, {}).get(posting_id, set())) if selected else set()
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            await query.answer(_("This posting no longer exists."), show_alert=True)
            return
        first = posting.state == PostingState.DRAFT
        if first and not await service.publish(session, posting):
            await query.answer(_("Its deadline has passed: edit the deadline first."), show_alert=True)
            return
        if posting.state != PostingState.OPEN:
            await query.answer(_("Reopen it first."), show_alert=True)
            return
        groups = await service.village_groups(session)
        if selected:
            groups = [g for g in groups if g.id in chosen]
        campaign = await outbox.announce(
            session,
            posting,
            groups,
            bot_username=context.bot.username,
            language=context.settings.default_language,
            tz=context.settings.tz,
            created_by_id=context.person.id,
        )
        alerted = 0
        if first:
            villages = [g.village for g in groups if g.village]
            alerted = await outbox.alert_subscribers(
                session,
                posting,
                villages,
                default_language=context.settings.default_language,
                tz=context.settings.tz,
                created_by_id=context.person.id,
            )
    context.user_data.get(PICK_KEY, {}).pop(posting_id, None)
    if campaign is not None or alerted:
        _queued(context)
    if campaign is not None:
        answer = _("Published. Sending to {count} village groups…", count=campaign.total)
    elif first:
        answer = _("Published. It is listed in /jobs.")
    else:
        answer = _("Every chosen group already has it.")
    await query.answer()
    await _show_card(query, context, posting_id, answered=True)
    if query.message is not None:
        await query.message.reply_text(answer)


async def _pick_groups(update: Update, context: BotContext, posting_id: int, *, toggle: int | None) -> None:
    query = update.callback_query
    assert query
    _ = context.gettext
    picks: dict[int, set[int]] = context.user_data.setdefault(PICK_KEY, {})
    chosen = picks.setdefault(posting_id, set())
    if toggle is not None:
        chosen.symmetric_difference_update({toggle})
    async with context.session() as session:
        groups = await service.village_groups(session)
        announced = await outbox.announced_chats(session, posting_id)
    rows = []
    for group in groups:
        label = f"{group.village} · {group.title}"[:50]
        if group.chat_id in announced:
            rows.append([InlineKeyboardButton("✅ " + label, callback_data=f"job:pick:{posting_id}")])
        else:
            mark = "☑️ " if group.id in chosen else "⬜ "
            rows.append(
                [InlineKeyboardButton(mark + label, callback_data=f"job:tog:{posting_id}:{group.id}")]
            )
    count = len([g for g in groups if g.id in chosen and g.chat_id not in announced])
    if count:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📣 Publish to {count} chosen", count=count), callback_data=f"job:pubsel:{posting_id}"
                )
            ]
        )
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=f"job:adm:{posting_id}")])
    await query.answer()
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


async def _change_state(update: Update, context: BotContext, posting_id: int, state: PostingState) -> None:
    query = update.callback_query
    assert query
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            await query.answer(_("This posting no longer exists."), show_alert=True)
            return
        outcome = await service.change_state(session, posting, state)
        edited = await _refresh(context, session, posting) if outcome == service.StateChange.DONE else 0
    if outcome != service.StateChange.DONE:
        await query.answer(_(_STATE_ANSWERS[outcome]), show_alert=True)
        return
    if edited:
        _queued(context)
    answer = {
        PostingState.FILLED: _("Marked filled."),
        PostingState.CLOSED: _("Closed."),
        PostingState.OPEN: _("Reopened."),
    }[state]
    if edited:
        answer += " " + _("The copies in {count} village groups are being updated.", count=edited)
    await query.answer(answer)
    await _show_card(query, context, posting_id, answered=True)


async def _set_status(
    update: Update, context: BotContext, application_id: int, status: ApplicationStatus
) -> None:
    """Move an applicant along; hiring sends them a staff invite and may fill the posting."""
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    settings = context.settings
    invite = None
    edited = 0
    async with context.session() as session:
        application = await service.get_application(session, application_id)
        if application is None:
            await query.answer(
                _("This application no longer exists (withdrawn data is deleted on request)."),
                show_alert=True,
            )
            return
        admin = await people.get_person(session, context.person.telegram_id)
        result = await service.set_status(session, application, status, by=admin)
        if result.changed and status == ApplicationStatus.HIRED:
            assert admin is not None
            invite = await outbox.send_staff_invite(
                session,
                application,
                result.posting,
                admin,
                bot_username=context.bot.username,
                ttl=timedelta(hours=settings.invite_ttl_hours),
                default_language=settings.default_language,
                tz=settings.tz,
            )
            if invite is None:
                await outbox.notify_status(
                    session,
                    application,
                    result.posting,
                    default_language=settings.default_language,
                    created_by_id=admin.id,
                )
        if result.filled:
            edited = await _refresh(context, session, result.posting)
    if (result.changed and status == ApplicationStatus.HIRED) or edited:
        _queued(context)
    if not result.changed:
        answer = _("It already is so.")
    else:
        answer = _("Marked: {status}.", status=render.status_label(_, status))
        if status == ApplicationStatus.HIRED:
            answer += " " + (_("A staff invite is on its way to them.") if invite else _("They are told."))
        if result.filled:
            answer += " " + _("The posting is now filled; the village groups are being updated.")
    await query.answer(answer, show_alert=result.changed and status == ApplicationStatus.HIRED)
    card = await _applicant_card(context, application_id)
    if card is not None:
        await edit_query_message(query, card[0], reply_markup=card[1], parse_mode=HTML)


async def _export(update: Update, context: BotContext, posting_id: int, kind: str) -> None:
    query = update.callback_query
    assert query and query.message
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        everyone = await service.applicants(session, posting_id) if posting else []
    if posting is None:
        await query.answer(_("This posting no longer exists."), show_alert=True)
        return
    await query.answer()
    tz = context.settings.tz
    data = (
        export.to_xlsx(_, posting, everyone, tz)
        if kind == "xlsx"
        else export.to_csv(_, posting, everyone, tz)
    )
    await query.message.reply_document(
        InputFile(io.BytesIO(data), filename=export.file_name(posting, kind)),
        caption=_("Applicants of {title}: {count}", title=posting.title, count=len(everyone)),
    )


# --- scheduled work --------------------------------------------------------------------------------


async def run_tick(app: AnyApplication, now: Any = None) -> tuple[int, int]:
    """Close postings whose deadline passed (editing their group copies) and purge old applications.

    Returns (postings closed, applications purged).
    """
    factory, settings = app.bot_data.db, app.bot_data.settings
    assert factory is not None and settings is not None
    now = now or utcnow()
    async with factory() as session:
        closed = await service.close_expired(session, now=now)
        for posting in closed:
            await outbox.refresh_announcements(
                session,
                posting,
                bot_username=app.bot.username,
                language=settings.default_language,
                tz=settings.tz,
                now=now,
            )
        purged = await service.purge_applications(
            session, older_than=now - timedelta(days=settings.application_retention_days)
        )
    if closed:
        log.info("jobs: closed %d postings past their deadline", len(closed))
        _queued(app)
    else:
        _listen(app)
    if purged:
        log.info(
            "jobs: purged %d applications older than %d days", purged, settings.application_retention_days
        )
    return len(closed), purged


async def tick_job(context: BotContext) -> None:
    await run_tick(context.application)


# --- wiring ----------------------------------------------------------------------------------------


def _ahead_of_start(app: AnyApplication, handler: ConversationHandler[Any]) -> None:
    """Move ``handler`` in front of the people room's ``/start`` in the default group.

    Within a group only the first matching handler runs, and the people room (registered first) answers
    every ``/start``; the application form's ``/start job_<id>`` entry point has to be tried before it, as
    PTB's deep-linking example puts its payload handlers before the plain ``/start``. Other ``/start``
    payloads do not match the entry point and still reach the people room.
    """
    group = app.handlers[0]  # PTB's default group, where add_handler() put both
    starts = [i for i, h in enumerate(group) if isinstance(h, CommandHandler) and "start" in h.commands]
    if starts and group.index(handler) > starts[0]:
        group.remove(handler)
        group.insert(starts[0], handler)


def register(app: AnyApplication) -> None:
    """Commands, buttons, the two forms, the ``job_`` deep link and the every-minute tick."""
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Both forms are per person, not per message: a button starts them, typed answers continue them.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        posting_form = ConversationHandler(
            entry_points=[
                CommandHandler("newjob", newjob_command, private),
                CallbackQueryHandler(edit_field_button, pattern=r"^job:ef:\d+:\w+$"),
            ],
            states={
                **{
                    state: [MessageHandler(text, _posting_cancelling(posting_step))]
                    for state in POSTING_STATES.values()
                },
                EDIT_VALUE: [MessageHandler(text, _posting_cancelling(edit_value))],
            },
            fallbacks=[CommandHandler("cancel", posting_cancel)],
            conversation_timeout=FORM_TIMEOUT,
            allow_reentry=True,
            name="job_posting_form",
        )
        application_form = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(apply_button, pattern=r"^job:apply:\d+$"),
                CommandHandler(
                    "start",
                    apply_from_link,
                    private & filters.Regex(rf"^/start {service.DEEP_LINK_PREFIX}\d+$"),
                ),
            ],
            states={
                NAME: [MessageHandler(text, _cancelling(form_name))],
                PHONE: [
                    MessageHandler(private & filters.CONTACT, form_phone_contact),
                    MessageHandler(text, _cancelling(form_phone_text)),
                ],
                VILLAGE: [MessageHandler(text, _cancelling(form_village))],
                AVAILABILITY: [MessageHandler(text, _cancelling(form_availability))],
                NOTE: [MessageHandler(text, _cancelling(form_note))],
                CONFIRM: [MessageHandler(text, _cancelling(form_confirm))],
                FIX: [MessageHandler(text, _cancelling(form_fix))],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, form_timeout)],
            },
            fallbacks=[
                CommandHandler("cancel", form_cancel),
                MessageHandler(private & ~filters.COMMAND, form_other),
            ],
            conversation_timeout=FORM_TIMEOUT,
            allow_reentry=True,
            name="job_application_form",
        )
    app.add_handler(posting_form)
    app.add_handler(application_form)
    _ahead_of_start(app, application_form)
    app.add_handler(CommandHandler("jobs", jobs_command, private))
    app.add_handler(CommandHandler("myapplications", myapplications_command, private))
    app.add_handler(CommandHandler("jobalerts", jobalerts_command, private))
    app.add_handler(CommandHandler("forgetme", forgetme_command, private))
    app.add_handler(CommandHandler("postings", postings_command, private))
    app.add_handler(CommandHandler("applicants", applicants_command, private))
    app.add_handler(CallbackQueryHandler(seeker_button, pattern=SEEKER_BUTTONS))
    app.add_handler(CallbackQueryHandler(admin_button, pattern=ADMIN_BUTTONS))
    # ``/start job_<id>`` (the 我要报名 button of a village group) starts the application form (see
    # ``_ahead_of_start``); other ``job_`` payloads come here through the people room's deep-link table.
    app.bot_data.services.setdefault("start_routes", {})[service.DEEP_LINK_PREFIX] = open_from_link

    menus = app.bot_data.menus
    if menus is not None:
        menus.add("jobs", N_("Open jobs"), order=10)
        menus.add("myapplications", N_("My job applications"), order=11)
        menus.add("jobalerts", N_("Alerts for new jobs"), order=12)
        menus.add("forgetme", N_("Delete my job applications"), order=89)
        menus.add("newjob", N_("Post a new job"), roles=[Role.ADMIN], order=50)
        menus.add("postings", N_("Job postings"), roles=[Role.ADMIN], order=51)
        menus.add("applicants", N_("Applicants of a job"), roles=[Role.ADMIN], order=52)

    # The outbox tells the publishing admin how an announcement went (the delivery room registers first;
    # otherwise the first queued message or the tick attaches the report).
    _listen(app)

    queue = app.job_queue
    if queue is None:
        log.warning("no job queue: postings past their deadline refuse applications but are not closed")
        return
    for job in queue.get_jobs_by_name(TICK_JOB):
        job.schedule_removal()
    queue.run_repeating(tick_job, interval=TICK_SECONDS, first=1, name=TICK_JOB)
