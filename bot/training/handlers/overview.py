"""``/training`` for admins: everyone in training, page by page (day reached, quiz accuracy, overdue lessons,
weakest notes), the questions most often answered wrong, and the progress workbook."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import Translate
from bot.replies import edit_or_reply, on_button, page_buttons, reply
from bot.training import export, service
from bot.training.buttons import EnrolMenu, Export, Overview, ShowLearner
from bot.training.catalog import Catalog
from bot.training.handlers.common import catalog, office

PAGE_SIZE = 10
FAILED_SHOWN = 3
QUESTION_SHOWN = 40


def learner_line(_: Translate, learner: service.Learner) -> str:
    """One person: day reached (or ready, paused), accuracy, overdue lessons, weakest notes."""
    name = f"<b>{html.escape(learner.person.display_name)}</b>"
    parts = [name]
    if learner.ready:
        parts.append(_("✅ ready"))
    else:
        parts.append(_("day {done}/{total}", done=learner.days_done, total=learner.days_total))
        if learner.paused:
            parts.append(_("⏸ paused"))
        if learner.undelivered:
            parts.append(_("⚠️ last lesson not delivered"))
    quiz = learner.quiz
    if quiz.answered:
        parts.append(
            _(
                "right {percent}% ({right}/{answered})",
                percent=quiz.accuracy,
                right=quiz.right,
                answered=quiz.answered,
            )
        )
    if learner.overdue:
        parts.append(_("overdue {count}", count=learner.overdue))
    if learner.weakest:
        parts.append(_("weakest: {notes}", notes="、".join(html.escape(w.title) for w in learner.weakest)))
    return "• " + " · ".join(parts)


def _short(text: str, length: int = QUESTION_SHOWN) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def failed_lines(_: Translate, failed: list[service.FailedQuestion]) -> list[str]:
    if not failed:
        return []
    lines = ["", "❗ <b>" + _("Most often answered wrong") + "</b>"]
    for number, question in enumerate(failed, start=1):
        wrong = _("wrong {wrong}/{answered}", wrong=question.wrong, answered=question.answered)
        lines.append(
            f"{number}. {html.escape(_short(question.question))} — {wrong} ({html.escape(question.note_id)})"
        )
    return lines


def _plan_warning(_: Translate, found: Catalog) -> list[str]:
    if not found.plans:
        return [
            "",
            _("⚠️ No training plan found: add one under knowledge/training/ (see knowledge/README.md)."),
        ]
    if found.problems:
        return [
            "",
            _(
                "⚠️ The plan files have {count} problems: run python -m bot kb check.",
                count=len(found.problems),
            ),
        ]
    return []


async def overview(context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    """A page of everyone in training, with the buttons to open one, enrol more and export."""
    _ = context.gettext
    found = catalog(context)
    async with context.session() as session:
        everyone = await service.learners(session, found, office(context), utcnow())
        failed = await service.most_failed(session, limit=FAILED_SHOWN)
    pages = max(1, -(-len(everyone) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = everyone[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    heading = "🎓 <b>" + _("Training") + "</b> · " + _("{count} people", count=len(everyone))
    if pages > 1:
        heading += f" ({page + 1}/{pages})"
    lines = [heading]
    lines += [learner_line(_, learner) for learner in shown] or [_("Nobody is in training yet.")]
    lines += failed_lines(_, failed)
    lines += _plan_warning(_, found)
    rows = [
        [
            InlineKeyboardButton(
                learner.person.display_name[:30], callback_data=ShowLearner(learner.enrolment.id or 0).pack()
            )
            for learner in shown[i : i + 2]
        ]
        for i in range(0, len(shown), 2)
    ]
    if nav := page_buttons(page, pages, Overview):
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(_("➕ Enrol staff"), callback_data=EnrolMenu(0).pack()),
            InlineKeyboardButton(_("📥 Export .xlsx"), callback_data=Export().pack()),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@admin_only
async def training_command(update: Update, context: BotContext) -> None:
    """``/training``: everyone in training."""
    await reply(update, context, *(await overview(context, 0)))


@admin_only
async def overview_page(update: Update, context: BotContext, pressed: Overview) -> None:
    await edit_or_reply(update, context, *(await overview(context, pressed.page)))


@admin_only
async def export_pressed(update: Update, context: BotContext, _pressed: Export) -> None:
    """Everyone's progress and the questions most often missed, as a workbook."""
    _ = context.gettext
    now = utcnow()
    assert update.callback_query is not None
    await update.callback_query.answer(_("Preparing the workbook…"))
    async with context.session() as session:
        everyone = await service.learners(session, catalog(context), office(context), now)
        failed = await service.most_failed(session, limit=export.FAILED_LIMIT)
    workbook = await asyncio.to_thread(export.to_xlsx, _, everyone, failed, context.settings.tz)
    chat = update.effective_chat
    assert chat is not None
    day = now.astimezone(context.settings.tz).strftime("%Y-%m-%d")
    await context.bot.send_document(
        chat.id,
        workbook,
        filename=f"training-{day}.xlsx",
        caption=_("🎓 Training progress {day}: {count} people.", day=day, count=len(everyone)),
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("training", training_command, filters.ChatType.PRIVATE),
        on_button(Overview, overview_page),
        on_button(Export, export_pressed),
    ]
