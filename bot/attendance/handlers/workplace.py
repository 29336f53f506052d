"""The workplace for check-in: /workplace asks for its location (the location conversation, ``location.py``);
/workplace 300 sets the distance, /workplace on | off the check."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update
from telegram.ext import ConversationHandler

from bot.access import admin_only, has_role
from bot.attendance import arguments, service
from bot.attendance.handlers.checkin import location_message
from bot.attendance.handlers.common import Awaiting, Next, location_keyboard
from bot.context import BotContext
from bot.people.models import Role
from bot.replies import reply, usage_errors


@admin_only
@usage_errors
async def workplace_command(update: Update, context: BotContext) -> Next:
    """/workplace: share the workplace location; /workplace 300 sets the distance; on / off."""
    _ = context.gettext
    arg = (context.args or [""])[0].lower()
    async with context.session() as session:
        config = await service.get_config(session)
        if arg.isdecimal():
            radius = arguments.radius(arg)
            await service.set_radius(session, radius)
            text = _("Check-in now needs to be within {radius} m of the workplace.", radius=radius)
            await reply(update, context, text)
            return ConversationHandler.END
        if arg in ("off", "on"):
            config = await service.set_require_location(session, arg == "on")
            if arg == "off" or config.require_location:
                state = _("on") if config.require_location else _("off")
                await reply(update, context, _("The location check at check-in is {state}.", state=state))
                return ConversationHandler.END
    if config.latitude is not None:
        state = _("on") if config.require_location else _("off")
        current = _(
            "The workplace is set; check-in must be within {radius} m of it; the check is {state}.",
            radius=config.radius_m,
            state=state,
        )
    else:
        current = _("The workplace is not set, so check-in does not need a location.")
    text = (
        current
        + "\n"
        + _(
            "To set the workplace, stand there and share your location with the button below. "
            "/workplace 300 sets the distance, /workplace off turns the check off."
        )
    )
    await reply(update, context, text, location_keyboard(_))
    return Awaiting.WORKPLACE_LOCATION


async def workplace_location(update: Update, context: BotContext) -> Next:
    """The location /workplace asked for (from someone no longer an admin: a check-in, as any other)."""
    message = update.effective_message
    assert message is not None and message.location is not None
    if not has_role(context, Role.ADMIN):
        return await location_message(update, context)
    async with context.session() as session:
        config = await service.set_workplace(session, message.location.latitude, message.location.longitude)
    _ = context.gettext
    text = _(
        "📍 Workplace saved. From now on check-in needs a shared location within {radius} m of it. "
        "Change the distance with /workplace 300, turn the check off with /workplace off.",
        radius=config.radius_m,
    )
    await reply(update, context, text, ReplyKeyboardRemove())
    return ConversationHandler.END
