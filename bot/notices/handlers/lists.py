"""``/notices``: the sent notices, one notice's details, who acknowledged it, its delivery report, 🔔 Remind now."""

from __future__ import annotations

import html
from datetime import tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState
from bot.i18n import N_, Translate, gettext_for
from bot.notices import service
from bot.notices.buttons import (
    ACK_LABEL,
    DeliveryReport,
    NoticesPage,
    RemindNow,
    ShowNotice,
    StopSending,
    WhoAcknowledged,
    WhoIsMissing,
)
from bot.notices.handlers.common import (
    audience_line,
    content_line,
    counts_line,
    local_time,
    pressed_notice,
)
from bot.notices.models import Notice
from bot.notices.scheduled import reminder_message
from bot.people.models import Person
from bot.replies import edit_or_reply, on_button, page_buttons, reply, toast

LIST_PAGE_SIZE = 8
NAMES_SHOWN = 60
#: Delivery states in the order the report lists them: problems first.
_REPORT_SECTIONS = (
    ("blocked", N_("Blocked the bot or removed it")),
    ("failed", N_("Failed")),
    ("pending", N_("Waiting")),
    ("sending", N_("Sending")),
    ("cancelled", N_("Not sent (stopped)")),
    ("sent", N_("Delivered")),
)


def _names(people: list[str], _: Translate) -> str:
    text = "\n".join(f"• {name}" for name in people[:NAMES_SHOWN])
    if len(people) > NAMES_SHOWN:
        text += "\n" + _("… and {n} more", n=len(people) - NAMES_SHOWN)
    return text


def _back(_: Translate, notice: Notice) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("« Back"), callback_data=ShowNotice(notice.id or 0).pack())]]
    )


async def _notice_list(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    async with context.session() as session:
        total = await service.count_notices(session)
        pages = max(1, -(-total // LIST_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        notices = await service.list_notices(session, limit=LIST_PAGE_SIZE, offset=page * LIST_PAGE_SIZE)
        acks = await service.ack_counts(session, [n.id for n in notices if n.id is not None])
        counts = {
            n.id: await delivery.campaign_counts(session, n.campaign_id) for n in notices if n.campaign_id
        }
    if not notices:
        return _("No notices yet. Send /notice to write one."), InlineKeyboardMarkup([])
    lines = ["📋 <b>" + _("Notices") + "</b>" + (f" ({page + 1}/{pages})" if pages > 1 else "")]
    rows = []
    for notice in notices:
        count = counts.get(notice.id) or delivery.Counts()
        ack_count = acks.get(notice.id or 0) or service.AckCount()
        ack = f" · ✅ {ack_count.acknowledged}/{ack_count.expected}" if notice.needs_ack else ""
        sent = _("sent {sent}/{total}", sent=count.sent, total=count.total)
        when = local_time(context.settings.tz, notice.confirmed_at)
        lines.append(f"#{notice.id} · {when} · {html.escape(notice.summary[:30])} · {sent}{ack}")
        rows.append(
            [
                InlineKeyboardButton(
                    f"#{notice.id} {notice.summary[:40]}", callback_data=ShowNotice(notice.id or 0).pack()
                )
            ]
        )
    if nav := page_buttons(page, pages, NoticesPage):
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@admin_only
async def notices_command(update: Update, context: BotContext) -> None:
    """The latest notices, each with its outcome; a button opens one."""
    await reply(update, context, *(await _notice_list(context, 0)))


async def notices_page(update: Update, context: BotContext, pressed: NoticesPage) -> None:
    await edit_or_reply(update, context, *(await _notice_list(context, pressed.page)))


def _state(_: Translate, tz: tzinfo, campaign: Campaign | None) -> str:
    if campaign is None:
        return _("draft")
    if campaign.state == CampaignState.CANCELLED:
        return _("stopped")
    if campaign.finished_at is not None:
        return _("finished")
    if campaign.send_after and campaign.send_after > utcnow():
        return _("scheduled for {when}", when=local_time(tz, campaign.send_after))
    return _("sending")


def _ack_lines(_: Translate, tz: tzinfo, notice: Notice, status: service.AckStatus) -> list[str]:
    if not notice.needs_ack:
        return []
    lines = [_("Acknowledged: {done} of {expected}", done=len(status.acknowledged), expected=status.expected)]
    if notice.next_reminder_at is not None:
        lines.append(
            _(
                "Reminders sent: {sent} of {times}; next at {when}",
                sent=notice.reminders_sent,
                times=notice.remind_times,
                when=local_time(tz, notice.next_reminder_at),
            )
        )
    elif notice.reminders_sent:
        lines.append(_("Reminders sent: {sent}", sent=notice.reminders_sent))
    return lines


def _details_keyboard(
    _: Translate, notice: Notice, campaign: Campaign | None, status: service.AckStatus
) -> InlineKeyboardMarkup:
    nid = notice.id or 0
    rows = []
    if notice.needs_ack:
        rows.append(
            [
                InlineKeyboardButton(
                    _("✅ Acknowledged ({n})", n=len(status.acknowledged)),
                    callback_data=WhoAcknowledged(nid).pack(),
                ),
                InlineKeyboardButton(
                    _("⏳ Not yet ({n})", n=len(status.missing)), callback_data=WhoIsMissing(nid).pack()
                ),
            ]
        )
    report_row = [InlineKeyboardButton(_("📄 Delivery report"), callback_data=DeliveryReport(nid).pack())]
    sending = campaign is not None and campaign.state != CampaignState.CANCELLED
    if notice.needs_ack and status.missing and sending:
        report_row.append(InlineKeyboardButton(_("🔔 Remind now"), callback_data=RemindNow(nid).pack()))
    rows.append(report_row)
    if campaign is not None and campaign.state == CampaignState.ACTIVE:
        rows.append([InlineKeyboardButton(_("✖ Stop sending"), callback_data=StopSending(nid).pack())])
    rows.append([InlineKeyboardButton(_("« Notices"), callback_data=NoticesPage(0).pack())])
    return InlineKeyboardMarkup(rows)


async def _details(context: BotContext, notice: Notice) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    tz = context.settings.tz
    async with context.session() as session:
        campaign = await service.campaign_of(session, notice)
        counts = await delivery.campaign_counts(session, campaign.id or 0) if campaign else delivery.Counts()
        status = await service.ack_status(session, notice)
        creator = await session.get(Person, notice.created_by_id) if notice.created_by_id else None
    lines = [
        "📢 <b>" + _("Notice #{id}", id=notice.id) + "</b>",
        content_line(_, notice),
        "",
        _(
            "From {who} · {when}",
            who=html.escape(creator.display_name if creator else "?"),
            when=local_time(tz, notice.confirmed_at or notice.created_at),
        ),
        _("Audience: {audience}", audience=audience_line(_, notice, context.bot_data.notice_audiences)),
        _("Status: {state}", state=_state(_, tz, campaign)),
        counts_line(_, counts),
    ]
    if counts.maybe_duplicate:
        lines.append(
            _("⚠️ {n} chats may have got it twice (sending was interrupted)", n=counts.maybe_duplicate)
        )
    lines.extend(_ack_lines(_, tz, notice, status))
    return "\n".join(lines), _details_keyboard(_, notice, campaign, status)


async def show_notice(update: Update, context: BotContext, pressed: ShowNotice) -> None:
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is not None:
        await edit_or_reply(update, context, *(await _details(context, notice)))


async def who_acknowledged(update: Update, context: BotContext, pressed: WhoAcknowledged) -> None:
    _ = context.gettext
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is None:
        return
    async with context.session() as session:
        status = await service.ack_status(session, notice)
    title = _("Acknowledged notice #{id} ({n}):", id=notice.id, n=len(status.acknowledged))
    names = [
        f"{html.escape(p.display_name)} · {local_time(context.settings.tz, at)[5:]}"
        for p, at in status.acknowledged
    ]
    text = "<b>" + title + "</b>\n" + (_names(names, _) or _("nobody"))
    await edit_or_reply(update, context, text, _back(_, notice))


async def who_is_missing(update: Update, context: BotContext, pressed: WhoIsMissing) -> None:
    _ = context.gettext
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is None:
        return
    async with context.session() as session:
        status = await service.ack_status(session, notice)
    title = _("Not acknowledged notice #{id} yet ({n}):", id=notice.id, n=len(status.missing))
    names = [html.escape(p.display_name) for p in status.missing]
    text = "<b>" + title + "</b>\n" + (_names(names, _) or _("nobody"))
    await edit_or_reply(update, context, text, _back(_, notice))


async def delivery_report(update: Update, context: BotContext, pressed: DeliveryReport) -> None:
    """The outcome per chat: problems first with Telegram's reasons, then the chats that got it."""
    _ = context.gettext
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is None:
        return
    lines = ["📄 <b>" + _("Delivery report of notice #{id}", id=notice.id) + "</b>"]
    if notice.campaign_id is not None:
        async with context.session() as session:
            rows = await delivery.list_deliveries(session, notice.campaign_id)
        for state, title in _REPORT_SECTIONS:
            chosen = [r for r in rows if r.state == state]
            if not chosen:
                continue
            lines.append(f"\n<b>{_(title)} ({len(chosen)})</b>")
            entries = []
            for row in chosen:
                entry = html.escape(row.label or str(row.chat_id))
                if row.error and state != "sent":
                    entry += f" — {html.escape(row.error)}"
                if row.maybe_duplicate:
                    entry += " ⚠️"
                entries.append(entry)
            lines.append(_names(entries, _))
    text = "\n".join(lines)
    if len(text) > 4000:
        text = text[:3990] + "\n…"
    await edit_or_reply(update, context, text, _back(_, notice))


async def remind_now(update: Update, context: BotContext, pressed: RemindNow) -> None:
    """Remind those who have not acknowledged yet, now; the scheduled reminders stay as they were."""
    _ = context.gettext
    notice = await pressed_notice(update, context, pressed.notice_id)
    if notice is None:
        return
    default = gettext_for(context.settings.default_language)
    async with context.session() as session:
        reminder = await service.send_reminder(
            session,
            notice,
            text=reminder_message(default, notice),
            ack_label=default(ACK_LABEL),
            scheduled=False,
        )
    if reminder is None:
        await toast(update, _("Nobody is left to remind."), alert=True)
        return
    context.bot_data.sender.wake()
    await toast(update, _("Reminder queued for {n} people.", n=reminder.total), alert=True)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """``/notices`` and the buttons of the list and of a notice's details."""
    return [
        CommandHandler("notices", notices_command, filters.ChatType.PRIVATE),
        on_button(NoticesPage, admin_only(notices_page)),
        on_button(ShowNotice, admin_only(show_notice)),
        on_button(WhoAcknowledged, admin_only(who_acknowledged)),
        on_button(WhoIsMissing, admin_only(who_is_missing)),
        on_button(DeliveryReport, admin_only(delivery_report)),
        on_button(RemindNow, admin_only(remind_now)),
    ]
