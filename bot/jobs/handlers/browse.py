"""Job seekers browse: ``/jobs`` a page at a time, a posting's details, and the ``job_`` link of a group."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import has_role
from bot.buttons import MAX_ID
from bot.context import BotContext
from bot.i18n import Translate
from bot.jobs import render, service
from bot.jobs.buttons import AlertsMenu, Apply, JobsPage, ViewPosting
from bot.jobs.models import ApplicationStatus, JobPosting, PostingState
from bot.people.models import Role
from bot.replies import edit_or_reply, edit_query_message, on_button, page_buttons, reply, toast

PAGE = 5


def _jobs_page(
    _: Translate, postings: list[JobPosting], total: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    alerts = AlertsMenu().pack()
    if not total:
        text = _("No open jobs right now. Tap below to get a message when there is a new one.")
        return text, InlineKeyboardMarkup([[InlineKeyboardButton(_("🔔 Alert me"), callback_data=alerts)]])
    pages = max(1, -(-total // PAGE))
    text = _("Open jobs: {total}. Tap one to see it and apply.", total=total)
    rows = [
        [InlineKeyboardButton(f"{p.title} · {p.pay}"[:60], callback_data=ViewPosting(p.id).pack())]
        for p in postings
    ]
    if nav := page_buttons(page, pages, JobsPage):
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("🔔 Alerts for new jobs"), callback_data=alerts)])
    return text, InlineKeyboardMarkup(rows)


async def _jobs_listing(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    async with context.session() as session:
        postings, total = await service.open_postings(session, offset=page * PAGE, limit=PAGE)
        if not postings and page > 0:
            page = 0
            postings, total = await service.open_postings(session, limit=PAGE)
    return _jobs_page(context.gettext, postings, total, page)


async def jobs_command(update: Update, context: BotContext) -> None:
    """``/jobs``: open postings, a page at a time."""
    text, markup = await _jobs_listing(context, 0)
    await reply(update, context, text, markup)


async def jobs_page(update: Update, context: BotContext, pressed: JobsPage) -> None:
    text, markup = await _jobs_listing(context, pressed.page)
    await edit_or_reply(update, context, text, markup)


async def posting_view(context: BotContext, posting_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
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
            rows.append([InlineKeyboardButton(_("✍️ Apply"), callback_data=Apply(posting_id).pack())])
    elif posting.state != PostingState.DRAFT:
        text += "\n\n" + _("This job is no longer taking applications.")
    rows.append([InlineKeyboardButton(_("« All open jobs"), callback_data=JobsPage(0).pack())])
    return text, InlineKeyboardMarkup(rows)


async def view_posting(update: Update, context: BotContext, pressed: ViewPosting) -> None:
    view = await posting_view(context, pressed.posting_id)
    if view is None:
        await toast(update, context.gettext("Sorry, I cannot find this job any more."), alert=True)
        return
    query = update.callback_query
    assert query is not None
    await query.answer()
    await edit_query_message(
        query, view[0], reply_markup=view[1], parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


def linked_posting(payload: str) -> int | None:
    """The posting id of a ``job_<id>`` deep-link payload (None if it is not one)."""
    raw = payload.removeprefix(service.DEEP_LINK_PREFIX)
    if payload == raw or not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        return None
    return int(raw)


async def show_linked_posting(update: Update, context: BotContext, posting_id: int | None) -> None:
    """The posting behind a ``job_`` link, or that it is gone."""
    view = await posting_view(context, posting_id) if posting_id is not None else None
    if view is None:
        _ = context.gettext
        await reply(update, context, _("Sorry, I cannot find this job any more. See the open jobs: /jobs"))
        return
    await reply(update, context, *view)


async def open_from_link(update: Update, context: BotContext) -> None:
    """``/start job_<id>`` that does not start the application form: the posting is only shown."""
    await show_linked_posting(update, context, linked_posting(context.args[0] if context.args else ""))


def link_handler() -> CommandHandler[BotContext, None]:
    """``/start job_…`` payloads the application form does not take (a malformed id)."""
    return CommandHandler(
        "start",
        open_from_link,
        filters.ChatType.PRIVATE & filters.Regex(rf"^/start {service.DEEP_LINK_PREFIX}"),
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("jobs", jobs_command, filters.ChatType.PRIVATE),
        on_button(JobsPage, jobs_page),
        on_button(ViewPosting, view_posting),
    ]
