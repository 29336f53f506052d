"""Telegram glue for notices: /notice drafts and their panel, progress reports, 收到 buttons, /notices, /mynotices."""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import admin_only, staff_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.delivery import service as delivery
from bot.delivery.handlers import get_sender
from bot.delivery.models import Campaign, CampaignState
from bot.delivery.payload import Payload, PayloadKind
from bot.delivery.sender import Progress
from bot.i18n import N_, Translate, gettext_for, resolve_language
from bot.notices import service
from bot.notices.audiences import AudienceRegistry, audiences
from bot.notices.models import Notice, NoticeState
from bot.people.models import Person, Role
from bot.replies import page_buttons

log = logging.getLogger(__name__)

WAITING_KEY = "notices_waiting"
REMINDER_INTERVAL_SECONDS = 60
LIST_PAGE_SIZE = 8
PICK_PAGE_SIZE = 10
NAMES_SHOWN = 60
REPORT_LINES = 25

_KIND_NAMES = {
    PayloadKind.TEXT: N_("text"),
    PayloadKind.PHOTO: N_("photo"),
    PayloadKind.DOCUMENT: N_("document"),
    PayloadKind.VOICE: N_("voice message"),
    PayloadKind.VIDEO: N_("video"),
    PayloadKind.AUDIO: N_("audio"),
    PayloadKind.ANIMATION: N_("animation"),
    PayloadKind.COPY: N_("message"),
}
ACK_LABEL = N_("✅ Got it")


# --- helpers -----------------------------------------------------------------------------------


def _waiting(context: BotContext) -> dict[int, tuple[str, int | None]]:
    return context.bot_data.services.setdefault(WAITING_KEY, {})


def _registry(context: BotContext) -> AudienceRegistry:
    return context.bot_data.services.get("notice_audiences", audiences)


def _local(context: BotContext, moment: datetime | None) -> str:
    return moment.astimezone(context.settings.tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _ack_label(context: BotContext) -> str:
    return gettext_for(context.settings.default_language)(ACK_LABEL)


def _duration(_: Translate, minutes: int) -> str:
    if minutes % 1440 == 0:
        return _("{n} d", n=minutes // 1440)
    if minutes % 60 == 0:
        return _("{n} h", n=minutes // 60)
    return _("{n} min", n=minutes)


def _reminder_text(_: Translate, notice: Notice) -> str:
    if not notice.needs_ack:
        return _("not needed")
    if not notice.remind_times or not notice.remind_every_minutes:
        return _("needed, no reminders")
    return _(
        "needed, reminders every {every}, {times} times",
        every=_duration(_, notice.remind_every_minutes),
        times=notice.remind_times,
    )


def _content_line(_: Translate, notice: Notice) -> str:
    payload = service.content(notice)
    kind = _(_KIND_NAMES[PayloadKind(payload.kind)])
    summary = html.escape(notice.summary) if notice.summary else ""
    if payload.kind == PayloadKind.TEXT:
        return f"<i>{summary}</i>"
    return f"[{kind}] <i>{summary}</i>" if summary else f"[{kind}]"


def _audience_line(_: Translate, notice: Notice, registry: AudienceRegistry) -> str:
    parts = []
    for kind in registry.all():
        if kind.key not in notice.audience:
            continue
        values = notice.audience[kind.key]
        if kind.picked:
            if values:
                parts.append(f"{_(kind.label)} ({len(values)})")
        else:
            parts.append(_(kind.label))
    return " · ".join(parts) or _("nobody yet")


def _counts_line(_: Translate, counts: delivery.Counts) -> str:
    line = _(
        "Sent {sent}/{total} · failed {failed}", sent=counts.sent, total=counts.total, failed=counts.failed
    )
    if counts.blocked:
        line += " · " + _("blocked {n}", n=counts.blocked)
    if counts.cancelled:
        line += " · " + _("not sent {n}", n=counts.cancelled)
    return line


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    return await message.reply_text(
        text, reply_markup=markup, parse_mode=ParseMode.HTML, link_preview_options=None
    )


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


def payload_from_message(message: Message) -> Payload:
    """What an admin wrote or forwarded, as a delivery payload (formatting kept)."""
    if message.text:
        return Payload(text=message.text, entities=tuple(e.to_dict() for e in message.entities))
    caption = message.caption or ""
    entities = tuple(e.to_dict() for e in message.caption_entities)
    media: tuple[PayloadKind, str] | None = None
    if message.animation:
        media = (PayloadKind.ANIMATION, message.animation.file_id)
    elif message.photo:
        media = (PayloadKind.PHOTO, message.photo[-1].file_id)
    elif message.document:
        media = (PayloadKind.DOCUMENT, message.document.file_id)
    elif message.voice:
        media = (PayloadKind.VOICE, message.voice.file_id)
    elif message.video:
        media = (PayloadKind.VIDEO, message.video.file_id)
    elif message.audio:
        media = (PayloadKind.AUDIO, message.audio.file_id)
    if media is not None:
        return Payload(kind=media[0], file_id=media[1], text=caption, entities=entities)
    return Payload(kind=PayloadKind.COPY, from_chat_id=message.chat_id, message_id=message.message_id)


# --- the draft panel ---------------------------------------------------------------------------


async def _draft_panel(context: BotContext, notice: Notice) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    registry = _registry(context)
    async with context.session() as session:
        targets = await service.recipients(
            session, notice, registry, context.person.telegram_id if context.person else None
        )
    when = _("at once") if notice.send_at is None else _local(context, notice.send_at)
    lines = [
        "📢 <b>" + _("Notice #{id} — draft", id=notice.id) + "</b>",
        _content_line(_, notice),
        "",
        _(
            "Audience: {audience} → {count} chats",
            audience=_audience_line(_, notice, registry),
            count=len(targets),
        ),
        _("Acknowledgement: {ack}", ack=_reminder_text(_, notice)),
        _("Pin in village groups: {pin}", pin=_("yes") if notice.pin else _("no")),
        _("Send: {when}", when=when),
    ]
    nid = notice.id
    audience_buttons = []
    for kind in registry.all():
        chosen = kind.key in notice.audience
        if kind.picked:
            count = len(notice.audience.get(kind.key, []))
            label = f"{_(kind.label)} ({count}) ›" if count else f"{_(kind.label)} ›"
            audience_buttons.append(InlineKeyboardButton(label, callback_data=f"ntc:pick:{nid}:{kind.key}:0"))
        else:
            mark = "☑ " if chosen else "☐ "
            audience_buttons.append(
                InlineKeyboardButton(mark + _(kind.label), callback_data=f"ntc:aud:{nid}:{kind.key}")
            )
    rows = [audience_buttons[i : i + 2] for i in range(0, len(audience_buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                ("☑ " if notice.needs_ack else "☐ ") + _("Needs acknowledgement"),
                callback_data=f"ntc:ack:{nid}",
            ),
            InlineKeyboardButton(
                ("☑ " if notice.pin else "☐ ") + _("Pin in groups"), callback_data=f"ntc:pin:{nid}"
            ),
        ]
    )
    if notice.needs_ack:
        if notice.remind_times:
            reminders = _(
                "🔔 Reminders: every {every} × {times}",
                every=_duration(_, notice.remind_every_minutes),
                times=notice.remind_times,
            )
        else:
            reminders = _("🔔 Reminders: off")
        rows.append([InlineKeyboardButton(reminders, callback_data=f"ntc:rem:{nid}")])
    time_row = [InlineKeyboardButton(_("⏰ Choose a send time"), callback_data=f"ntc:when:{nid}")]
    if notice.send_at is not None:
        time_row.append(InlineKeyboardButton(_("Send at once instead"), callback_data=f"ntc:now:{nid}"))
    rows.append(time_row)
    send_label = (
        _("✅ Send to {count} chats", count=len(targets))
        if notice.send_at is None
        else _("✅ Schedule for {count} chats", count=len(targets))
    )
    rows.append(
        [
            InlineKeyboardButton(send_label, callback_data=f"ntc:send:{nid}"),
            InlineKeyboardButton(_("✖ Discard"), callback_data=f"ntc:drop:{nid}"),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _picker(
    context: BotContext, notice: Notice, key: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    kind = _registry(context).get(key)
    assert kind is not None and kind.choices is not None
    async with context.session() as session:
        choices = await kind.choices(session)
    pages = max(1, -(-len(choices) // PICK_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    chosen = set(notice.audience.get(key, []))
    shown = choices[page * PICK_PAGE_SIZE : (page + 1) * PICK_PAGE_SIZE]
    rows = [
        [
            InlineKeyboardButton(
                ("☑ " if value in chosen else "☐ ") + label[:48],
                callback_data=f"ntc:val:{notice.id}:{key}:{page}:{value}",
            )
        ]
        for value, label in shown
    ]
    if nav := page_buttons(page, pages, lambda n: f"ntc:pick:{notice.id}:{key}:{n}"):
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=f"ntc:back:{notice.id}")])
    text = _("Choose: {what} ({chosen} chosen)", what=_(kind.label), chosen=len(chosen))
    if not choices:
        text += "\n" + _("There is nothing to choose from yet.")
    return text, InlineKeyboardMarkup(rows)


async def _start_draft(update: Update, context: BotContext, payload: Payload) -> None:
    assert context.person is not None
    async with context.session() as session:
        notice = await service.create_draft(session, context.person, payload)
    text, markup = await _draft_panel(context, notice)
    panel = await _reply(update, text, markup)
    if panel is not None:
        async with context.session() as session:
            notice = await session.merge(notice)
            await service.set_panel(session, notice, panel.chat_id, panel.message_id)


@admin_only
async def notice_command(update: Update, context: BotContext) -> None:
    """Start a notice: ``/notice <text>``, or ``/notice`` and then any message."""
    _ = context.gettext
    message = update.effective_message
    assert message is not None and context.person is not None
    text = (message.text or "").partition(" ")[2].strip() if message.text else ""
    if "\n" in (message.text or "") and not text:
        text = (message.text or "").partition("\n")[2].strip()
    if text:
        await _start_draft(update, context, Payload(text=text))
        return
    _waiting(context)[context.person.telegram_id] = ("content", None)
    await _reply(
        update,
        _(
            "Send me the notice now: a text, photo, document or voice message — or forward one. "
            "You choose who gets it next."
        ),
        InlineKeyboardMarkup([[InlineKeyboardButton(_("✖ Cancel"), callback_data="ntc:stop")]]),
    )


class _Waiting(filters.MessageFilter):
    """Messages from admins the notices capability is waiting for (a notice's content or its time)."""

    def __init__(self, waiting: dict[int, tuple[str, int | None]]) -> None:
        super().__init__(name="notices_waiting")
        self.waiting = waiting

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id in self.waiting


@admin_only
async def waited_message(update: Update, context: BotContext) -> None:
    """The content of a new notice, or the send time of a draft."""
    _ = context.gettext
    message = update.effective_message
    assert message is not None and context.person is not None
    what, notice_id = _waiting(context).pop(context.person.telegram_id, ("", None))
    if what == "content":
        try:
            payload = payload_from_message(message)
        except ValueError:
            _waiting(context)[context.person.telegram_id] = ("content", None)
            await _reply(
                update, _("That message is empty. Send the notice as text, a photo, a file or voice.")
            )
            return
        await _start_draft(update, context, payload)
        return
    if what == "time" and notice_id is not None:
        moment = service.parse_send_time(message.text or "", now=utcnow(), tz=context.settings.tz)
        async with context.session() as session:
            notice = await service.get_notice(session, notice_id)
            problem = service.check_send_at(moment, utcnow()) if moment else None
            if notice is None or notice.state != NoticeState.DRAFT:
                return
            if moment is None or problem is not None:
                _waiting(context)[context.person.telegram_id] = ("time", notice_id)
                await _reply(
                    update,
                    _(
                        "I could not use that time. Write it like 18:30, 明天 9:00 or 2026-12-01 09:00 "
                        "(within 60 days)."
                    ),
                )
                return
            notice = await service.set_options(session, notice, send_at=moment)
        text, markup = await _draft_panel(context, notice)
        panel = await _reply(update, text, markup)
        if panel is not None:
            async with context.session() as session:
                notice = await session.merge(notice)
                await service.set_panel(session, notice, panel.chat_id, panel.message_id)


# --- panel buttons -----------------------------------------------------------------------------

_CONFIRM_ERRORS = {
    service.ConfirmError.NOT_DRAFT: N_("This notice was already sent or discarded."),
    service.ConfirmError.NO_RECIPIENTS: N_("Nobody is in the chosen audience. Choose who should get it."),
    service.ConfirmError.IN_THE_PAST: N_("The send time has passed. Choose a new time or send at once."),
    service.ConfirmError.TOO_FAR: N_("The send time is more than 60 days away."),
}


@admin_only
async def notice_button(update: Update, context: BotContext) -> None:
    """Every button of the draft panel, the notice list and a notice's details."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.gettext
    parts = query.data.split(":")
    action = parts[1]
    if action == "stop":
        if context.person:
            _waiting(context).pop(context.person.telegram_id, None)
        await query.answer()
        await _edit(update, _("Cancelled. Send /notice to start again."))
        return
    if action == "list":
        await query.answer()
        text, markup = await _notice_list(context, int(parts[2]))
        await _edit(update, text, markup)
        return
    notice_id = int(parts[2])
    async with context.session() as session:
        notice = await service.get_notice(session, notice_id)
    if notice is None:
        await query.answer(_("That notice no longer exists."), show_alert=True)
        return
    if action in _DRAFT_ACTIONS:
        if notice.state != NoticeState.DRAFT:
            await query.answer(_("This notice was already sent or discarded."), show_alert=True)
            return
        await _DRAFT_ACTIONS[action](update, context, notice, parts)
        return
    handler = _NOTICE_ACTIONS.get(action)
    if handler is None:
        await query.answer()
        return
    await handler(update, context, notice, parts)


async def _toggle_audience(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    async with context.session() as session:
        notice = await service.toggle_audience(session, notice, parts[3])
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, *(await _draft_panel(context, notice)))


async def _pick(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    if _registry(context).get(parts[3]) is None:
        return
    await _edit(update, *(await _picker(context, notice, parts[3], int(parts[4]))))


async def _pick_value(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    key, page, value = parts[3], int(parts[4]), ":".join(parts[5:])
    async with context.session() as session:
        notice = await service.toggle_audience(session, notice, key, value)
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, *(await _picker(context, notice, key, page)))


async def _back(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, *(await _draft_panel(context, notice)))


async def _toggle_option(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    async with context.session() as session:
        if parts[1] == "ack":
            notice = await service.set_options(session, notice, needs_ack=not notice.needs_ack)
        elif parts[1] == "pin":
            notice = await service.set_options(session, notice, pin=not notice.pin)
        elif parts[1] == "rem":
            current = (notice.remind_every_minutes, notice.remind_times)
            notice = await service.set_options(
                session, notice, reminders=service.next_reminder_preset(current)
            )
        elif parts[1] == "now":
            notice = await service.set_options(session, notice, send_at=None)
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, *(await _draft_panel(context, notice)))


async def _ask_time(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    _ = context.gettext
    assert context.person is not None and notice.id is not None
    _waiting(context)[context.person.telegram_id] = ("time", notice.id)
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _reply(
        update,
        _(
            "When should it go out? Write a time like 18:30, 明天 9:00 or 2026-12-01 09:00 (time zone {tz}).",
            tz=context.settings.timezone,
        ),
    )


async def _discard(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    _ = context.gettext
    async with context.session() as session:
        await service.discard(session, notice)
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, _("Notice #{id} discarded; nothing was sent.", id=notice.id))


async def _send(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    query = update.callback_query
    assert query is not None and context.person is not None
    _ = context.gettext
    message = query.message
    async with context.session() as session:
        if isinstance(message, Message):
            await service.set_panel(session, notice, message.chat_id, message.message_id)
        result = await service.confirm(
            session,
            notice,
            _registry(context),
            ack_label=_ack_label(context),
            creator_telegram_id=context.person.telegram_id,
        )
    if isinstance(result, service.ConfirmError):
        await query.answer(_(_CONFIRM_ERRORS[result]), show_alert=True)
        return
    get_sender(context.bot_data).wake()
    log.info(
        "notice %s confirmed by %s: campaign %s to %s chats",
        notice.id,
        context.person.id,
        result.id,
        result.total,
    )
    await query.answer(_("Queued for {count} chats.", count=result.total))
    async with context.session() as session:
        notice = await service.get_notice(session, notice.id or 0)  # type: ignore[assignment]
        counts = await delivery.campaign_counts(session, result.id or 0)
    await _edit(update, *_status(context.gettext, context, notice, result, counts))


_DRAFT_ACTIONS = {
    "aud": _toggle_audience,
    "pick": _pick,
    "val": _pick_value,
    "back": _back,
    "ack": _toggle_option,
    "pin": _toggle_option,
    "rem": _toggle_option,
    "now": _toggle_option,
    "when": _ask_time,
    "drop": _discard,
    "send": _send,
}


# --- progress and the report -------------------------------------------------------------------


def _status(
    _: Translate,
    context: BotContext | None,
    notice: Notice,
    campaign: Campaign,
    counts: delivery.Counts,
    *,
    finished: bool = False,
    failures: list[tuple[int, str, str | None]] | None = None,
    acks: int | None = None,
    tz: Any = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The panel of a confirmed notice: progress while sending, the report at the end."""
    tz = tz or (context.settings.tz if context else None)
    if campaign.state == CampaignState.CANCELLED:
        title = (
            _("Notice #{id} — stopped", id=notice.id)
            if finished
            else _("Notice #{id} — stopping", id=notice.id)
        )
    elif finished:
        title = _("Notice #{id} — finished", id=notice.id)
    elif campaign.send_after and campaign.send_after > utcnow() and not counts.done:
        local = (
            campaign.send_after.astimezone(tz).strftime("%Y-%m-%d %H:%M") if tz else str(campaign.send_after)
        )
        title = _("Notice #{id} — scheduled for {when}", id=notice.id, when=local)
    else:
        title = _("Notice #{id} — sending", id=notice.id)
    lines = ["📢 <b>" + html.escape(title) + "</b>", _content_line(_, notice), "", _counts_line(_, counts)]
    for chat_id, label, error in (failures or [])[:REPORT_LINES]:
        lines.append(f"• {html.escape(label or str(chat_id))} — {html.escape(error or '')}")
    if failures and len(failures) > REPORT_LINES:
        lines.append(_("… and {n} more", n=len(failures) - REPORT_LINES))
    if acks is not None and notice.needs_ack:
        lines.append(_("Acknowledged so far: {n}", n=acks))
    rows = []
    if not finished and campaign.state == CampaignState.ACTIVE:
        rows.append([InlineKeyboardButton(_("✖ Stop sending"), callback_data=f"ntc:cancel:{notice.id}")])
    if finished:
        rows.append(
            [InlineKeyboardButton(_("Details and acknowledgements"), callback_data=f"ntc:show:{notice.id}")]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def progress_listener(application: Application[Any, Any, Any, Any, Any, Any]) -> Any:
    """Edit a notice's panel as its campaign goes on, and turn it into the report at the end."""

    async def listen(progress: Progress) -> None:
        data = application.bot_data
        settings = data.settings
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
                acks = (await service.ack_counts(session, [notice.id or 0])).get(notice.id or 0, 0)
        language = resolve_language(
            creator.language if creator else None,
            creator.telegram_language if creator else None,
            settings.default_language,
        )
        text, markup = _status(
            gettext_for(language),
            None,
            notice,
            progress.campaign,
            progress.counts,
            finished=progress.finished,
            failures=failures,
            acks=acks,
            tz=settings.tz,
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


# --- notices list and details ------------------------------------------------------------------


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
        ack = f" · ✅ {acks.get(notice.id or 0, 0)}" if notice.needs_ack else ""
        sent = _("sent {sent}/{total}", sent=count.sent, total=count.total)
        lines.append(
            f"#{notice.id} · {_local(context, notice.confirmed_at)} · {html.escape(notice.summary[:30])}"
            f" · {sent}{ack}"
        )
        rows.append(
            [
                InlineKeyboardButton(
                    f"#{notice.id} {notice.summary[:40]}", callback_data=f"ntc:show:{notice.id}"
                )
            ]
        )
    if nav := page_buttons(page, pages, lambda n: f"ntc:list:{n}"):
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@admin_only
async def notices_command(update: Update, context: BotContext) -> None:
    """The latest notices, each with its outcome; a button opens one."""
    text, markup = await _notice_list(context, 0)
    await _reply(update, text, markup)


async def _details(context: BotContext, notice: Notice) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    registry = _registry(context)
    async with context.session() as session:
        campaign = await service.campaign_of(session, notice)
        counts = await delivery.campaign_counts(session, campaign.id or 0) if campaign else delivery.Counts()
        status = await service.ack_status(session, notice)
        creator = await session.get(Person, notice.created_by_id) if notice.created_by_id else None
    if campaign is None:
        state = _("draft")
    elif campaign.state == CampaignState.CANCELLED:
        state = _("stopped")
    elif campaign.finished_at is not None:
        state = _("finished")
    elif campaign.send_after and campaign.send_after > utcnow():
        state = _("scheduled for {when}", when=_local(context, campaign.send_after))
    else:
        state = _("sending")
    lines = [
        "📢 <b>" + _("Notice #{id}", id=notice.id) + "</b>",
        _content_line(_, notice),
        "",
        _(
            "From {who} · {when}",
            who=html.escape(creator.display_name if creator else "?"),
            when=_local(context, notice.confirmed_at or notice.created_at),
        ),
        _("Audience: {audience}", audience=_audience_line(_, notice, registry)),
        _("Status: {state}", state=state),
        _counts_line(_, counts),
    ]
    if counts.maybe_duplicate:
        lines.append(
            _("⚠️ {n} chats may have got it twice (sending was interrupted)", n=counts.maybe_duplicate)
        )
    if notice.needs_ack:
        lines.append(
            _("Acknowledged: {done} of {expected}", done=len(status.acknowledged), expected=status.expected)
        )
        if notice.next_reminder_at is not None:
            lines.append(
                _(
                    "Reminders sent: {sent} of {times}; next at {when}",
                    sent=notice.reminders_sent,
                    times=notice.remind_times,
                    when=_local(context, notice.next_reminder_at),
                )
            )
        elif notice.reminders_sent:
            lines.append(_("Reminders sent: {sent}", sent=notice.reminders_sent))
    nid = notice.id
    rows = []
    if notice.needs_ack:
        rows.append(
            [
                InlineKeyboardButton(
                    _("✅ Acknowledged ({n})", n=len(status.acknowledged)), callback_data=f"ntc:acks:{nid}"
                ),
                InlineKeyboardButton(
                    _("⏳ Not yet ({n})", n=len(status.missing)), callback_data=f"ntc:miss:{nid}"
                ),
            ]
        )
    report_row = [InlineKeyboardButton(_("📄 Delivery report"), callback_data=f"ntc:rep:{nid}")]
    if (
        notice.needs_ack
        and status.missing
        and campaign is not None
        and campaign.state != CampaignState.CANCELLED
    ):
        report_row.append(InlineKeyboardButton(_("🔔 Remind now"), callback_data=f"ntc:remind:{nid}"))
    rows.append(report_row)
    if campaign is not None and campaign.state == CampaignState.ACTIVE:
        rows.append([InlineKeyboardButton(_("✖ Stop sending"), callback_data=f"ntc:cancel:{nid}")])
    rows.append([InlineKeyboardButton(_("« Notices"), callback_data="ntc:list:0")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _names(people: list[str], _: Translate) -> str:
    shown = people[:NAMES_SHOWN]
    text = "\n".join(f"• {name}" for name in shown)
    if len(people) > NAMES_SHOWN:
        text += "\n" + _("… and {n} more", n=len(people) - NAMES_SHOWN)
    return text


async def _show(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, *(await _details(context, notice)))


async def _ack_lists(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    _ = context.gettext
    async with context.session() as session:
        status = await service.ack_status(session, notice)
    if parts[1] == "acks":
        title = _("Acknowledged notice #{id} ({n}):", id=notice.id, n=len(status.acknowledged))
        names = [
            f"{html.escape(p.display_name)} · {_local(context, at)[5:]}" for p, at in status.acknowledged
        ]
    else:
        title = _("Not acknowledged notice #{id} yet ({n}):", id=notice.id, n=len(status.missing))
        names = [html.escape(p.display_name) for p in status.missing]
    text = "<b>" + title + "</b>\n" + (_names(names, _) or _("nobody"))
    back = InlineKeyboardMarkup([[InlineKeyboardButton(_("« Back"), callback_data=f"ntc:show:{notice.id}")]])
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, text, back)


async def _report(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    """The outcome per chat: problems first with Telegram's reasons, then the chats that got it."""
    _ = context.gettext
    lines = ["📄 <b>" + _("Delivery report of notice #{id}", id=notice.id) + "</b>"]
    if notice.campaign_id is not None:
        async with context.session() as session:
            rows = await delivery.list_deliveries(session, notice.campaign_id)
        names = {
            "blocked": _("Blocked the bot or removed it"),
            "failed": _("Failed"),
            "pending": _("Waiting"),
            "sending": _("Sending"),
            "cancelled": _("Not sent (stopped)"),
            "sent": _("Delivered"),
        }
        for state in ("blocked", "failed", "pending", "sending", "cancelled", "sent"):
            chosen = [r for r in rows if r.state == state]
            if not chosen:
                continue
            lines.append(f"\n<b>{names[state]} ({len(chosen)})</b>")
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
    back = InlineKeyboardMarkup([[InlineKeyboardButton(_("« Back"), callback_data=f"ntc:show:{notice.id}")]])
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _edit(update, text, back)


async def _cancel(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    _ = context.gettext
    async with context.session() as session:
        cancelled = await service.cancel(session, notice, by_id=context.person.id if context.person else None)
    query = update.callback_query
    assert query is not None
    if cancelled is None:
        await query.answer(_("This notice is no longer being sent."), show_alert=True)
        return
    log.info(
        "notice %s stopped by %s: %s chats not sent",
        notice.id,
        context.person and context.person.id,
        cancelled,
    )
    get_sender(context.bot_data).cancelled(notice.campaign_id or 0)
    await query.answer(_("Stopped: {n} chats will not get it.", n=cancelled), show_alert=True)
    async with context.session() as session:
        campaign = await service.campaign_of(session, notice)
        counts = await delivery.campaign_counts(session, notice.campaign_id or 0)
    assert campaign is not None
    await _edit(update, *_status(_, context, notice, campaign, counts))


async def _remind_now(update: Update, context: BotContext, notice: Notice, parts: list[str]) -> None:
    _ = context.gettext
    query = update.callback_query
    assert query is not None
    default = gettext_for(context.settings.default_language)
    async with context.session() as session:
        reminder = await service.send_reminder(
            session,
            notice,
            text=_reminder_message(default, notice),
            ack_label=default(ACK_LABEL),
            scheduled=False,
        )
    if reminder is None:
        await query.answer(_("Nobody is left to remind."), show_alert=True)
        return
    get_sender(context.bot_data).wake()
    await query.answer(_("Reminder queued for {n} people.", n=reminder.total), show_alert=True)


_NOTICE_ACTIONS = {
    "show": _show,
    "acks": _ack_lists,
    "miss": _ack_lists,
    "rep": _report,
    "cancel": _cancel,
    "remind": _remind_now,
}


# --- acknowledgements --------------------------------------------------------------------------

_ACK_ANSWERS = {
    service.AckOutcome.RECORDED: N_("Thank you, your confirmation is recorded."),
    service.AckOutcome.ALREADY: N_("You have already confirmed this notice."),
    service.AckOutcome.UNKNOWN: N_("This notice no longer exists."),
}


async def ack_pressed(update: Update, context: BotContext) -> None:
    """Someone pressed 收到 on a notice (or on a reminder, or in /mynotices)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.gettext
    if context.person is None:
        await query.answer()
        return
    notice_id = int(query.data.removeprefix(service.ACK_PREFIX))
    async with context.session() as session:
        outcome = await service.acknowledge(session, notice_id, context.person)
    await query.answer(_(_ACK_ANSWERS[outcome]))
    message = query.message
    if outcome == service.AckOutcome.UNKNOWN or not isinstance(message, Message):
        return
    markup = message.reply_markup
    if markup is None:
        return
    done = _("✅ Confirmed")
    rows = [
        [
            InlineKeyboardButton(done, callback_data="ntc:done") if b.callback_data == query.data else b
            for b in row
        ]
        for row in markup.inline_keyboard
    ]
    if rows != [list(row) for row in markup.inline_keyboard]:
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        except BadRequest as exc:
            log.debug("could not mark the notice as confirmed: %s", exc)


async def done_pressed(update: Update, context: BotContext) -> None:
    """The ✅ button left after confirming: just say so."""
    if update.callback_query:
        await update.callback_query.answer(context.gettext("You have already confirmed this notice."))


@staff_only
async def mynotices_command(update: Update, context: BotContext) -> None:
    """A staff member's notices still waiting for their 收到."""
    _ = context.gettext
    assert context.person is not None
    async with context.session() as session:
        pending = await service.unacknowledged_for(session, context.person)
    if not pending:
        await _reply(update, _("You have confirmed every notice. 👍"))
        return
    lines = [_("Notices waiting for your confirmation:")]
    rows = []
    for notice in pending:
        lines.append(
            f"• #{notice.id} {_local(context, notice.confirmed_at)[5:]} — {_content_line(_, notice)}"
        )
        label = _("✅ Got it: #{id} {summary}", id=notice.id, summary=notice.summary[:24])
        rows.append([InlineKeyboardButton(label, callback_data=f"{service.ACK_PREFIX}{notice.id}")])
    await _reply(update, "\n".join(lines), InlineKeyboardMarkup(rows))


# --- reminders ---------------------------------------------------------------------------------


def _reminder_message(_: Translate, notice: Notice) -> str:
    return _(
        "🔔 Reminder: please read this notice and press “{label}”:\n{summary}",
        label=_(ACK_LABEL),
        summary=notice.summary,
    )


async def send_due_reminders(
    application: Application[Any, Any, Any, Any, Any, Any], *, now: datetime | None = None
) -> int:
    """Queue every reminder that is due; returns how many reminder campaigns were made."""
    data = application.bot_data
    _ = gettext_for(data.settings.default_language)
    made = 0
    async with data.db() as session:
        for notice in await service.due_reminders(session, now=now):
            reminder = await service.send_reminder(
                session, notice, text=_reminder_message(_, notice), ack_label=_(ACK_LABEL), now=now
            )
            if reminder is not None:
                made += 1
                log.info(
                    "reminder %s of notice %s to %s people", notice.reminders_sent, notice.id, reminder.total
                )
    if made:
        get_sender(data).wake()
    return made


async def _reminder_job(context: BotContext) -> None:
    await send_due_reminders(context.application)


# --- wiring ------------------------------------------------------------------------------------


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the notices handlers, the progress listener, the reminder job and the menu entries."""
    waiting: dict[int, tuple[str, int | None]] = app.bot_data.services.setdefault(WAITING_KEY, {})
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("notice", notice_command, private))
    app.add_handler(CommandHandler("notices", notices_command, private))
    app.add_handler(CommandHandler("mynotices", mynotices_command, private))
    app.add_handler(MessageHandler(private & ~filters.COMMAND & _Waiting(waiting), waited_message))
    app.add_handler(CallbackQueryHandler(ack_pressed, pattern=rf"^{service.ACK_PREFIX}\d+$"))
    app.add_handler(CallbackQueryHandler(done_pressed, pattern=r"^ntc:done$"))
    app.add_handler(CallbackQueryHandler(notice_button, pattern=r"^ntc:"))

    get_sender(app.bot_data).listen(service.KIND, progress_listener(app))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _reminder_job,
            interval=REMINDER_INTERVAL_SECONDS,
            first=10,
            name="notice-reminders",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )

    menus = app.bot_data.menus
    if menus is not None:
        menus.add("notice", N_("Send a notice to staff or groups"), roles=[Role.ADMIN], order=67)
        menus.add("notices", N_("Notices and who confirmed them"), roles=[Role.ADMIN], order=68)
        menus.add("mynotices", N_("Notices I have not confirmed yet"), roles=[Role.STAFF], order=20)
