"""What several knowledge flows share: who sees which notes, a note with its buttons (a long one a few
messages at a time), alerts, admin checks."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode

from bot.access import has_role, refuse
from bot.buttons import Button
from bot.context import BotContext
from bot.i18n import Translate
from bot.knowledge import alerts, service
from bot.knowledge.buttons import SCRIPT_BUTTONS, Rate, ReadMore, Script, ShowNote
from bot.knowledge.models import Feedback, Question
from bot.knowledge.notes import Note
from bot.knowledge.render import note_html, split_html
from bot.knowledge.search import Audience, SearchResult, worth_offering
from bot.people import service as people
from bot.people.models import Role

COPY_TEXT_LIMIT = 256
#: The most messages one answer takes; the rest of a longer note is behind a "Read more" button.
ANSWER_PARTS = 3
RELATED_LIMIT = 2
TITLE_LENGTH = 60

B = TypeVar("B", bound=Button)
R = TypeVar("R")


def audience(update: Update, context: BotContext) -> Audience:
    """Staff see every note in their own private chat with the bot; job seekers, and everyone anywhere else
    (a group, inline mode in someone else's chat), only public ones."""
    if not has_role(context, Role.STAFF):
        return "public"
    if update.inline_query is not None:  # typed in some chat: "sender" is the private chat with the bot
        return "staff" if update.inline_query.chat_type == ChatType.SENDER else "public"
    chat = update.effective_chat
    return "staff" if chat is not None and chat.type == ChatType.PRIVATE else "public"


def note_button(question_id: int, note: Note, prefix: str = "") -> list[InlineKeyboardButton]:
    """A row with one button that sends ``note`` (a suggestion, or a related note)."""
    data = ShowNote(question_id, service.note_key(note.id)).pack()
    return [InlineKeyboardButton(prefix + note.title[:TITLE_LENGTH], callback_data=data)]


def note_keyboard(
    _: Translate, note: Note, question_id: int, related: Sequence[Note] = (), *, rate: bool = True
) -> InlineKeyboardMarkup:
    """The buttons under a note sent for a question: 👍/👎 (with ``rate``), reply scripts, related notes."""
    rows: list[list[InlineKeyboardButton]] = []
    if rate:
        rows.append(
            [
                InlineKeyboardButton("👍", callback_data=Rate(question_id, Feedback.UP).pack()),
                InlineKeyboardButton("👎", callback_data=Rate(question_id, Feedback.DOWN).pack()),
            ]
        )
    for number, script in enumerate(note.scripts[:SCRIPT_BUTTONS], start=1):
        label = _("📋 Copy reply script") if len(note.scripts) == 1 else _("📋 Copy script {n}", n=number)
        if len(script) <= COPY_TEXT_LIMIT:
            rows.append([InlineKeyboardButton(label, copy_text=CopyTextButton(script))])
        else:
            data = Script(service.note_key(note.id), number - 1).pack()
            rows.append([InlineKeyboardButton(label, callback_data=data)])
    rows.extend(note_button(question_id, other, "↪ ") for other in related)
    return InlineKeyboardMarkup(rows)


def _related(result: SearchResult | None, note: Note, suggest_threshold: float) -> list[Note]:
    if result is None:
        return []
    return [
        m.note for m in result.matches if m.note.id != note.id and worth_offering(m.score, suggest_threshold)
    ][:RELATED_LIMIT]


async def send_note(
    message: Message, context: BotContext, note: Note, question_id: int, result: SearchResult | None = None
) -> None:
    """Reply to ``message`` with a note in at most ``ANSWER_PARTS`` messages; the last carries its buttons
    (👍/👎, reply scripts, related notes, and "Read more" when the note goes on)."""
    keyboard = note_keyboard(
        context.gettext, note, question_id, _related(result, note, context.settings.kb_suggest_threshold)
    )
    await send_parts(message.reply_text, context.gettext, note, 0, keyboard.inline_keyboard)


def note_parts(note: Note) -> list[str]:
    """A note as the messages it takes."""
    return split_html(note_html(note))


async def send_parts(
    send: Callable[..., Awaitable[Message]],
    _: Translate,
    note: Note,
    start: int,
    rows: Sequence[Sequence[InlineKeyboardButton]] = (),
) -> None:
    """Send messages ``start`` to ``start + ANSWER_PARTS`` of a note with ``send`` (``Message.reply_text``
    or a partial ``send_message``) in the language of ``_``; the last gets ``rows``, under a "Read more"
    button if the note goes on."""
    parts = note_parts(note)
    end = start + ANSWER_PARTS
    if end < len(parts):
        more = ReadMore(service.note_key(note.id), end).pack()
        rows = [[InlineKeyboardButton(_("📖 Read more"), callback_data=more)], *rows]
    batch = parts[start:end]
    for number, part in enumerate(batch, start=1):
        last = number == len(batch)
        await send(
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(rows) if last and rows else None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )


async def alert_admins(context: BotContext, question: Question) -> None:
    """Queue an alert about an open question for the admins; the outbox sends it.

    One lock per running bot keeps concurrent askers from each starting a digest of their own.
    """
    async with context.bot_data.alert_lock(alerts.ALERT_KIND), context.session() as session:
        admins = await people.list_people(session, [Role.ADMIN])
        campaigns = await alerts.alert_admins(
            session, question, admins=admins, default_language=context.settings.default_language
        )
    if campaigns:
        context.bot_data.sender.wake()


def admin_button(
    callback: Callable[[Update, BotContext, B], Awaitable[R]],
) -> Callable[[Update, BotContext, B], Awaitable[R | None]]:
    """``bot.access.admin_only`` for a button callback (which also gets the pressed button)."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext, pressed: B) -> R | None:
        if not has_role(context, Role.ADMIN):
            await refuse(update, context, Role.ADMIN)
            return None
        return await callback(update, context, pressed)

    return guarded
