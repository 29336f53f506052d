"""Admins put staff on shifts: /assign and /unassign by name, or tapping names on a shift's staff pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access import admin_only
from bot.attendance import arguments, render, service
from bot.attendance.buttons import ShiftStaff, ToggleStaff
from bot.attendance.handlers.common import PRIVATE, today
from bot.attendance.handlers.shifts import active_shift
from bot.attendance.models import Shift
from bot.attendance.render import esc
from bot.attendance.schedule import parse_date
from bot.context import BotContext
from bot.i18n import N_
from bot.people import service as people
from bot.people.models import Person
from bot.replies import edit_or_reply, on_button, page_buttons, reply, toast, usage_errors
from bot.usage import UsageError

PAGE_SIZE = 10
NO_SHIFT_CALLED = N_("There is no shift called {name}. See /shifts.")


async def staff_page(context: BotContext, shift: Shift, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the staff, ✅ those on ``shift`` today, with the page buttons."""
    assert shift.id is not None
    _ = context.gettext
    async with context.session() as session:
        everyone = await service.staff(session)
        assigned = {p.id for p in await service.assignees(session, shift.id, today(context))}
    pages = max(1, -(-len(everyone) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    text = _(
        "👥 Who works {shift}? Tap a name to add ✅ or remove it (from today on). {count} people now.",
        shift="<b>" + render.shift_line(_, shift) + "</b>",
        count=len(assigned),
    )
    names = [
        InlineKeyboardButton(
            ("✅ " if p.id in assigned else "▫️ ") + p.display_name[:30],
            callback_data=ToggleStaff(shift.id, p.id or 0, page).pack(),
        )
        for p in shown
    ]
    rows = [names[i : i + 2] for i in range(0, len(names), 2)]
    if nav := page_buttons(page, pages, lambda n: ShiftStaff(shift.id or 0, n)):
        rows.append(nav)
    if not everyone:
        text += "\n" + _("There is no staff yet: invite people with /invite.")
    return text, InlineKeyboardMarkup(rows)


async def _named_shift(context: BotContext, name: str) -> Shift:
    """The active shift called ``name``, or the usage error saying there is none."""
    async with context.session() as session:
        shift = await service.get_shift(session, name)
    if shift is None or not shift.active:
        raise UsageError(NO_SHIFT_CALLED, name=name)
    return shift


async def _people_and_dates(
    context: BotContext, tokens: Sequence[str]
) -> tuple[list[Person], list[str], list[date]]:
    """Split ``@name 12345 2025-10-01`` into people, unknown references and dates."""
    day = today(context)
    found, unknown, dates = [], [], []
    async with context.session() as session:
        for token in tokens:
            if token.startswith("@") or token.lstrip("-").isdecimal():
                person = await people.find_person(session, token)
                if person is None:
                    unknown.append(token)
                else:
                    found.append(person)
                continue
            parsed = parse_date(token, day)
            if parsed is None:
                raise UsageError(arguments.NOT_A_PERSON_OR_DATE, value=token)
            dates.append(parsed)
    return found, unknown, dates


@admin_only
@usage_errors
async def assign_command(update: Update, context: BotContext) -> None:
    """/assign SHIFT @people... [FROM] [TO]; without people it shows the staff buttons."""
    _ = context.gettext
    args = context.args or []
    if not args:
        raise UsageError(arguments.ASSIGN_USAGE)
    shift = await _named_shift(context, args[0])
    found, unknown, dates = await _people_and_dates(context, args[1:])
    if not found and not unknown:
        await reply(update, context, *await staff_page(context, shift, 0))
        return
    start = dates[0] if dates else today(context)
    end = dates[1] if len(dates) > 1 else None
    if end is not None and end < start:
        raise UsageError(arguments.BAD_RANGE)
    refused = [p for p in found if not p.is_staff]
    added = []
    async with context.session() as session:
        for person in found:
            if person.is_staff:
                await service.assign(session, shift, person, start, end)
                added.append(person)
    lines = []
    if added:
        names = ", ".join(esc(p.display_name) for p in added)
        span = render.day_label(_, start) + (f" – {render.day_label(_, end)}" if end else "")
        lines.append(_("✅ On {shift} from {span}: {names}", shift=esc(shift.name), span=span, names=names))
    if refused:
        lines.append(
            _(
                "Not staff (make them staff first): {names}",
                names=", ".join(esc(p.display_name) for p in refused),
            )
        )
    if unknown:
        lines.append(_(arguments.UNKNOWN_PERSON, who=esc(", ".join(unknown))))
    await reply(update, context, "\n".join(lines))


@admin_only
@usage_errors
async def unassign_command(update: Update, context: BotContext) -> None:
    """/unassign SHIFT @people... [FROM]: off the shift from FROM (today) on."""
    _ = context.gettext
    args = context.args or []
    async with context.session() as session:
        shift = await service.get_shift(session, args[0]) if args else None
    if shift is None:
        raise UsageError(arguments.UNASSIGN_USAGE)
    found, unknown, dates = await _people_and_dates(context, args[1:])
    start = dates[0] if dates else today(context)
    removed = []
    async with context.session() as session:
        for person in found:
            if await service.unassign(session, shift, person, start):
                removed.append(person)
    lines = [
        _(
            "Off {shift} from {day}: {names}",
            shift=esc(shift.name),
            day=render.day_label(_, start),
            names=", ".join(esc(p.display_name) for p in removed) or "—",
        )
    ]
    if unknown:
        lines.append(_(arguments.UNKNOWN_PERSON, who=esc(", ".join(unknown))))
    await reply(update, context, "\n".join(lines))


@admin_only
async def staff_pressed(update: Update, context: BotContext, pressed: ShiftStaff) -> None:
    """👥 on a shift's card, or a page button under its staff."""
    if shift := await active_shift(update, context, pressed.shift_id):
        await edit_or_reply(update, context, *await staff_page(context, shift, pressed.page))


@admin_only
async def toggle_pressed(update: Update, context: BotContext, pressed: ToggleStaff) -> None:
    """A name on a staff page: on the shift from today, or off it."""
    if not (shift := await active_shift(update, context, pressed.shift_id)):
        return
    day = today(context)
    async with context.session() as session:
        person = await session.get(Person, pressed.person_id)
        if person is None:
            await toast(update, context.gettext("That person is not known."), alert=True)
            return
        on_shift = any(p.id == person.id for p in await service.assignees(session, pressed.shift_id, day))
        if on_shift:
            await service.unassign(session, shift, person, day)
        else:
            await service.assign(session, shift, person, day)
    await edit_or_reply(update, context, *await staff_page(context, shift, pressed.page))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("assign", assign_command, PRIVATE),
        CommandHandler("unassign", unassign_command, PRIVATE),
        on_button(ShiftStaff, staff_pressed),
        on_button(ToggleStaff, toggle_pressed),
    ]
