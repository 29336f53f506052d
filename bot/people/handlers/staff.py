"""Staff and admins: the /staff list, a person's card with role buttons, /promote /demote /removestaff."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.menus import publish_person_menu
from bot.people import service
from bot.people.buttons import PersonCard, SetRole, StaffPage
from bot.people.models import Person, Role
from bot.replies import edit_or_reply, edit_query_message, on_button, page_buttons, reply, toast, usage_errors
from bot.usage import UsageError

STAFF_PAGE_SIZE = 8

#: The role buttons of a person's card, by their current role: (label, new role).
_ROLE_BUTTONS = {
    Role.STAFF: ((N_("Make admin"), Role.ADMIN), (N_("Remove from staff"), Role.SEEKER)),
    Role.ADMIN: ((N_("Remove admin rights"), Role.STAFF),),
    Role.SEEKER: ((N_("Make staff"), Role.STAFF),),
}

_ROLE_CHANGE_ANSWERS = {
    service.RoleChange.DONE: N_("Done: {name} is now {role}."),
    service.RoleChange.UNCHANGED: N_("{name} already is {role}."),
    service.RoleChange.PROTECTED: N_(
        "{name} is an admin by the ADMIN_IDS setting; change that setting instead."
    ),
    service.RoleChange.SELF: N_("You cannot remove your own admin rights; ask another admin."),
}


def _role_name(_: Translate, role: str) -> str:
    return {Role.ADMIN: _("admin"), Role.STAFF: _("staff"), Role.SEEKER: _("job seeker")}.get(role, role)


# --- the list and the cards ----------------------------------------------------------------------


def _staff_page(_: Translate, people: list[Person], page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the list (HTML), a button per person and the page row."""
    pages = max(1, -(-len(people) // STAFF_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = people[page * STAFF_PAGE_SIZE : (page + 1) * STAFF_PAGE_SIZE]
    admins = sum(1 for p in people if p.role == Role.ADMIN)
    lines = [_("Staff: {staff} · admins: {admins}", staff=len(people) - admins, admins=admins)]
    for person in shown:
        badge = "⭐ " if person.role == Role.ADMIN else ""
        username = f" @{person.username}" if person.username else ""
        lines.append(
            f"{badge}{html.escape(person.display_name)}{username} · <code>{person.telegram_id}</code>"
        )
    rows = [
        [InlineKeyboardButton(p.display_name[:40], callback_data=PersonCard(p.telegram_id).pack())]
        for p in shown
    ]
    if nav := page_buttons(page, pages, StaffPage):
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _person_card(_: Translate, person: Person) -> tuple[str, InlineKeyboardMarkup]:
    """A person's name, id and role (HTML), with the buttons that change the role."""
    username = f" @{person.username}" if person.username else ""
    text = _(
        "{name}{username}\nTelegram id: {id}\nRole: {role}",
        name=html.escape(person.display_name),
        username=html.escape(username),
        id=person.telegram_id,
        role=_role_name(_, person.role),
    )
    buttons = [
        InlineKeyboardButton(_(label), callback_data=SetRole(person.telegram_id, role).pack())
        for label, role in _ROLE_BUTTONS.get(person.role, ())
    ]
    back = InlineKeyboardButton(_("« Back to the list"), callback_data=StaffPage(0).pack())
    return text, InlineKeyboardMarkup([buttons, [back]])


async def _staff(context: BotContext) -> list[Person]:
    async with context.session() as session:
        return await service.list_people(session, [Role.ADMIN, Role.STAFF])


@admin_only
async def staff_command(update: Update, context: BotContext) -> None:
    """List staff and admins, each with a button to their card."""
    text, markup = _staff_page(context.gettext, await _staff(context), 0)
    await reply(update, context, text, markup)


@admin_only
async def staff_page(update: Update, context: BotContext, pressed: StaffPage) -> None:
    """Another page of the list (or back to it from a card)."""
    text, markup = _staff_page(context.gettext, await _staff(context), pressed.page)
    await edit_or_reply(update, context, text, markup)


async def _known_person(update: Update, context: BotContext, telegram_id: int) -> Person | None:
    """The person a button names; an alert if nobody by that id ever wrote to the bot."""
    async with context.session() as session:
        person = await service.get_person(session, telegram_id)
    if person is None:
        await toast(update, context.gettext("That person is not known."), alert=True)
    return person


@admin_only
async def person_card(update: Update, context: BotContext, pressed: PersonCard) -> None:
    """Show a person's card in place of the list."""
    if (target := await _known_person(update, context, pressed.telegram_id)) is None:
        return
    text, markup = _person_card(context.gettext, target)
    await edit_or_reply(update, context, text, markup)


@admin_only
async def role_pressed(update: Update, context: BotContext, pressed: SetRole) -> None:
    """A role button of a card: change the role, say how it went, show the card as it is now."""
    if (target := await _known_person(update, context, pressed.telegram_id)) is None:
        return
    answer, target = await _change_role(context, target, pressed.role)
    await toast(update, answer, alert=True)
    text, markup = _person_card(context.gettext, target)
    assert update.callback_query is not None
    await edit_query_message(update.callback_query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


# --- role changes --------------------------------------------------------------------------------


async def _change_role(context: BotContext, target: Person, role: Role) -> tuple[str, Person]:
    """Change a role on behalf of the current admin: the answer to show (plain text), the updated person."""
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        target = await session.merge(target)
        acting = await session.merge(context.person)
        outcome = await service.change_role(
            session, target, role, acting=acting, admin_ids=context.settings.admin_ids
        )
    if outcome == service.RoleChange.DONE:
        await publish_person_menu(context.bot, context.bot_data.menus, target.telegram_id, target.role)
    return _(_ROLE_CHANGE_ANSWERS[outcome], name=target.display_name, role=_role_name(_, role)), target


async def _named_person(context: BotContext) -> Person:
    """The person named after a role command, by Telegram id or @username."""
    if not context.args:
        raise UsageError(
            N_("Tell me who: a Telegram id or @username, for example: {example}"), example="@xiaoli"
        )
    async with context.session() as session:
        person = await service.find_person(session, context.args[0])
    if person is None:
        raise UsageError(N_("I don't know {who}. They must write to me first."), who=context.args[0])
    return person


def _role_command(role: Role) -> Callable[[Update, BotContext], Awaitable[None]]:
    """/promote, /demote or /removestaff: give ``role`` to the person named after the command."""

    @admin_only
    @usage_errors
    async def command(update: Update, context: BotContext) -> None:
        answer, _target = await _change_role(context, await _named_person(context), role)
        await reply(update, context, answer, parse_mode=None)

    return command


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """/staff and its buttons, and the role commands."""
    return [
        CommandHandler("staff", staff_command, filters.ChatType.PRIVATE),
        on_button(StaffPage, staff_page),
        on_button(PersonCard, person_card),
        on_button(SetRole, role_pressed),
        CommandHandler("promote", _role_command(Role.ADMIN)),
        CommandHandler("demote", _role_command(Role.STAFF)),
        CommandHandler("removestaff", _role_command(Role.SEEKER)),
    ]
