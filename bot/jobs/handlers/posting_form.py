"""Admins write a posting: ``/newjob`` asks field by field and saves a draft with its card; ✏️ Edit on a
card changes one field, and the copies already in village groups follow through the outbox.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.access import admin_only
from bot.context import BotContext
from bot.conversations import CANCEL, TEXT_ANSWER, cancel_label, conversation
from bot.i18n import N_
from bot.jobs import render, service
from bot.jobs.buttons import EditField, EditPosting, PostingCard
from bot.jobs.handlers.common import (
    FORM_TIMEOUT,
    POSTING_GONE,
    chat_id,
    edit_buttons,
    field_label,
    form_keyboard,
    input_error,
    refresh_copies,
)
from bot.jobs.handlers.postings import send_admin_card
from bot.jobs.models import PostingState
from bot.jobs.service import InputError, PostingField
from bot.replies import on_button, reply, toast

FILLING, EDITING = range(2)
STEPS = tuple(PostingField)
#: In ``context.user_data``: the answers so far (by field), and [posting id, field] of the field edited.
NEW_KEY, EDIT_KEY = "job_new", "job_edit"

PROMPTS = {
    PostingField.TITLE: N_("What is the job called? (2 to 40 characters, for example: 电商客服)"),
    PostingField.DESCRIPTION: N_(
        "Describe the work in a few lines: what people do, training, who it suits (up to 1000 characters)."
    ),
    PostingField.HEADCOUNT: N_("How many people do you need? (a number, for example: 3)"),
    PostingField.PAY: N_("What is the pay? (for example: 3000-4500元/月)"),
    PostingField.HOURS: N_("What are the hours or shifts? (for example: 早班 8:00-16:00，晚班 16:00-24:00)"),
    PostingField.LOCATION: N_("Where is the work? (for example: 平安区星站 2楼)"),
    PostingField.REQUIREMENTS: N_("Any requirements? (up to 300 characters, or tap Skip)"),
    PostingField.DEADLINE: N_(
        "Until which day can people apply? For example 2026-12-31, 12-31, 12月31日 or 明天; or tap No deadline."
    ),
}


async def _ask(
    update: Update,
    context: BotContext,
    step: PostingField,
    error: str | None = None,
    *,
    editing: bool = False,
) -> int:
    """Ask for one field (numbered while writing a new posting)."""
    _ = context.gettext
    question = _(PROMPTS[step])
    if not editing:
        question = f"{STEPS.index(step) + 1}/{len(STEPS)} " + question
    rows: list[list[str | KeyboardButton]] = []
    if step == PostingField.REQUIREMENTS:
        rows.append([_("Skip")])
    elif step == PostingField.DEADLINE:
        rows.append([_("Tomorrow"), _("No deadline")])
    rows.append([cancel_label(_)])
    keyboard = form_keyboard(rows, placeholder=field_label(_, step))
    text = f"{error}\n\n{question}" if error else question
    await context.bot.send_message(chat_id(update), text, reply_markup=keyboard)
    return EDITING if editing else FILLING


def _parse(context: BotContext, step: PostingField, raw: str) -> tuple[bool, Any, str | None]:
    """(ok, value, error text) for one field typed by an admin; the deadline becomes a closing moment."""
    _ = context.gettext
    text = raw
    if step == PostingField.REQUIREMENTS and raw.strip() == _("Skip"):
        text = "跳过"
    if step == PostingField.DEADLINE:
        if raw.strip() == _("No deadline"):
            return True, None, None
        if raw.strip() == _("Tomorrow"):
            text = "明天"
        tz = context.settings.tz
        day = service.parse_deadline(text, service.local_today(tz))
        if isinstance(day, InputError):
            return False, None, input_error(_, day)
        return True, None if day is None else service.closing_moment(day, tz), None
    result = service.check_posting_field(step, text)
    if isinstance(result, InputError):
        return False, None, input_error(_, result, rule=service.POSTING_RULES.get(step), text=raw)
    return True, result, None


# --- a new posting ---------------------------------------------------------------------------------


@admin_only
async def newjob_command(update: Update, context: BotContext) -> int:
    """``/newjob``: write a posting step by step; it is saved as a draft with a preview at the end."""
    _ = context.gettext
    context.user_data[NEW_KEY] = {}
    intro = N_("New job posting: {count} questions, then a preview. Nothing is sent before you publish.")
    await reply(update, context, _(intro, count=len(STEPS)))
    return await _ask(update, context, PostingField.TITLE)


async def posting_step(update: Update, context: BotContext) -> int:
    """One answer of the new posting; after the last, the draft and its card."""
    message = update.effective_message
    assert message and message.text is not None and context.person
    _ = context.gettext
    values: dict[str, Any] = context.user_data.setdefault(NEW_KEY, {})
    step = next((s for s in STEPS if s not in values), None)
    if step is None:
        return ConversationHandler.END
    ok, value, error = _parse(context, step, message.text)
    if not ok:
        return await _ask(update, context, step, error)
    values[step] = value
    following = STEPS.index(step) + 1
    if following < len(STEPS):
        return await _ask(update, context, STEPS[following])
    closes_at = values.pop(PostingField.DEADLINE)
    draft = service.PostingDraft(**values, closes_at=closes_at)
    async with context.session() as session:
        posting = await service.create_posting(session, context.person, draft)
    context.user_data.pop(NEW_KEY, None)
    assert posting.id is not None
    text = _("Saved as draft #{id}. This is how it will look:", id=posting.id)
    await reply(update, context, text, ReplyKeyboardRemove())
    await send_admin_card(update, context, posting.id)
    return ConversationHandler.END


# --- editing one field -----------------------------------------------------------------------------


@admin_only
async def edit_menu(update: Update, context: BotContext, pressed: EditPosting) -> None:
    """✏️ Edit on a card: the fields to choose from."""
    query = update.callback_query
    assert query
    _ = context.gettext
    async with context.session() as session:
        if await service.get_posting(session, pressed.posting_id) is None:
            await toast(update, _(POSTING_GONE), alert=True)
            return
    buttons = [
        InlineKeyboardButton(field_label(_, step), callback_data=EditField(pressed.posting_id, step).pack())
        for step in STEPS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=PostingCard(pressed.posting_id).pack())])
    await query.answer()
    await edit_buttons(update, InlineKeyboardMarkup(rows))


@admin_only
async def edit_field(update: Update, context: BotContext, pressed: EditField) -> int:
    """One field chosen: its value now, then the question."""
    query = update.callback_query
    assert query
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, pressed.posting_id)
    if posting is None:
        await toast(update, _(POSTING_GONE), alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data[EDIT_KEY] = [pressed.posting_id, pressed.field]
    if pressed.field == PostingField.DEADLINE:
        current = render.deadline_text(_, posting, context.settings.tz)
    else:
        current = str(getattr(posting, pressed.field.value) or "—")
    await context.bot.send_message(chat_id(update), _("Now: {value}", value=current))
    return await _ask(update, context, pressed.field, editing=True)


async def edit_value(update: Update, context: BotContext) -> int:
    """The new value; published copies are updated through the outbox."""
    message = update.effective_message
    assert message and message.text is not None
    _ = context.gettext
    target = context.user_data.get(EDIT_KEY)
    if target is None:
        return ConversationHandler.END
    posting_id, step = target[0], PostingField(target[1])
    ok, value, error = _parse(context, step, message.text)
    if not ok:
        return await _ask(update, context, step, error, editing=True)
    context.user_data.pop(EDIT_KEY, None)
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            await reply(update, context, _(POSTING_GONE), ReplyKeyboardRemove())
            return ConversationHandler.END
        await service.update_posting(session, posting, step, value)
        edited = await refresh_copies(context, session, posting) if posting.state != PostingState.DRAFT else 0
    note = _("Saved.")
    if edited:
        context.bot_data.sender.wake()
        note += " " + _("The copies in {count} village groups are being updated.", count=edited)
    await reply(update, context, note, ReplyKeyboardRemove())
    await send_admin_card(update, context, posting_id)
    return ConversationHandler.END


async def posting_cancel(update: Update, context: BotContext) -> int:
    """✖ Cancel (or /cancel): nothing is saved."""
    context.user_data.pop(NEW_KEY, None)
    context.user_data.pop(EDIT_KEY, None)
    await reply(update, context, context.gettext("Cancelled; nothing was saved."), ReplyKeyboardRemove())
    return ConversationHandler.END


def form() -> ConversationHandler[BotContext]:
    """The posting form: a new posting, or one field of an existing one."""
    return conversation(
        name="job_posting_form",
        entry_points=[
            CommandHandler("newjob", newjob_command, filters.ChatType.PRIVATE),
            on_button(EditField, edit_field),
        ],
        states={
            FILLING: [MessageHandler(TEXT_ANSWER, posting_step)],
            EDITING: [MessageHandler(TEXT_ANSWER, edit_value)],
        },
        fallbacks=[MessageHandler(CANCEL, posting_cancel)],
        timeout=FORM_TIMEOUT,
    )


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [form(), on_button(EditPosting, edit_menu)]
