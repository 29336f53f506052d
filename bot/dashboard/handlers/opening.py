"""``/dashboard`` and the chat menu button: both open the Mini App, whose launch data signs the person in.

Only an inline button or the menu button carries Telegram's signed ``initData``; a keyboard button does not.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, Update, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import staff_only
from bot.context import BotContext
from bot.dashboard import service
from bot.i18n import N_, Translate, translator_for
from bot.replies import reply

log = logging.getLogger(__name__)

MENU_BUTTON = N_("Dashboard")


def _menu_button(url: str, _: Translate) -> MenuButtonWebApp:
    return MenuButtonWebApp(_(MENU_BUTTON), WebAppInfo(url))


@staff_only
async def dashboard_command(update: Update, context: BotContext) -> None:
    """A button that opens the dashboard; the chat's menu button opens it too from now on."""
    _ = context.gettext
    url = context.settings.webapp_url
    if not url:
        await reply(
            update, context, _("The dashboard is not set up on this bot; the chat commands work as usual.")
        )
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        await context.bot.set_chat_menu_button(chat.id, _menu_button(url, _))
    except TelegramError as exc:
        log.warning("could not set the dashboard menu button in chat %s: %s", chat.id, exc)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📊 Open the dashboard"), web_app=WebAppInfo(url))]]
    )
    await reply(update, context, _("Today's shifts, requests and questions at a glance:"), markup)


async def publish_menu_buttons(context: BotContext) -> None:
    """The dashboard's menu button in the private chat of every admin and staff member."""
    url = context.settings.webapp_url
    assert url, "scheduled only with WEBAPP_URL"
    async with context.session() as session:
        people = await service.people_with_access(session)
    known = {person.telegram_id for person in people}
    default_language = context.settings.default_language
    for person in people:
        button = _menu_button(url, translator_for(person, default_language))
        await _set_menu_button(context, person.telegram_id, button)
    default = translator_for(None, default_language)
    for telegram_id in context.settings.admin_ids - known:
        await _set_menu_button(context, telegram_id, _menu_button(url, default))


async def _set_menu_button(context: BotContext, chat_id: int, button: MenuButtonWebApp) -> None:
    try:
        await context.bot.set_chat_menu_button(chat_id, button)
    except TelegramError as exc:
        log.info("could not set the dashboard menu button in chat %s: %s", chat_id, exc)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [CommandHandler("dashboard", dashboard_command, filters.ChatType.PRIVATE)]
