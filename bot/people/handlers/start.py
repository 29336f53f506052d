"""/start and /help: a greeting by role with the commands of that role, or a staff invite to redeem."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext
from bot.i18n import N_
from bot.people import service
from bot.people.handlers.invites import redeem
from bot.people.models import Role
from bot.replies import reply

_INTRO = {
    Role.SEEKER: N_(
        "I am the assistant of the Xingzhan service station. Ask me about working here, or use the commands "
        "below."
    ),
    Role.STAFF: N_(
        "I help you during your shift: send me any question (typos, pinyin and traditional characters are "
        "fine) and I answer from the training notes."
    ),
    Role.ADMIN: N_("You are an admin. Your commands:"),
}


async def start(update: Update, context: BotContext) -> None:
    """Redeem a staff invite (``/start inv_…`` in a private chat), else greet like /help.

    Other capabilities' deep links (``/start job_…``) have handlers of their own, ahead of this one; any
    other payload is greeted as a plain /start.
    """
    payload = context.args[0] if context.args else ""
    chat = update.effective_chat
    if chat and chat.type == ChatType.PRIVATE and service.is_invite_code(payload):
        await redeem(update, context, payload)
        return
    await _introduce(update, context, greeting=True)


async def help_command(update: Update, context: BotContext) -> None:
    """What the bot can do for this person."""
    await _introduce(update, context, greeting=False)


async def _introduce(update: Update, context: BotContext, *, greeting: bool) -> None:
    """The commands of the person's role (of groups, in a group), after a hello when ``greeting``."""
    _ = context.gettext
    person = context.person
    menus = context.bot_data.menus
    if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
        lines = [_("Write to me privately for more. In groups:")]
        lines += [f"/{c.name} — {_(c.description)}" for c in menus.for_groups()]
        await reply(update, context, "\n".join(lines), parse_mode=None)
        return
    role = Role(person.role) if person else Role.SEEKER
    parts = []
    if greeting and person:
        parts.append(_("Hello, {name}!", name=person.first_name or person.display_name))
    parts.append(_(_INTRO[role]))
    parts.append("\n".join(f"/{c.name} — {_(c.description)}" for c in menus.for_private(role)))
    await reply(update, context, "\n\n".join(parts), parse_mode=None)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """/start and /help."""
    return [CommandHandler("start", start), CommandHandler("help", help_command)]
