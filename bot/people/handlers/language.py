"""/lang: choose the interface language; staff and admins get their command menu in it."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import BotContext
from bot.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.menus import publish_person_menu
from bot.people import service
from bot.people.buttons import ChooseLanguage
from bot.people.models import Role
from bot.replies import edit_or_reply, on_button, reply


async def lang_command(update: Update, context: BotContext) -> None:
    """Offer the interface languages, the current one ticked."""
    row = [
        InlineKeyboardButton(
            ("✓ " if code == context.language else "") + LANGUAGE_NAMES[code],
            callback_data=ChooseLanguage(code).pack(),
        )
        for code in SUPPORTED_LANGUAGES
    ]
    await reply(update, context, context.gettext("Choose your language:"), InlineKeyboardMarkup([row]))


async def language_chosen(update: Update, context: BotContext, pressed: ChooseLanguage) -> None:
    """Store the chosen language and confirm in it."""
    if pressed.language not in SUPPORTED_LANGUAGES or context.person is None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        return
    async with context.session() as session:
        person = await service.set_language(session, context.person, pressed.language)
    context.person = person
    confirmed = (
        context.gettext("Language set to English.") if person.language == "en" else "已切换为简体中文。"
    )
    await edit_or_reply(update, context, confirmed)
    if person.role != Role.SEEKER:
        await publish_person_menu(context.bot, context.bot_data.menus, person.telegram_id, person.role)


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    """/lang and its buttons."""
    return [CommandHandler("lang", lang_command), on_button(ChooseLanguage, language_chosen)]
