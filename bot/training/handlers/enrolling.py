"""Enrolling by an admin: the staff not in training, page by page; a press puts one on the default plan."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler

from bot.access import admin_only
from bot.context import BotContext
from bot.replies import edit_or_reply, on_button, page_buttons, toast
from bot.training import service
from bot.training.buttons import Enrol, EnrolMenu, Overview
from bot.training.handlers.common import catalog
from bot.training.handlers.learner import show_panel

PAGE_SIZE = 10


@admin_only
async def enrol_menu(update: Update, context: BotContext, pressed: EnrolMenu) -> None:
    """A page of the staff and admins not in training."""
    _ = context.gettext
    async with context.session() as session:
        people = await service.not_enrolled(session)
    pages = max(1, -(-len(people) // PAGE_SIZE))
    page = min(max(pressed.page, 0), pages - 1)
    shown = people[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    default = catalog(context).default
    if default is None:
        text = _(
            "There is no default plan to enrol in: mark one plan “default: true” (see knowledge/README.md)."
        )
        shown = []
    elif shown:
        text = _(
            "Whom to enrol in “{plan}”? Their first lesson goes out on their next workday.",
            plan=default.title,
        )
    else:
        text = _("Everyone on the staff is in training already.")
    rows = [
        [InlineKeyboardButton(person.display_name[:40], callback_data=Enrol(person.id or 0).pack())]
        for person in shown
    ]
    if nav := page_buttons(page, pages, EnrolMenu):
        rows.append(nav)
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=Overview(0).pack())])
    await edit_or_reply(update, context, text, InlineKeyboardMarkup(rows))


@admin_only
async def enrol_pressed(update: Update, context: BotContext, pressed: Enrol) -> None:
    """Enrol one person in the default plan (the button may be forged or stale: the database decides)."""
    _ = context.gettext
    assert context.person is not None
    plan = catalog(context).default
    if plan is None:
        await toast(update, _("There is no default plan to enrol in."), alert=True)
        return
    async with context.session() as session:
        outcome, enrolment = await service.enrol_person(session, pressed.person_id, plan, by=context.person)
    if enrolment is None or enrolment.id is None:
        await toast(update, _("Only staff can be enrolled."), alert=True)
        return
    done = (
        _("Enrolled in “{plan}”.", plan=plan.title)
        if outcome == service.EnrolOutcome.ENROLLED
        else _("Already in training.")
    )
    await show_panel(update, context, enrolment.id, done)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [on_button(EnrolMenu, enrol_menu), on_button(Enrol, enrol_pressed)]
