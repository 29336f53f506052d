"""Village groups: the bot joining, leaving and following a group; /village binds one, /groups lists them."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.access import admin_only
from bot.context import BotContext
from bot.i18n import N_
from bot.people import service
from bot.replies import reply, usage_errors
from bot.usage import UsageError

log = logging.getLogger(__name__)

_GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
_PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}
_VILLAGE_ERRORS = {
    service.VillageError.EMPTY: N_("Write the village name after the command, for example: /village 三合村"),
    service.VillageError.TOO_LONG: N_("That village name is too long (at most 64 characters)."),
}


def _is_member(member: ChatMember) -> bool:
    return member.status in _PRESENT or (
        member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
    )


def _membership_change(update: ChatMemberUpdated) -> tuple[bool, bool] | None:
    """(was a member, is a member) of the bot in a chat, or None if nothing changed."""
    before, after = _is_member(update.old_chat_member), _is_member(update.new_chat_member)
    return None if before == after else (before, after)


async def track_groups(update: Update, context: BotContext) -> None:
    """Record the bot being added to or removed from a group; say hello when added."""
    change = update.my_chat_member
    if change is None or change.chat.type not in _GROUP_TYPES:
        return
    moved = _membership_change(change)
    if moved is None:
        return
    _, joined = moved
    async with context.session() as session:
        group = await service.record_group(
            session,
            change.chat.id,
            title=change.chat.title or "",
            chat_type=change.chat.type,
            active=joined,
            by_telegram_id=change.from_user.id if change.from_user else None,
        )
    log.info("group %s (%s) %s", group.chat_id, group.title, "joined" if joined else "left")
    if joined:
        hello = context.gettext(
            "Hello everyone! I am the Xingzhan assistant. An admin can bind this group to its village with "
            "/village <village name>."
        )
        await reply(update, context, hello, parse_mode=None)


async def group_migrated(update: Update, context: BotContext) -> None:
    """Follow a group that became a supergroup."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.session() as session:
        await service.migrate_group(session, message.chat.id, message.migrate_to_chat_id)


@admin_only
@usage_errors
async def village_command(update: Update, context: BotContext) -> None:
    """Bind the current group to a village: ``/village 三合村``."""
    _ = context.gettext
    chat = update.effective_chat
    assert chat
    if chat.type not in _GROUP_TYPES:
        text = _("Send /village <name> inside the village group you want to bind.")
        await reply(update, context, text, parse_mode=None)
        return
    name = service.clean_village_name(" ".join(context.args or []))
    if isinstance(name, service.VillageError):
        raise UsageError(_VILLAGE_ERRORS[name])
    async with context.session() as session:
        group = await service.bind_village(
            session, chat.id, name, title=chat.title or "", chat_type=chat.type
        )
    text = _("This group is now bound to the village {village}.", village=group.village)
    await reply(update, context, text, parse_mode=None)


@admin_only
async def groups_command(update: Update, context: BotContext) -> None:
    """List the groups the bot is or was in, with their villages."""
    _ = context.gettext
    async with context.session() as session:
        groups = await service.list_groups(session)
    if not groups:
        text = _("I am not in any group yet. Add me to a village group, then send /village <name> there.")
        await reply(update, context, text, parse_mode=None)
        return
    active = sum(1 for g in groups if g.active)
    lines = [_("Groups: {active} active, {inactive} inactive", active=active, inactive=len(groups) - active)]
    for group in groups:
        village = html.escape(group.village) if group.village else _("(no village)")
        state = "" if group.active else " · " + _("inactive")
        lines.append(f"• <b>{village}</b> — {html.escape(group.title)}{state}")
    await reply(update, context, "\n".join(lines))


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """The bot's own membership of groups, group migrations, /village and /groups."""
    return [
        ChatMemberHandler(track_groups, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated),
        CommandHandler("village", village_command),
        CommandHandler("groups", groups_command, filters.ChatType.PRIVATE),
    ]
