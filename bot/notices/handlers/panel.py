"""The draft panel of a notice: audience, options, send or discard (the send time is typed: ``draft.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler

from bot.access import admin_only
from bot.context import BotContext
from bot.delivery import service as delivery
from bot.i18n import N_, Translate, gettext_for
from bot.notices import service
from bot.notices.buttons import (
    ACK_LABEL,
    BackToDraft,
    ChooseTime,
    Discard,
    NeedsAck,
    PickAudience,
    PickValue,
    Pin,
    Reminders,
    Send,
    SendAtOnce,
    ToggleAudience,
)
from bot.notices.handlers.common import audience_line, content_line, local_time, pressed_draft
from bot.notices.handlers.progress import status_panel
from bot.notices.models import Notice
from bot.replies import edit_or_reply, edit_query_message, on_button, page_buttons, reply, toast

log = logging.getLogger(__name__)

PICK_PAGE_SIZE = 10

_CONFIRM_ERRORS = {
    service.ConfirmError.NOT_DRAFT: N_("This notice was already sent or discarded."),
    service.ConfirmError.NO_RECIPIENTS: N_("Nobody is in the chosen audience. Choose who should get it."),
    service.ConfirmError.IN_THE_PAST: N_("The send time has passed. Choose a new time or send at once."),
    service.ConfirmError.TOO_FAR: N_("The send time is more than 60 days away."),
}


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


def _option_rows(_: Translate, notice: Notice) -> list[list[InlineKeyboardButton]]:
    nid = notice.id or 0
    rows = [
        [
            InlineKeyboardButton(
                ("☑ " if notice.needs_ack else "☐ ") + _("Needs acknowledgement"),
                callback_data=NeedsAck(nid).pack(),
            ),
            InlineKeyboardButton(
                ("☑ " if notice.pin else "☐ ") + _("Pin in groups"), callback_data=Pin(nid).pack()
            ),
        ]
    ]
    if notice.needs_ack:
        if notice.remind_times:
            reminders = _(
                "🔔 Reminders: every {every} × {times}",
                every=_duration(_, notice.remind_every_minutes),
                times=notice.remind_times,
            )
        else:
            reminders = _("🔔 Reminders: off")
        rows.append([InlineKeyboardButton(reminders, callback_data=Reminders(nid).pack())])
    time_row = [InlineKeyboardButton(_("⏰ Choose a send time"), callback_data=ChooseTime(nid).pack())]
    if notice.send_at is not None:
        time_row.append(InlineKeyboardButton(_("Send at once instead"), callback_data=SendAtOnce(nid).pack()))
    rows.append(time_row)
    return rows


async def draft_panel(context: BotContext, notice: Notice) -> tuple[str, InlineKeyboardMarkup]:
    """The draft as it stands, with a button for every choice left."""
    _ = context.gettext
    registry = context.bot_data.notice_audiences
    async with context.session() as session:
        targets = await service.recipients(
            session, notice, registry, context.person.telegram_id if context.person else None
        )
    when = _("at once") if notice.send_at is None else local_time(context.settings.tz, notice.send_at)
    lines = [
        "📢 <b>" + _("Notice #{id} — draft", id=notice.id) + "</b>",
        content_line(_, notice),
        "",
        _(
            "Audience: {audience} → {count} chats",
            audience=audience_line(_, notice, registry),
            count=len(targets),
        ),
        _("Acknowledgement: {ack}", ack=_reminder_text(_, notice)),
        _("Pin in village groups: {pin}", pin=_("yes") if notice.pin else _("no")),
        _("Send: {when}", when=when),
    ]
    nid = notice.id or 0
    audience_buttons = []
    for kind in registry.all():
        if kind.picked:
            count = len(notice.audience.get(kind.key, []))
            label = f"{_(kind.label)} ({count}) ›" if count else f"{_(kind.label)} ›"
            audience_buttons.append(
                InlineKeyboardButton(label, callback_data=PickAudience(nid, kind.key, 0).pack())
            )
        else:
            mark = "☑ " if kind.key in notice.audience else "☐ "
            audience_buttons.append(
                InlineKeyboardButton(mark + _(kind.label), callback_data=ToggleAudience(nid, kind.key).pack())
            )
    rows = [audience_buttons[i : i + 2] for i in range(0, len(audience_buttons), 2)]
    rows.extend(_option_rows(_, notice))
    send_label = (
        _("✅ Send to {count} chats", count=len(targets))
        if notice.send_at is None
        else _("✅ Schedule for {count} chats", count=len(targets))
    )
    rows.append(
        [
            InlineKeyboardButton(send_label, callback_data=Send(nid).pack()),
            InlineKeyboardButton(_("✖ Discard"), callback_data=Discard(nid).pack()),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show_draft(update: Update, context: BotContext, notice: Notice) -> None:
    """Answer with the draft panel and remember it as the notice's panel."""
    panel = await reply(update, context, *(await draft_panel(context, notice)))
    async with context.session() as session:
        notice = await session.merge(notice)
        await service.set_panel(session, notice, panel.chat_id, panel.message_id)


async def _picker(
    context: BotContext, notice: Notice, key: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    kind = context.bot_data.notice_audiences.get(key)
    assert kind is not None and kind.choices is not None
    async with context.session() as session:
        choices = await kind.choices(session)
    pages = max(1, -(-len(choices) // PICK_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    chosen = set(notice.audience.get(key, []))
    nid = notice.id or 0
    rows = [
        [
            InlineKeyboardButton(
                ("☑ " if value in chosen else "☐ ") + label[:48],
                callback_data=PickValue(nid, key, page, value).pack(),
            )
        ]
        for value, label in choices[page * PICK_PAGE_SIZE : (page + 1) * PICK_PAGE_SIZE]
    ]
    if nav := page_buttons(page, pages, lambda n: PickAudience(nid, key, n)):
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=BackToDraft(nid).pack())])
    text = _("Choose: {what} ({chosen} chosen)", what=_(kind.label), chosen=len(chosen))
    if not choices:
        text += "\n" + _("There is nothing to choose from yet.")
    return text, InlineKeyboardMarkup(rows)


def _picked_kind(context: BotContext, key: str) -> bool:
    kind = context.bot_data.notice_audiences.get(key)
    return kind is not None and kind.picked


async def _nothing(update: Update) -> None:
    """A button naming an audience kind this bot does not offer (any more): acknowledge, change nothing."""
    assert update.callback_query is not None
    await update.callback_query.answer()


# --- the panel's buttons -----------------------------------------------------------------------------


async def toggle_audience(update: Update, context: BotContext, pressed: ToggleAudience) -> None:
    kind = context.bot_data.notice_audiences.get(pressed.key)
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return
    if kind is not None and not kind.picked:
        async with context.session() as session:
            notice = await service.toggle_audience(session, notice, pressed.key)
    await edit_or_reply(update, context, *(await draft_panel(context, notice)))


async def pick_audience(update: Update, context: BotContext, pressed: PickAudience) -> None:
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return
    if not _picked_kind(context, pressed.key):
        await _nothing(update)
        return
    await edit_or_reply(update, context, *(await _picker(context, notice, pressed.key, pressed.page)))


async def pick_value(update: Update, context: BotContext, pressed: PickValue) -> None:
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return
    kind = context.bot_data.notice_audiences.get(pressed.key)
    if kind is None or kind.choices is None:
        await _nothing(update)
        return
    async with context.session() as session:
        offered = {value for value, _label in await kind.choices(session)}
        if pressed.value in offered or pressed.value in notice.audience.get(pressed.key, []):
            notice = await service.toggle_audience(session, notice, pressed.key, pressed.value)
    await edit_or_reply(update, context, *(await _picker(context, notice, pressed.key, pressed.page)))


async def back_to_draft(update: Update, context: BotContext, pressed: BackToDraft) -> None:
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is not None:
        await edit_or_reply(update, context, *(await draft_panel(context, notice)))


async def _change_options(
    update: Update, context: BotContext, notice_id: int, options: Callable[[Notice], dict[str, Any]]
) -> None:
    """Change a draft's options (``options(notice)`` gives the new values) and show its panel again."""
    notice = await pressed_draft(update, context, notice_id)
    if notice is None:
        return
    async with context.session() as session:
        notice = await service.set_options(session, notice, **options(notice))
    await edit_or_reply(update, context, *(await draft_panel(context, notice)))


async def toggle_ack(update: Update, context: BotContext, pressed: NeedsAck) -> None:
    await _change_options(
        update, context, pressed.notice_id, lambda notice: {"needs_ack": not notice.needs_ack}
    )


async def toggle_pin(update: Update, context: BotContext, pressed: Pin) -> None:
    await _change_options(update, context, pressed.notice_id, lambda notice: {"pin": not notice.pin})


async def next_reminders(update: Update, context: BotContext, pressed: Reminders) -> None:
    def preset(notice: Notice) -> dict[str, Any]:
        current = (notice.remind_every_minutes, notice.remind_times)
        return {"reminders": service.next_reminder_preset(current)}

    await _change_options(update, context, pressed.notice_id, preset)


async def send_at_once(update: Update, context: BotContext, pressed: SendAtOnce) -> None:
    await _change_options(update, context, pressed.notice_id, lambda _notice: {"send_at": None})


async def discard(update: Update, context: BotContext, pressed: Discard) -> None:
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return
    async with context.session() as session:
        await service.discard(session, notice)
    await edit_or_reply(
        update, context, context.gettext("Notice #{id} discarded; nothing was sent.", id=notice.id)
    )


async def send(update: Update, context: BotContext, pressed: Send) -> None:
    """Confirm the draft: its campaign is queued (at once or for its time) and the panel shows progress."""
    _ = context.gettext
    query = update.callback_query
    assert query is not None and context.person is not None
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return
    async with context.session() as session:
        if isinstance(query.message, Message):
            await service.set_panel(session, notice, query.message.chat_id, query.message.message_id)
        result = await service.confirm(
            session,
            notice,
            context.bot_data.notice_audiences,
            ack_label=gettext_for(context.settings.default_language)(ACK_LABEL),
            creator_telegram_id=context.person.telegram_id,
        )
    if isinstance(result, service.ConfirmError):
        await toast(update, _(_CONFIRM_ERRORS[result]), alert=True)
        return
    context.bot_data.sender.wake()
    log.info(
        "notice %s confirmed by %s: campaign %s to %s chats",
        notice.id,
        context.person.id,
        result.id,
        result.total,
    )
    await toast(update, _("Queued for {count} chats.", count=result.total))
    async with context.session() as session:
        confirmed = await service.get_notice(session, pressed.notice_id)
        counts = await delivery.campaign_counts(session, result.id or 0)
    assert confirmed is not None
    text, markup = status_panel(_, context.settings.tz, confirmed, result, counts)
    await edit_query_message(query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """The buttons of the draft panel and of its picker."""
    return [
        on_button(ToggleAudience, admin_only(toggle_audience)),
        on_button(PickAudience, admin_only(pick_audience)),
        on_button(PickValue, admin_only(pick_value)),
        on_button(BackToDraft, admin_only(back_to_draft)),
        on_button(NeedsAck, admin_only(toggle_ack)),
        on_button(Pin, admin_only(toggle_pin)),
        on_button(Reminders, admin_only(next_reminders)),
        on_button(SendAtOnce, admin_only(send_at_once)),
        on_button(Discard, admin_only(discard)),
        on_button(Send, admin_only(send)),
    ]
