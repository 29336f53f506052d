"""Admins follow up applications: ``/applicants``, a posting's applicants a page at a time, one
applicant's card (contacted, interviewed, hired, not hired; telling them), and the spreadsheet export.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.buttons import MAX_ID
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.jobs import export, outbox, render, service
from bot.jobs.buttons import (
    ApplicantCard,
    Applicants,
    Export,
    ExportFormat,
    PostingCard,
    SetStatus,
    TellApplicant,
    Verdict,
)
from bot.jobs.handlers.common import APPLICATION_GONE, POSTING_GONE, chat_id, refresh_copies
from bot.jobs.handlers.postings import postings_page
from bot.jobs.models import ApplicationStatus, JobApplication
from bot.people import service as people
from bot.replies import edit_or_reply, edit_query_message, on_button, page_buttons, reply, toast, usage_errors
from bot.usage import UsageError

PAGE = 10
VERDICTS = (
    (Verdict.CONTACTED, N_("📞 Contacted")),
    (Verdict.INTERVIEWED, N_("🗣 Interviewed")),
    (Verdict.HIRED, N_("🎉 Hire")),
    (Verdict.REJECTED, N_("✖️ Not hired")),
)
NO_SUCH_POSTING = N_("There is no posting {id}. See them all with /postings.")

# --- a posting's applicants ------------------------------------------------------------------------


async def _applicants_page(
    context: BotContext, posting_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            return None
        everyone = await service.applicants(session, posting_id)
    pages = max(1, -(-len(everyone) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * PAGE : (page + 1) * PAGE]
    text = render.applicants_list(_, posting, shown, page * PAGE)
    rows = []
    for number, application in enumerate(shown, start=page * PAGE + 1):
        icon = render.STATUS_ICONS[ApplicationStatus(application.status)]
        label = f"{number}. {icon} {application.name}"[:60]
        rows.append([InlineKeyboardButton(label, callback_data=ApplicantCard(application.id).pack())])
    if nav := page_buttons(page, pages, lambda n: Applicants(posting_id, n)):
        rows.append(nav)
    if everyone:
        rows.append(
            [
                InlineKeyboardButton(
                    _("📊 Excel"), callback_data=Export(posting_id, ExportFormat.XLSX).pack()
                ),
                InlineKeyboardButton(_("📄 CSV"), callback_data=Export(posting_id, ExportFormat.CSV).pack()),
            ]
        )
    rows.append([InlineKeyboardButton(_("« Posting"), callback_data=PostingCard(posting_id).pack())])
    return text, InlineKeyboardMarkup(rows)


def _posting_id(raw: str) -> int:
    """The posting of ``/applicants <id>`` (``#12`` or ``12``)."""
    number = raw.lstrip("#")
    if not (number.isascii() and number.isdigit()) or len(number) > 10 or int(number) > MAX_ID:
        raise UsageError(NO_SUCH_POSTING, id=raw)
    return int(number)


@admin_only
@usage_errors
async def applicants_command(update: Update, context: BotContext) -> None:
    """``/applicants [posting id]``: the applicants of a posting, or the postings to choose from."""
    _ = context.gettext
    if context.args:
        page = await _applicants_page(context, _posting_id(context.args[0]), 0)
        if page is None:
            raise UsageError(NO_SUCH_POSTING, id=context.args[0])
        await reply(update, context, *page)
        return
    text, markup = await postings_page(context, 0, to_applicants=True)
    await reply(update, context, _("Whose applicants? Choose a posting:") + "\n" + text, markup)


@admin_only
async def applicants_page(update: Update, context: BotContext, pressed: Applicants) -> None:
    page = await _applicants_page(context, pressed.posting_id, pressed.page)
    if page is None:
        await toast(update, context.gettext(POSTING_GONE), alert=True)
        return
    await edit_or_reply(update, context, *page)


@admin_only
async def export_applicants(update: Update, context: BotContext, pressed: Export) -> None:
    """📊 Excel or 📄 CSV of a posting's applicants, as a file."""
    query = update.callback_query
    assert query
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, pressed.posting_id)
        everyone = await service.applicants(session, pressed.posting_id) if posting else []
    if posting is None:
        await toast(update, _(POSTING_GONE), alert=True)
        return
    await query.answer()
    tz = context.settings.tz
    if pressed.format == ExportFormat.XLSX:
        data = export.to_xlsx(_, posting, everyone, tz)
    else:
        data = export.to_csv(_, posting, everyone, tz)
    await context.bot.send_document(
        chat_id(update),
        InputFile(io.BytesIO(data), filename=export.file_name(posting, pressed.format)),
        caption=_("Applicants of {title}: {count}", title=posting.title, count=len(everyone)),
    )


# --- one applicant ---------------------------------------------------------------------------------


def _applicant_keyboard(_: Translate, application: JobApplication) -> InlineKeyboardMarkup:
    current = ApplicationStatus(application.status)
    buttons = [
        InlineKeyboardButton(
            ("• " if verdict == current else "") + _(label),
            callback_data=SetStatus(application.id, verdict).pack(),
        )
        for verdict, label in VERDICTS
    ]
    rows = [buttons[:2], buttons[2:]]
    if current in (ApplicationStatus.CONTACTED, ApplicationStatus.INTERVIEWED, ApplicationStatus.REJECTED):
        data = TellApplicant(application.id).pack()
        rows.append([InlineKeyboardButton(_("📨 Tell the applicant"), callback_data=data)])
    rows.append(
        [InlineKeyboardButton(_("« Applicants"), callback_data=Applicants(application.posting_id).pack())]
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
    text = render.applicant_card(_, application, posting, context.settings.tz)
    return text, _applicant_keyboard(_, application)


@admin_only
async def applicant_card(update: Update, context: BotContext, pressed: ApplicantCard) -> None:
    card = await _applicant_card(context, pressed.application_id)
    if card is None:
        await toast(update, context.gettext(APPLICATION_GONE), alert=True)
        return
    await edit_or_reply(update, context, *card)


@admin_only
async def set_status(update: Update, context: BotContext, pressed: SetStatus) -> None:
    """Move an applicant along; hiring sends them a staff invite and may fill the posting."""
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    settings = context.settings
    status = ApplicationStatus(pressed.status)
    hired = status == ApplicationStatus.HIRED
    invite = None
    edited = 0
    async with context.session() as session:
        application = await service.get_application(session, pressed.application_id)
        if application is None:
            await toast(update, _(APPLICATION_GONE), alert=True)
            return
        admin = await people.get_person(session, context.person.telegram_id)
        result = await service.set_status(session, application, status, by=admin)
        if result.changed and hired:
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
            edited = await refresh_copies(context, session, result.posting)
    if (result.changed and hired) or edited:
        context.bot_data.sender.wake()
    if not result.changed:
        answer = _("It already is so.")
    else:
        answer = _("Marked: {status}.", status=render.status_label(_, status))
        if hired:
            answer += " " + (_("A staff invite is on its way to them.") if invite else _("They are told."))
        if result.filled:
            answer += " " + _("The posting is now filled; the village groups are being updated.")
    await toast(update, answer, alert=result.changed and hired)
    card = await _applicant_card(context, pressed.application_id)
    if card is not None:
        await edit_query_message(query, card[0], reply_markup=card[1], parse_mode=ParseMode.HTML)


@admin_only
async def tell_applicant(update: Update, context: BotContext, pressed: TellApplicant) -> None:
    """📨 Tell the applicant where their application stands (through the outbox)."""
    _ = context.gettext
    async with context.session() as session:
        application = await service.get_application(session, pressed.application_id)
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
        await toast(update, _("There is nothing to tell them."), alert=True)
        return
    context.bot_data.sender.wake()
    await toast(update, _("Sent to the applicant."))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("applicants", applicants_command, filters.ChatType.PRIVATE),
        on_button(Applicants, applicants_page),
        on_button(ApplicantCard, applicant_card),
        on_button(SetStatus, set_status),
        on_button(TellApplicant, tell_applicant),
        on_button(Export, export_applicants),
    ]
