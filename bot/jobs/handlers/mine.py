"""A job seeker's own things: ``/myapplications`` (and withdrawing), ``/jobalerts``, ``/forgetme``."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.jobs import render, service
from bot.jobs.buttons import AlertsMenu, ForgetMe, MyApplications, Subscribe, Unsubscribe, Withdraw
from bot.jobs.handlers.application_form import FORM_KEY
from bot.jobs.models import ApplicationStatus
from bot.replies import edit_or_reply, edit_query_message, on_button, reply, toast

# --- their applications ----------------------------------------------------------------------------


async def _my_applications(context: BotContext) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        mine = await service.applications_of(session, context.person)
    if not mine:
        return _("You have not applied for any job yet. See the open jobs: /jobs"), None
    tz = context.settings.tz
    lines = [_("Your applications:")]
    rows = []
    for application, posting in mine:
        status = ApplicationStatus(application.status)
        when = application.updated_at.astimezone(tz).strftime("%m-%d")
        lines.append(f"• <b>{render.esc(posting.title)}</b> — {_(render.SEEKER_STATUS[status])} ({when})")
        if status in service.ACTIVE_STATUSES:
            label = _("↩️ Withdraw: {title}", title=posting.title)[:60]
            rows.append([InlineKeyboardButton(label, callback_data=Withdraw(application.id).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def myapplications_command(update: Update, context: BotContext) -> None:
    """``/myapplications``: the person's own applications and where they stand."""
    await reply(update, context, *await _my_applications(context))


async def my_applications(update: Update, context: BotContext, _pressed: MyApplications) -> None:
    await edit_or_reply(update, context, *await _my_applications(context))


async def withdraw(update: Update, context: BotContext, pressed: Withdraw) -> None:
    """↩️ Withdraw: ask, then take the application back (only one's own, only while it is in play)."""
    query = update.callback_query
    assert query and context.person
    _ = context.gettext
    async with context.session() as session:
        application = await service.own_application(session, pressed.application_id, context.person)
        if application is None:
            await toast(update, _("This is not one of your applications."), alert=True)
            return
        posting = await service.get_posting(session, application.posting_id)
        assert posting is not None
        if not pressed.confirmed:
            buttons = [
                [
                    InlineKeyboardButton(
                        _("Yes, withdraw"), callback_data=Withdraw(application.id, True).pack()
                    )
                ],
                [InlineKeyboardButton(_("No, keep it"), callback_data=MyApplications().pack())],
            ]
            text = _("Withdraw your application for {title}?", title=render.esc(posting.title))
            await edit_or_reply(update, context, text, InlineKeyboardMarkup(buttons))
            return
        done = await service.withdraw(session, application)
    await toast(update, _("Withdrawn.") if done else _("It can no longer be withdrawn."))
    text, markup = await _my_applications(context)
    await edit_query_message(query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


# --- alerts for new postings -----------------------------------------------------------------------


async def _alerts_menu(context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.gettext
    assert context.person
    async with context.session() as session:
        subscription = await service.get_subscription(session, context.person)
        groups = await service.village_groups(session)
    if subscription is None:
        current = _("You get no alerts for new jobs.")
    elif subscription.village is None:
        current = _("You get alerts for new jobs in every village.")
    else:
        current = _("You get alerts for new jobs in {village}.", village=render.esc(subscription.village))
    rows = []
    seen: set[str] = set()
    for group in groups:
        if group.village and group.village not in seen:
            seen.add(group.village)
            data = Subscribe(group.id).pack()
            rows.append([InlineKeyboardButton("🏘 " + group.village, callback_data=data)])
    rows.append([InlineKeyboardButton(_("🌏 Every village"), callback_data=Subscribe().pack())])
    if subscription is not None:
        rows.append([InlineKeyboardButton(_("🔕 No alerts"), callback_data=Unsubscribe().pack())])
    return current + "\n" + _("Which new jobs should I tell you about?"), InlineKeyboardMarkup(rows[-12:])


async def jobalerts_command(update: Update, context: BotContext) -> None:
    """``/jobalerts``: choose alerts for new postings (one village, every village, none)."""
    await reply(update, context, *await _alerts_menu(context))


async def alerts_menu(update: Update, context: BotContext, _pressed: AlertsMenu) -> None:
    await edit_or_reply(update, context, *await _alerts_menu(context))


async def subscribe(update: Update, context: BotContext, pressed: Subscribe) -> None:
    """Alerts for one village (the village of the pressed group) or for every village."""
    assert context.person
    _ = context.gettext
    async with context.session() as session:
        village = None
        if pressed.group_id is not None:
            groups = {group.id: group for group in await service.village_groups(session)}
            group = groups.get(pressed.group_id)
            if group is None or not group.village:
                await toast(update, _("That village group is no longer available."), alert=True)
                return
            village = group.village
        await service.subscribe(session, context.person, village)
    await _saved(update, context)


async def unsubscribe(update: Update, context: BotContext, _pressed: Unsubscribe) -> None:
    assert context.person
    async with context.session() as session:
        await service.unsubscribe(session, context.person)
    await _saved(update, context)


async def _saved(update: Update, context: BotContext) -> None:
    """Say the choice is saved, and show the menu as it is now."""
    assert update.callback_query
    await toast(update, context.gettext("Saved."))
    text, markup = await _alerts_menu(context)
    await edit_query_message(update.callback_query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


# --- forgetting ------------------------------------------------------------------------------------


async def forgetme_command(update: Update, context: BotContext) -> None:
    """``/forgetme``: ask before deleting the person's applications and alert choice."""
    _ = context.gettext
    buttons = [
        [InlineKeyboardButton(_("🗑 Yes, delete my data"), callback_data=ForgetMe(True).pack())],
        [InlineKeyboardButton(_("Keep it"), callback_data=ForgetMe(False).pack())],
    ]
    text = _(
        "This deletes your job applications (name, phone number, village, notes) and your job alerts. "
        "Recruiters will no longer see them. Delete?"
    )
    await reply(update, context, text, InlineKeyboardMarkup(buttons))


async def forget(update: Update, context: BotContext, pressed: ForgetMe) -> None:
    """The answer to ``/forgetme``."""
    assert context.person
    _ = context.gettext
    if not pressed.confirmed:
        await edit_or_reply(update, context, _("Nothing was deleted."))
        return
    async with context.session() as session:
        forgotten = await service.forget_person(session, context.person)
    context.user_data.pop(FORM_KEY, None)
    text = _(
        "Done: {count} applications and your job alerts are deleted. If you apply again, you fill in the "
        "form again.",
        count=forgotten.applications,
    )
    await edit_or_reply(update, context, text)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("myapplications", myapplications_command, private),
        CommandHandler("jobalerts", jobalerts_command, private),
        CommandHandler("forgetme", forgetme_command, private),
        on_button(MyApplications, my_applications),
        on_button(Withdraw, withdraw),
        on_button(AlertsMenu, alerts_menu),
        on_button(Subscribe, subscribe),
        on_button(Unsubscribe, unsubscribe),
        on_button(ForgetMe, forget),
    ]
