"""Telegram glue for people: /start and deep links, /help, /lang, invites, staff, village groups."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import ChatMember, ChatMemberUpdated, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.access import admin_only
from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, N_, SUPPORTED_LANGUAGES, Translate
from bot.menus import publish_person_menu
from bot.people import service
from bot.people.models import Person, Role
from bot.replies import NOOP, answer_noop, edit_query_message, page_buttons

log = logging.getLogger(__name__)

IDENTIFY_GROUP = -10
SEEN_FLUSH_JOB = "people:flush-seen"
SEEN_FLUSH_SECONDS = 60
STAFF_PAGE_SIZE = 8
StartRoute = Callable[[Update, BotContext, str], Awaitable[Any]]


# --- who is writing ----------------------------------------------------------------------------


async def identify(update: Update, context: BotContext) -> None:
    """Record whoever sent the update and make them available as ``context.person``."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    profile = service.Profile(user.id, user.first_name, user.last_name, user.username, user.language_code)
    directory = context.bot_data.people
    assert directory is not None, "build_application() sets the people directory"
    person = await directory.identify(profile)
    context.person = person
    # Staff and admins get their role's menu the first time this process sees them, so that menus follow
    # new releases; role changes publish it again right away.
    menus = context.bot_data.menus
    if person.role != Role.SEEKER and menus is not None and context.application.running:
        menus.first_sight(context.application, person.telegram_id, person.role)


def _local(context: BotContext, moment: Any) -> str:
    return moment.astimezone(context.settings.tz).strftime("%Y-%m-%d %H:%M")


def _role_name(_: Translate, role: str) -> str:
    return {Role.ADMIN: _("admin"), Role.STAFF: _("staff"), Role.SEEKER: _("job seeker")}.get(role, role)


# --- /start, /help, /lang ----------------------------------------------------------------------


def start_routes(context: BotContext) -> dict[str, StartRoute]:
    """Deep-link payload prefixes other capabilities answer (``job_`` → jobs, ...)."""
    return context.bot_data.services.setdefault("start_routes", {})


async def start(update: Update, context: BotContext) -> None:
    """Greet by role, or follow a deep link (staff invite, job posting, ...)."""
    payload = context.args[0] if context.args else ""
    if payload and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        if service.is_invite_code(payload):
            await _redeem(update, context, payload)
            return
        for prefix, route in start_routes(context).items():
            if payload.startswith(prefix):
                await route(update, context, payload)
                return
    await help_command(update, context, greeting=True)


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


async def help_command(update: Update, context: BotContext, *, greeting: bool = False) -> None:
    """What the bot can do for this person, built from the command menu of their role."""
    _ = context.gettext
    person = context.person
    message = update.effective_message
    if message is None:
        return
    menus = context.bot_data.menus
    if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
        commands = menus.for_groups() if menus else []
        lines = [_("Write to me privately for more. In groups:")]
        lines += [f"/{c.name} — {_(c.description)}" for c in commands]
        await message.reply_text("\n".join(lines))
        return
    role = Role(person.role) if person else Role.SEEKER
    parts = []
    if greeting and person:
        parts.append(_("Hello, {name}!", name=person.first_name or person.display_name))
    parts.append(_(_INTRO[role]))
    commands = menus.for_private(role) if menus else []
    parts.append("\n".join(f"/{c.name} — {_(c.description)}" for c in commands))
    await message.reply_text("\n\n".join(parts))


async def lang_command(update: Update, context: BotContext) -> None:
    """Offer the interface languages."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == context.language else "") + LANGUAGE_NAMES[code], callback_data=f"lang:{code}"
        )
        for code in SUPPORTED_LANGUAGES
    ]
    if update.effective_message:
        await update.effective_message.reply_text(
            context.gettext("Choose your language:"), reply_markup=InlineKeyboardMarkup([buttons])
        )


async def lang_chosen(update: Update, context: BotContext) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    assert query and query.data
    code = query.data.split(":", 1)[1]
    if code not in SUPPORTED_LANGUAGES or context.person is None:
        await query.answer()
        return
    async with context.session() as session:
        context.person = await service.set_language(session, context.person, code)
    await query.answer()
    await query.edit_message_text(
        context.gettext("Language set to English.") if code == "en" else "已切换为简体中文。"
    )
    menus = context.bot_data.menus
    if menus and context.person.role != Role.SEEKER:
        await publish_person_menu(context.bot, menus, context.person.telegram_id, context.person.role)


# --- invites -----------------------------------------------------------------------------------


@admin_only
async def invite_command(update: Update, context: BotContext) -> None:
    """Create a one-time staff invite link."""
    _ = context.gettext
    assert context.person and update.effective_message
    note = " ".join(context.args or []) or None
    ttl = timedelta(hours=context.settings.invite_ttl_hours)
    async with context.session() as session:
        invite = await service.create_invite(session, context.person, ttl=ttl, note=note)
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    text = _(
        "New staff invite (one person, once), valid until {expires}:\n{link}\n\n"
        "Send it to the new employee privately; opening it makes them staff.",
        expires=_local(context, invite.expires_at),
        link=link,
    )
    await update.effective_message.reply_text(text, disable_web_page_preview=True)


_INVITE_ANSWERS = {
    service.InviteOutcome.JOINED: N_(
        "Welcome to the team, {name}! You are now staff. Send /help to see what I can do."
    ),
    service.InviteOutcome.ALREADY_STAFF: N_("You are already staff; this invite was not used."),
    service.InviteOutcome.USED: N_("This invite link has already been used. Ask an admin for a new one."),
    service.InviteOutcome.EXPIRED: N_("This invite link has expired. Ask an admin for a new one."),
    service.InviteOutcome.UNKNOWN: N_("This invite link is not valid. Check that you opened the whole link."),
}


async def _redeem(update: Update, context: BotContext, code: str) -> None:
    assert context.person and update.effective_message
    async with context.session() as session:
        person = await service.get_person(session, context.person.telegram_id)
        assert person is not None
        outcome = await service.redeem_invite(session, code, person)
    context.person = person
    await update.effective_message.reply_text(
        context.gettext(_INVITE_ANSWERS[outcome], name=person.first_name)
    )
    if outcome == service.InviteOutcome.JOINED and context.bot_data.menus:
        await publish_person_menu(context.bot, context.bot_data.menus, person.telegram_id, person.role)


# --- staff and admins --------------------------------------------------------------------------


def _staff_page(_: Translate, people: list[Person], page: int) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(people) // STAFF_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = people[page * STAFF_PAGE_SIZE : (page + 1) * STAFF_PAGE_SIZE]
    admins = sum(1 for p in people if p.role == Role.ADMIN)
    header = _("Staff: {staff} · admins: {admins}", staff=len(people) - admins, admins=admins)
    lines = [header]
    for person in shown:
        badge = "⭐ " if person.role == Role.ADMIN else ""
        username = f" @{person.username}" if person.username else ""
        lines.append(
            f"{badge}{html.escape(person.display_name)}{username} · <code>{person.telegram_id}</code>"
        )
    rows = [
        [InlineKeyboardButton(p.display_name[:40], callback_data=f"ppl:card:{p.telegram_id}")] for p in shown
    ]
    if nav := page_buttons(page, pages, lambda n: f"ppl:page:{n}"):
        rows.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@admin_only
async def staff_command(update: Update, context: BotContext) -> None:
    """List staff and admins, each with a button to manage them."""
    assert update.effective_message
    async with context.session() as session:
        people = await service.list_people(session, [Role.ADMIN, Role.STAFF])
    text, markup = _staff_page(context.gettext, people, 0)
    await update.effective_message.reply_text(text, reply_markup=markup, parse_mode=ParseMode.HTML)


def _person_card(_: Translate, person: Person) -> tuple[str, InlineKeyboardMarkup]:
    username = f" @{person.username}" if person.username else ""
    text = _(
        "{name}{username}\nTelegram id: {id}\nRole: {role}",
        name=person.display_name,
        username=username,
        id=person.telegram_id,
        role=_role_name(_, person.role),
    )
    buttons = []
    if person.role == Role.STAFF:
        buttons.append(
            InlineKeyboardButton(_("Make admin"), callback_data=f"ppl:role:{person.telegram_id}:admin")
        )
        buttons.append(
            InlineKeyboardButton(
                _("Remove from staff"), callback_data=f"ppl:role:{person.telegram_id}:seeker"
            )
        )
    elif person.role == Role.ADMIN:
        buttons.append(
            InlineKeyboardButton(
                _("Remove admin rights"), callback_data=f"ppl:role:{person.telegram_id}:staff"
            )
        )
    elif person.role == Role.SEEKER:
        buttons.append(
            InlineKeyboardButton(_("Make staff"), callback_data=f"ppl:role:{person.telegram_id}:staff")
        )
    rows = [buttons, [InlineKeyboardButton(_("« Back to the list"), callback_data="ppl:page:0")]]
    return text, InlineKeyboardMarkup(rows)


_ROLE_CHANGE_ANSWERS = {
    service.RoleChange.DONE: N_("Done: {name} is now {role}."),
    service.RoleChange.UNCHANGED: N_("{name} already is {role}."),
    service.RoleChange.PROTECTED: N_(
        "{name} is an admin by the ADMIN_IDS setting; change that setting instead."
    ),
    service.RoleChange.SELF: N_("You cannot remove your own admin rights; ask another admin."),
}


async def _change_role(context: BotContext, target: Person, role: Role) -> tuple[str, Person]:
    """Change a role on behalf of the current admin; returns the answer to show and the updated person."""
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        target = await session.merge(target)
        acting = await session.merge(context.person)
        outcome = await service.change_role(
            session, target, role, acting=acting, admin_ids=context.settings.admin_ids
        )
    if outcome == service.RoleChange.DONE and context.bot_data.menus:
        await publish_person_menu(context.bot, context.bot_data.menus, target.telegram_id, target.role)
    return _(_ROLE_CHANGE_ANSWERS[outcome], name=target.display_name, role=_role_name(_, role)), target


@admin_only
async def people_button(update: Update, context: BotContext) -> None:
    """Pages of the staff list, a person's card and role changes from it."""
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    parts = query.data.split(":")
    if parts[1] == "page":
        async with context.session() as session:
            people = await service.list_people(session, [Role.ADMIN, Role.STAFF])
        text, markup = _staff_page(_, people, int(parts[2]))
        await query.answer()
        await edit_query_message(query, text, reply_markup=markup, parse_mode=ParseMode.HTML)
        return
    async with context.session() as session:
        target = await service.get_person(session, int(parts[2]))
    if target is None:
        await query.answer(_("That person is not known."), show_alert=True)
        return
    if parts[1] == "role":
        answer, target = await _change_role(context, target, Role(parts[3]))
        await query.answer(answer, show_alert=True)
    else:
        await query.answer()
    text, markup = _person_card(_, target)
    await edit_query_message(query, text, reply_markup=markup)


def _role_command(role: Role) -> Callable[[Update, BotContext], Awaitable[None]]:
    @admin_only
    async def command(update: Update, context: BotContext) -> None:
        _ = context.gettext
        assert update.effective_message
        if not context.args:
            await update.effective_message.reply_text(
                _("Tell me who: a Telegram id or @username, for example: {example}", example="@xiaoli")
            )
            return
        async with context.session() as session:
            target = await service.find_person(session, context.args[0])
        if target is None:
            await update.effective_message.reply_text(
                _("I don't know {who}. They must write to me first.", who=context.args[0])
            )
            return
        answer, _target = await _change_role(context, target, role)
        await update.effective_message.reply_text(answer)

    return command


# --- village groups ----------------------------------------------------------------------------


def _membership_change(update: ChatMemberUpdated) -> tuple[bool, bool] | None:
    """(was a member, is a member) of the bot in a chat, or None if nothing changed."""
    present = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}

    def is_member(member: ChatMember) -> bool:
        return member.status in present or (
            member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
        )

    before, after = is_member(update.old_chat_member), is_member(update.new_chat_member)
    return None if before == after else (before, after)


async def track_groups(update: Update, context: BotContext) -> None:
    """Record the bot being added to or removed from a group."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
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
        _ = context.gettext
        await context.bot.send_message(
            change.chat.id,
            _(
                "Hello everyone! I am the Xingzhan assistant. An admin can bind this group to its village with "
                "/village <village name>."
            ),
        )


async def group_migrated(update: Update, context: BotContext) -> None:
    """Follow a group that became a supergroup."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.session() as session:
        await service.migrate_group(session, message.chat.id, message.migrate_to_chat_id)


_VILLAGE_ERRORS = {
    service.VillageError.EMPTY: N_("Write the village name after the command, for example: /village 三合村"),
    service.VillageError.TOO_LONG: N_("That village name is too long (at most 64 characters)."),
}


@admin_only
async def village_command(update: Update, context: BotContext) -> None:
    """Bind the current group to a village: ``/village 三合村``."""
    _ = context.gettext
    message, chat = update.effective_message, update.effective_chat
    assert message and chat
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await message.reply_text(_("Send /village <name> inside the village group you want to bind."))
        return
    name = service.clean_village_name(" ".join(context.args or []))
    if isinstance(name, service.VillageError):
        await message.reply_text(_(_VILLAGE_ERRORS[name]))
        return
    async with context.session() as session:
        group = await service.bind_village(
            session, chat.id, name, title=chat.title or "", chat_type=chat.type
        )
    await message.reply_text(_("This group is now bound to the village {village}.", village=group.village))


@admin_only
async def groups_command(update: Update, context: BotContext) -> None:
    """List the groups the bot is or was in, with their villages."""
    _ = context.gettext
    assert update.effective_message
    async with context.session() as session:
        groups = await service.list_groups(session)
    if not groups:
        await update.effective_message.reply_text(
            _("I am not in any group yet. Add me to a village group, then send /village <name> there.")
        )
        return
    active = sum(1 for g in groups if g.active)
    lines = [_("Groups: {active} active, {inactive} inactive", active=active, inactive=len(groups) - active)]
    for group in groups:
        village = html.escape(group.village) if group.village else _("(no village)")
        state = "" if group.active else " · " + _("inactive")
        lines.append(f"• <b>{village}</b> — {html.escape(group.title)}{state}")
    await update.effective_message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)


# --- wiring ------------------------------------------------------------------------------------


async def flush_seen_job(context: BotContext) -> None:
    """Write down when people were last seen (gathered in memory between runs)."""
    if context.bot_data.people is not None:
        await context.bot_data.people.flush_seen()


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the people handlers and menu entries."""
    app.add_handler(TypeHandler(Update, identify), group=IDENTIFY_GROUP)
    if app.job_queue is not None:
        app.job_queue.run_repeating(flush_seen_job, interval=SEEN_FLUSH_SECONDS, name=SEEN_FLUSH_JOB)
    app.add_handler(ChatMemberHandler(track_groups, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated))
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("lang", lang_command))
    app.add_handler(CallbackQueryHandler(lang_chosen, pattern=r"^lang:"))
    app.add_handler(CommandHandler("invite", invite_command, filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("staff", staff_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(people_button, pattern=r"^ppl:"))
    app.add_handler(CallbackQueryHandler(answer_noop, pattern=f"^{NOOP}$"))
    app.add_handler(CommandHandler("promote", _role_command(Role.ADMIN)))
    app.add_handler(CommandHandler("demote", _role_command(Role.STAFF)))
    app.add_handler(CommandHandler("removestaff", _role_command(Role.SEEKER)))
    app.add_handler(CommandHandler("village", village_command))
    app.add_handler(CommandHandler("groups", groups_command, filters.ChatType.PRIVATE))

    menus = app.bot_data.menus
    if menus is not None:
        menus.add("start", N_("Start"), order=0)
        menus.add("help", N_("What I can do"), order=1, group=True)
        menus.add("lang", N_("Language: 中文 / English"), order=90)
        menus.add("invite", N_("Create a staff invite link"), roles=[Role.ADMIN], order=60)
        menus.add("staff", N_("Staff and admins"), roles=[Role.ADMIN], order=61)
        menus.add("groups", N_("Village groups"), roles=[Role.ADMIN], order=62)
