"""Staff invites: an admin's /invite makes a one-time link; opening it (``/start inv_…``) makes staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.context import BotContext
from bot.i18n import N_
from bot.menus import publish_person_menu
from bot.people import service
from bot.replies import reply

_ANSWERS = {
    service.InviteOutcome.JOINED: N_(
        "Welcome to the team, {name}! You are now staff. Send /help to see what I can do."
    ),
    service.InviteOutcome.ALREADY_STAFF: N_("You are already staff; this invite was not used."),
    service.InviteOutcome.USED: N_("This invite link has already been used. Ask an admin for a new one."),
    service.InviteOutcome.EXPIRED: N_("This invite link has expired. Ask an admin for a new one."),
    service.InviteOutcome.UNKNOWN: N_("This invite link is not valid. Check that you opened the whole link."),
}


@admin_only
async def invite_command(update: Update, context: BotContext) -> None:
    """Create a one-time staff invite link: ``/invite [who it is for]``."""
    _ = context.gettext
    assert context.person
    note = " ".join(context.args or []) or None
    ttl = timedelta(hours=context.settings.invite_ttl_hours)
    async with context.session() as session:
        invite = await service.create_invite(session, context.person, ttl=ttl, note=note)
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    text = _(
        "New staff invite (one person, once), valid until {expires}:\n{link}\n\n"
        "Send it to the new employee privately; opening it makes them staff.",
        expires=invite.expires_at.astimezone(context.settings.tz).strftime("%Y-%m-%d %H:%M"),
        link=link,
    )
    await reply(update, context, text, parse_mode=None)


async def redeem(update: Update, context: BotContext, code: str) -> None:
    """``/start <invite code>``: make the person staff if the invite is still good, and say how it went."""
    assert context.person
    async with context.session() as session:
        person = await service.get_person(session, context.person.telegram_id)
        assert person is not None
        outcome = await service.redeem_invite(
            session, code, person, became_staff=context.bot_data.became_staff
        )
    context.person = person
    await reply(update, context, context.gettext(_ANSWERS[outcome], name=person.first_name), parse_mode=None)
    if outcome == service.InviteOutcome.JOINED:
        await publish_person_menu(context.bot, context.bot_data.menus, person.telegram_id, person.role)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """/invite (the links are redeemed by /start, see ``start.py``)."""
    return [CommandHandler("invite", invite_command, filters.ChatType.PRIVATE)]
