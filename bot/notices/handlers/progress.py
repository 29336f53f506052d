"""A sent notice's panel: progress while its campaign runs, the report at the end, and ✖ Stop sending."""

from __future__ import annotations

import html
import logging
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotApplication, BotContext
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState
from bot.delivery.sender import Listener, Progress
from bot.i18n import Translate, translator_for
from bot.notices import service
from bot.notices.buttons import ShowNotice, StopSending
from bot.notices.handlers.common import content_line, counts_line, local_time, pressed_notice
from bot.notices.models import Notice
from bot.people.models import Person
from bot.replies import edit_query_message, on_button, toast

log = logging.getLogger(__name__)

REPORT_LINES = 25


def status_panel(
    _: Translate,
    tz: tzinfo,
    notice: Notice,
    campaign: Campaign,
    counts: delivery.Counts,
    *,
    finished: bool = False,
    failures: list[tuple[int, str, str | None]] | None = None,
    acks: service.AckCount | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The panel of a confirmed notice: progress while sending, the report at the end."""
    if campaign.state == CampaignState.CANCELLED:
        title = (
            _("Notice #{id} — stopped", id=notice.id)
            if finished
            else _("Notice #{id} — stopping", id=notice.id)
        )
    elif finished:
        title = _("Notice #{id} — finished", id=notice.id)
    elif campaign.send_after and campaign.send_after > utcnow() and not counts.done:
        title = _(
            "Notice #{id} — scheduled for {when}", id=notice.id, when=local_time(tz, campaign.send_after)
        )
    else:
        title = _("Notice #{id} — sending", id=notice.id)
    lines = ["📢 <b>" + html.escape(title) + "</b>", content_line(_, notice), "", counts_line(_, counts)]
    for chat_id, label, error in (failures or [])[:REPORT_LINES]:
        lines.append(f"• {html.escape(label or str(chat_id))} — {html.escape(error or '')}")
    if failures and len(failures) > REPORT_LINES:
        lines.append(_("… and {n} more", n=len(failures) - REPORT_LINES))
    if acks is not None and notice.needs_ack:
        lines.append(
            _("Acknowledged so far: {done} of {expected}", done=acks.acknowledged, expected=acks.expected)
        )
    rows = []
    if not finished and campaign.state == CampaignState.ACTIVE:
        rows.append(
            [InlineKeyboardButton(_("✖ Stop sending"), callback_data=StopSending(notice.id or 0).pack())]
        )
    if finished:
        rows.append(
            [
                InlineKeyboardButton(
                    _("Details and acknowledgements"), callback_data=ShowNotice(notice.id or 0).pack()
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def progress_listener(application: BotApplication) -> Listener:
    """Edit a notice's panel as its campaign goes on, and turn it into the report at the end."""

    async def listen(progress: Progress) -> None:
        data = application.bot_data
        async with data.db() as session:
            notice = await service.notice_for_campaign(session, progress.campaign)
            if notice is None or notice.panel_chat_id is None or notice.panel_message_id is None:
                return
            creator = await session.get(Person, notice.created_by_id) if notice.created_by_id else None
            failures = None
            acks = None
            if progress.finished:
                failures = await delivery.chats_by_campaign(
                    session, progress.campaign.id or 0, ["blocked", "failed"]
                )
                acks = (await service.ack_counts(session, [notice.id or 0]))[notice.id or 0]
        text, markup = status_panel(
            translator_for(creator, data.settings.default_language),
            data.settings.tz,
            notice,
            progress.campaign,
            progress.counts,
            finished=progress.finished,
            failures=failures,
            acks=acks,
        )
        try:
            await application.bot.edit_message_text(
                text,
                chat_id=notice.panel_chat_id,
                message_id=notice.panel_message_id,
                reply_markup=markup,
                parse_mode=ParseMode.HTML,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.warning("could not update the panel of notice %s: %s", notice.id, exc)
        except TelegramError as exc:
            log.warning("could not update the panel of notice %s: %s", notice.id, exc)

    return listen


async def stop_sending(update: Update, context: BotContext, pressed: StopSending) -> None:
    """Stop a notice being sent: the chats not reached yet will not get it, nor its reminders."""
    _ = context.gettext
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is None:
        return
    async with context.session() as session:
        cancelled = await service.cancel(session, notice, by_id=context.person.id if context.person else None)
    if cancelled is None:
        await toast(update, _("This notice is no longer being sent."), alert=True)
        return
    log.info(
        "notice %s stopped by %s: %s chats not sent",
        notice.id,
        context.person and context.person.id,
        cancelled,
    )
    context.bot_data.sender.cancelled(notice.campaign_id or 0)
    await toast(update, _("Stopped: {n} chats will not get it.", n=cancelled), alert=True)
    async with context.session() as session:
        campaign = await service.campaign_of(session, notice)
        counts = await delivery.campaign_counts(session, notice.campaign_id or 0)
    assert campaign is not None and update.callback_query is not None
    text, markup = status_panel(_, context.settings.tz, notice, campaign, counts)
    await edit_query_message(update.callback_query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """✖ Stop sending (on the progress panel and on a notice's details)."""
    return [on_button(StopSending, admin_only(stop_sending))]
