"""Writing a notice: ``/notice <text>``, or ``/notice`` and then any message; typing a draft's send time.

Both waits are states of one conversation: ``/notice`` waits for the content, ⏰ Choose a send time waits for
the time. ✖ Cancel (the button, or the ``CANCEL`` words) stops waiting.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.conversations import CANCEL, cancel_label, conversation
from bot.delivery.payload import Payload, PayloadKind
from bot.notices import service
from bot.notices.buttons import CancelWriting, ChooseTime
from bot.notices.handlers.common import pressed_draft
from bot.notices.handlers.panel import show_draft
from bot.notices.models import NoticeState
from bot.replies import edit_or_reply, on_button, reply

CONTENT, SEND_TIME = "content", "send_time"
#: ``user_data`` key: the draft whose send time is awaited.
TIMED_NOTICE = "notice_send_time_of"
#: Anything the admin sends in a private chat that is not a command or a cancel: a text, a file, a forward.
_ANSWER = filters.ChatType.PRIVATE & ~filters.COMMAND & ~CANCEL


def payload_from_message(message: Message) -> Payload:
    """What an admin wrote or forwarded, as a delivery payload (formatting kept)."""
    if message.text:
        return Payload(text=message.text, entities=tuple(e.to_dict() for e in message.entities))
    caption = message.caption or ""
    entities = tuple(e.to_dict() for e in message.caption_entities)
    media: tuple[PayloadKind, str] | None = None
    if message.animation:
        media = (PayloadKind.ANIMATION, message.animation.file_id)
    elif message.photo:
        media = (PayloadKind.PHOTO, message.photo[-1].file_id)
    elif message.document:
        media = (PayloadKind.DOCUMENT, message.document.file_id)
    elif message.voice:
        media = (PayloadKind.VOICE, message.voice.file_id)
    elif message.video:
        media = (PayloadKind.VIDEO, message.video.file_id)
    elif message.audio:
        media = (PayloadKind.AUDIO, message.audio.file_id)
    if media is not None:
        return Payload(kind=media[0], file_id=media[1], text=caption, entities=entities)
    return Payload(kind=PayloadKind.COPY, from_chat_id=message.chat_id, message_id=message.message_id)


def _text_after_command(text: str) -> str:
    """``/notice 明天培训`` → ``明天培训``; also when the notice starts on the line after the command."""
    after = text.partition(" ")[2].strip()
    if "\n" in text and not after:
        after = text.partition("\n")[2].strip()
    return after


async def _start_draft(update: Update, context: BotContext, payload: Payload) -> None:
    assert context.person is not None
    async with context.session() as session:
        notice = await service.create_draft(session, context.person, payload)
    await show_draft(update, context, notice)


@admin_only
async def notice_command(update: Update, context: BotContext) -> object:
    """Start a notice: ``/notice <text>``, or ``/notice`` and then any message."""
    _ = context.gettext
    message = update.effective_message
    assert message is not None
    _user_data(context).pop(TIMED_NOTICE, None)
    text = _text_after_command(message.text or "")
    if text:
        await _start_draft(update, context, Payload(text=text))
        return ConversationHandler.END
    await reply(
        update,
        context,
        _(
            "Send me the notice now: a text, photo, document or voice message — or forward one. "
            "You choose who gets it next."
        ),
        InlineKeyboardMarkup([[InlineKeyboardButton(cancel_label(_), callback_data=CancelWriting().pack())]]),
    )
    return CONTENT


@admin_only
async def content_received(update: Update, context: BotContext) -> object:
    """The content of a new notice: its draft panel comes next."""
    message = update.effective_message
    assert message is not None
    try:
        payload = payload_from_message(message)
    except ValueError:
        await reply(
            update,
            context,
            context.gettext("That message is empty. Send the notice as text, a photo, a file or voice."),
        )
        return CONTENT
    await _start_draft(update, context, payload)
    return ConversationHandler.END


async def ask_send_time(update: Update, context: BotContext, pressed: ChooseTime) -> object:
    """⏰ Choose a send time: wait for the admin to type it."""
    notice = await pressed_draft(update, context, pressed.notice_id)
    if notice is None:
        return None
    _user_data(context)[TIMED_NOTICE] = notice.id
    await reply(
        update,
        context,
        context.gettext(
            "When should it go out? Write a time like 18:30, 明天 9:00 or 2026-12-01 09:00 (time zone {tz}).",
            tz=context.settings.timezone,
        ),
    )
    return SEND_TIME


@admin_only
async def send_time_received(update: Update, context: BotContext) -> object:
    """The typed send time of a draft; a new panel shows it. A time the bot cannot use is asked again."""
    message = update.effective_message
    assert message is not None
    notice_id = _user_data(context).get(TIMED_NOTICE)
    moment = service.parse_send_time(message.text or "", now=utcnow(), tz=context.settings.tz)
    async with context.session() as session:
        notice = await service.get_notice(session, notice_id) if isinstance(notice_id, int) else None
        if notice is None or notice.state != NoticeState.DRAFT:
            _user_data(context).pop(TIMED_NOTICE, None)
            return ConversationHandler.END
        if moment is None or service.check_send_at(moment, utcnow()) is not None:
            await reply(
                update,
                context,
                context.gettext(
                    "I could not use that time. Write it like 18:30, 明天 9:00 or 2026-12-01 09:00 (within 60 days)."
                ),
            )
            return SEND_TIME
        notice = await service.set_options(session, notice, send_at=moment)
    _user_data(context).pop(TIMED_NOTICE, None)
    await show_draft(update, context, notice)
    return ConversationHandler.END


@admin_only
async def cancelled(update: Update, context: BotContext) -> object:
    """✖ Cancel typed (or /cancel): waiting for a send time shows the draft again; a new notice is dropped."""
    notice_id = _user_data(context).pop(TIMED_NOTICE, None)
    async with context.session() as session:
        notice = await service.get_notice(session, notice_id) if isinstance(notice_id, int) else None
    if notice is not None and notice.state == NoticeState.DRAFT:
        await show_draft(update, context, notice)
    else:
        await reply(update, context, context.gettext("Cancelled. Send /notice to start again."))
    return ConversationHandler.END


async def cancel_writing(update: Update, context: BotContext, pressed: CancelWriting) -> object:
    """The ✖ Cancel button under "send me the notice now"."""
    _user_data(context).pop(TIMED_NOTICE, None)
    await edit_or_reply(update, context, context.gettext("Cancelled. Send /notice to start again."))
    return ConversationHandler.END


def _user_data(context: BotContext) -> dict[Any, Any]:
    assert context.user_data is not None
    return context.user_data


def handlers() -> list[BaseHandler[Update, BotContext, Any]]:
    """The conversation that waits for a notice's content or send time, then ✖ Cancel pressed too late."""
    private = filters.ChatType.PRIVATE
    return [
        conversation(
            name="notice_draft",
            entry_points=[
                CommandHandler("notice", notice_command, private),
                on_button(ChooseTime, admin_only(ask_send_time)),
            ],
            states={
                CONTENT: [MessageHandler(_ANSWER, content_received)],
                SEND_TIME: [MessageHandler(_ANSWER, send_time_received)],
            },
            fallbacks=[
                MessageHandler(private & CANCEL, cancelled),
                on_button(CancelWriting, admin_only(cancel_writing)),
            ],
        ),
        # Pressed while nothing is awaited (after a restart, or under an old prompt): it still says so.
        on_button(CancelWriting, admin_only(cancel_writing)),
    ]
