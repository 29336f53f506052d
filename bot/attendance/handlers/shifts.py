"""Admins define shifts: /newshift, /shifts (each with its card, where it can be made to run on public
holidays), /deleteshift and the delete buttons."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import arguments, render, service
from bot.attendance.buttons import ConfirmDelete, DeleteShift, OnHolidays, ShiftCard, ShiftStaff
from bot.attendance.handlers.common import PRIVATE, today
from bot.attendance.models import Shift
from bot.attendance.render import esc
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.replies import edit_or_reply, edit_query_message, on_button, reply, toast, usage_errors
from bot.usage import UsageError

NO_SUCH_SHIFT = N_("There is no shift called that. See /shifts.")


def shift_card(_: Translate, shift: Shift, created: bool | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """A shift, its check-in window, and buttons to its staff, to run it on public holidays or not, and to
    delete it."""
    assert shift.id is not None
    head = {True: _("✅ Shift created:"), False: _("✅ Shift updated:"), None: ""}[created]
    text = "\n".join(
        p for p in (head, "<b>" + render.shift_line(_, shift) + "</b>", render.shift_details(_, shift)) if p
    )
    buttons = [
        [
            InlineKeyboardButton(_("👥 Who works it"), callback_data=ShiftStaff(shift.id, 0).pack()),
            InlineKeyboardButton(_("🗑 Delete"), callback_data=DeleteShift(shift.id).pack()),
        ],
        [
            InlineKeyboardButton(
                _("🎌 Not on public holidays") if shift.on_holidays else _("🎌 Run on public holidays too"),
                callback_data=OnHolidays(shift.id, not shift.on_holidays).pack(),
            )
        ],
    ]
    return text, InlineKeyboardMarkup(buttons)


def _delete_question(_: Translate, shift: Shift) -> tuple[str, InlineKeyboardMarkup]:
    assert shift.id is not None
    text = _("Delete the shift {shift}? Its records stay in the reports.", shift=render.shift_line(_, shift))
    confirm = InlineKeyboardButton(_("🗑 Yes, delete it"), callback_data=ConfirmDelete(shift.id).pack())
    return text, InlineKeyboardMarkup([[confirm]])


async def active_shift(update: Update, context: BotContext, shift_id: int) -> Shift | None:
    """The shift a button names, if it is still there; else the admin is told so."""
    async with context.session() as session:
        shift = await session.get(Shift, shift_id)
    if shift is None or not shift.active:
        await toast(update, context.gettext("That shift no longer exists."), alert=True)
        return None
    return shift


@admin_only
@usage_errors
async def newshift_command(update: Update, context: BotContext) -> None:
    """/newshift NAME START END [DAYS] [window=] [grace=] [close=] — creates or updates by name."""
    draft = arguments.shift_definition(context.args or [])
    async with context.session() as session:
        shift, created = await service.save_shift(session, draft)
    text, markup = shift_card(context.gettext, shift, created)
    await reply(update, context, text, markup)


@admin_only
async def shifts_command(update: Update, context: BotContext) -> None:
    """All shifts, each with a button to its card."""
    _, day = context.gettext, today(context)
    async with context.session() as session:
        shifts = await service.list_shifts(session)
        counts = {s.id: len(await service.assignees(session, s.id or 0, day)) for s in shifts}
    if not shifts:
        await reply(update, context, _("No shifts yet.") + "\n\n" + _(arguments.SHIFT_USAGE))
        return
    lines = ["<b>" + _("🗓 Shifts") + "</b>"]
    rows = []
    for shift in shifts:
        assert shift.id is not None
        lines.append(
            _("• {shift} — {count} people", shift=render.shift_line(_, shift), count=counts[shift.id])
        )
        rows.append([InlineKeyboardButton(f"⚙️ {shift.name}", callback_data=ShiftCard(shift.id).pack())])
    lines += ["", _("Tap a shift to see or change who works it. New shift: /newshift")]
    await reply(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


@admin_only
async def card_pressed(update: Update, context: BotContext, pressed: ShiftCard) -> None:
    """A shift's card, from /shifts."""
    if shift := await active_shift(update, context, pressed.shift_id):
        await edit_or_reply(update, context, *shift_card(context.gettext, shift))


@admin_only
async def holidays_pressed(update: Update, context: BotContext, pressed: OnHolidays) -> None:
    """🎌 on a shift's card: the shift runs on public holidays from now on, or no longer."""
    query = update.callback_query
    assert query is not None
    _ = context.gettext
    async with context.session() as session:
        shift = await service.set_on_holidays(session, pressed.shift_id, pressed.on)
    if shift is None:
        await toast(update, _("That shift no longer exists."), alert=True)
        return
    on = shift.on_holidays
    await toast(
        update, _("It runs on public holidays too.") if on else _("It no longer runs on public holidays.")
    )
    text, markup = shift_card(_, shift)
    await edit_query_message(query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


@admin_only
@usage_errors
async def deleteshift_command(update: Update, context: BotContext) -> None:
    """/deleteshift NAME — asks for confirmation."""
    async with context.session() as session:
        shift = await service.get_shift(session, " ".join(context.args or []))
    if shift is None or not shift.active:
        raise UsageError(NO_SUCH_SHIFT)
    await reply(update, context, *_delete_question(context.gettext, shift))


@admin_only
async def delete_pressed(update: Update, context: BotContext, pressed: DeleteShift) -> None:
    """🗑 on a shift's card: ask first."""
    if shift := await active_shift(update, context, pressed.shift_id):
        await edit_or_reply(update, context, *_delete_question(context.gettext, shift))


@admin_only
async def delete_confirmed(update: Update, context: BotContext, pressed: ConfirmDelete) -> None:
    """The shift stops (its records stay for the reports)."""
    query = update.callback_query
    assert query is not None
    if not (shift := await active_shift(update, context, pressed.shift_id)):
        return
    _ = context.gettext
    async with context.session() as session:
        await service.deactivate_shift(session, pressed.shift_id)
    await toast(update, _("Deleted."))
    await edit_query_message(
        query, _("🗑 Shift {name} deleted.", name=esc(shift.name)), parse_mode=ParseMode.HTML
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("newshift", newshift_command, PRIVATE),
        CommandHandler("shifts", shifts_command, PRIVATE),
        CommandHandler("deleteshift", deleteshift_command, PRIVATE),
        on_button(ShiftCard, card_pressed),
        on_button(OnHolidays, holidays_pressed),
        on_button(DeleteShift, delete_pressed),
        on_button(ConfirmDelete, delete_confirmed),
    ]
