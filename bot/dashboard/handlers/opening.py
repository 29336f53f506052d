"""``/dashboard`` and the chat menu button: both open the Mini App, whose launch data signs the person in.

Only an inline button or the menu button carries Telegram's signed ``initData``; a keyboard button does not.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import staff_only
from bot.context import BotContext
from bot.dashboard import service
from bot.i18n import N_, Translate
from bot.replies import reply

log = logging.getLogger(__name__)

MENU_BUTTON = N_("Dashboard")
#: Menu buttons set at start are remembered in batches of this many (a stop midway loses little).
REMEMBER_EVERY = 50


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
    button = _menu_button(url, _)
    if await _set_menu_button(context, chat.id, button):
        async with context.session() as session:
            await service.remember_menu_buttons(session, url, {chat.id: button.text})
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("📊 Open the dashboard"), web_app=WebAppInfo(url))]]
    )
    await reply(update, context, _("Today's shifts, requests and questions at a glance:"), markup)


async def publish_menu_buttons(context: BotContext) -> None:
    """The dashboard's menu button in the private chat of every admin and staff member, set only where it is
    not yet as it should be (the chats are remembered as they are set), and taken back from those who lost
    access since."""
    url = context.settings.webapp_url
    assert url, "scheduled only with WEBAPP_URL"
    async with context.session() as session:
        changes = await service.menu_button_changes(
            session, url, MENU_BUTTON, context.settings.default_language, context.settings.admin_ids
        )
    pending = list(changes.to_set.items())
    for start in range(0, len(pending), REMEMBER_EVERY):
        done = {
            chat_id: label
            for chat_id, label in pending[start : start + REMEMBER_EVERY]
            if await _set_menu_button(context, chat_id, MenuButtonWebApp(label, WebAppInfo(url)))
        }
        async with context.session() as session:
            await service.remember_menu_buttons(session, url, done)
    for chat_id in changes.to_reset:
        await _set_menu_button(context, chat_id, MenuButtonDefault())
    if changes.to_reset:  # forgotten even where Telegram refused: the dashboard refuses them anyway
        async with context.session() as session:
            await service.remember_menu_buttons(session, url, {}, reset=changes.to_reset)
    log.info("dashboard menu buttons: %d set, %d taken back", len(changes.to_set), len(changes.to_reset))


async def _set_menu_button(
    context: BotContext, chat_id: int, button: MenuButtonWebApp | MenuButtonDefault
) -> bool:
    try:
        return await context.bot.set_chat_menu_button(chat_id, button)
    except TelegramError as exc:
        log.info("could not set the dashboard menu button in chat %s: %s", chat_id, exc)
        return False


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [CommandHandler("dashboard", dashboard_command, filters.ChatType.PRIVATE)]
