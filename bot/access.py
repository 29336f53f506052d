"""The one place where roles are checked before a handler runs."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update

from bot.context import BotContext
from bot.i18n import N_
from bot.people.models import Role

#: A command's ``(update, context)`` or a button's ``(update, context, pressed)`` callback.
Handler = Callable[..., Awaitable[Any]]
H = TypeVar("H", bound=Handler)

_REFUSALS = {
    Role.ADMIN: N_("Sorry, only admins can do that."),
    Role.STAFF: N_("Sorry, this is for staff only. Ask an admin for an invite link."),
}


def has_role(context: BotContext, role: Role) -> bool:
    """Whether the current person holds ``role`` (admins hold every role)."""
    person = context.person
    if person is None:
        return False
    if person.role == Role.ADMIN:
        return True
    return role == Role.SEEKER or person.role == role


async def refuse(update: Update, context: BotContext, role: Role) -> None:
    """Tell the person, briefly, that they may not do this."""
    _ = context.gettext
    text = _(_REFUSALS[role])
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


def require(role: Role) -> Callable[[H], H]:
    """Decorator: run the handler only for people holding ``role``; refuse the rest.

    It fits commands and ``bot.replies.on_button`` callbacks alike: arguments after the context (the
    pressed button) are passed on.
    """

    def decorate(handler: H) -> H:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext, *args: Any) -> Any:
            if not has_role(context, role):
                await refuse(update, context, role)
                return None
            return await handler(update, context, *args)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


admin_only = require(Role.ADMIN)
staff_only = require(Role.STAFF)
