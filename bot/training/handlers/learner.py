"""One person's training, for admins: progress and latest lessons; pause or resume, another plan, removal."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler

from bot.access import admin_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.replies import edit_or_reply, edit_query_message, on_button, toast
from bot.training import service
from bot.training.buttons import ChoosePlan, ConfirmRemove, Overview, Pause, PlanMenu, Remove, ShowLearner
from bot.training.handlers.common import catalog, name_of, office
from bot.training.handlers.overview import overview
from bot.training.models import LessonState

log = logging.getLogger(__name__)

GONE = N_("This person is no longer in training.")


def _status(_: Translate, learner: service.Learner) -> str:
    if learner.ready:
        return _("✅ ready for the floor")
    if learner.paused:
        return _("⏸ paused")
    if learner.undelivered:
        return _("⚠️ the last lesson could not be delivered (has the bot been blocked?)")
    return _("learning")


def _lesson_line(_: Translate, line: service.LessonLine) -> str:
    lesson, quiz = line.lesson, line.quiz
    what = _("day {day}", day=lesson.day_index + 1) if lesson.day_index is not None else _("review")
    if lesson.state == LessonState.UNDELIVERED:
        result = _("not delivered")
    elif lesson.state == LessonState.NOTES:
        result = _("being sent")
    elif quiz.asked and quiz.answered == quiz.asked:
        result = _("{right}/{asked} right", right=quiz.right, asked=quiz.asked)
    elif quiz.asked:
        result = _("{answered}/{asked} answered", answered=quiz.answered, asked=quiz.asked)
    else:
        result = _("sent")
    return f"• {lesson.lesson_date:%m-%d} {what} — {result}"


def panel_text(_: Translate, learner: service.Learner, lines: list[service.LessonLine]) -> str:
    plan = learner.plan.title if learner.plan is not None else learner.enrolment.plan_id
    quiz = learner.quiz
    text = [
        "🎓 " + name_of(learner.person),
        _("Plan: {plan}", plan=html.escape(plan)),
        _(
            "Progress: day {done} of {total} · {status}",
            done=learner.days_done,
            total=learner.days_total,
            status=_status(_, learner),
        ),
    ]
    if quiz.asked:
        accuracy = f"{quiz.accuracy}%" if quiz.accuracy is not None else "—"
        text.append(
            _(
                "Quiz: {right}/{answered} right ({accuracy}) · not answered yet {open} · overdue lessons {overdue}",
                right=quiz.right,
                answered=quiz.answered,
                accuracy=accuracy,
                open=quiz.unanswered,
                overdue=learner.overdue,
            )
        )
    if learner.weakest:
        notes = "、".join(f"{html.escape(w.title)} ({w.right}/{w.answered})" for w in learner.weakest)
        text.append(_("Weakest notes: {notes}", notes=notes))
    if learner.reviews_due:
        text.append(_("Reviews due: {count}", count=learner.reviews_due))
    if lines:
        text += ["", _("Latest lessons:"), *(_lesson_line(_, line) for line in lines)]
    return "\n".join(text)


def panel_markup(_: Translate, learner: service.Learner) -> InlineKeyboardMarkup:
    enrolment_id = learner.enrolment.id or 0
    pause = (
        InlineKeyboardButton(_("▶ Resume"), callback_data=Pause(enrolment_id, False).pack())
        if learner.paused
        else InlineKeyboardButton(_("⏸ Pause"), callback_data=Pause(enrolment_id, True).pack())
    )
    return InlineKeyboardMarkup(
        [
            [pause, InlineKeyboardButton(_("📋 Change plan"), callback_data=PlanMenu(enrolment_id).pack())],
            [InlineKeyboardButton(_("🗑 Remove from training"), callback_data=Remove(enrolment_id).pack())],
            [InlineKeyboardButton(_("« Back"), callback_data=Overview(0).pack())],
        ]
    )


async def show_panel(update: Update, context: BotContext, enrolment_id: int, done: str | None = None) -> None:
    """Show one person's panel in place of the message under the button, after a short ``done`` toast (or
    say they are gone)."""
    _ = context.gettext
    async with context.session() as session:
        found = await service.learners(
            session, catalog(context), office(context), utcnow(), enrolment_id=enrolment_id
        )
        lines = await service.lesson_lines(session, enrolment_id, limit=5) if found else []
    if not found:
        await toast(update, _(GONE), alert=True)
        return
    (learner,) = found
    text, markup = panel_text(_, learner, lines), panel_markup(_, learner)
    if done is None:
        await edit_or_reply(update, context, text, markup)
        return
    await toast(update, done)
    assert update.callback_query is not None
    await edit_query_message(update.callback_query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


@admin_only
async def show_pressed(update: Update, context: BotContext, pressed: ShowLearner) -> None:
    await show_panel(update, context, pressed.enrolment_id)


@admin_only
async def pause_pressed(update: Update, context: BotContext, pressed: Pause) -> None:
    _ = context.gettext
    async with context.session() as session:
        enrolment = await service.get_enrolment(session, pressed.enrolment_id)
        if enrolment is not None:
            await service.set_paused(session, enrolment, pressed.paused)
    if enrolment is None:
        await toast(update, _(GONE), alert=True)
        return
    done = _("Lessons paused.") if pressed.paused else _("Lessons resumed.")
    await show_panel(update, context, pressed.enrolment_id, done)


@admin_only
async def plans_pressed(update: Update, context: BotContext, pressed: PlanMenu) -> None:
    """The plans to choose from, the current one marked."""
    _ = context.gettext
    async with context.session() as session:
        enrolment = await service.get_enrolment(session, pressed.enrolment_id)
    if enrolment is None:
        await toast(update, _(GONE), alert=True)
        return
    found = catalog(context)
    rows = [
        [
            InlineKeyboardButton(
                ("✓ " if plan.id == enrolment.plan_id else "") + plan.title[:40],
                callback_data=ChoosePlan(pressed.enrolment_id, plan.key).pack(),
            )
        ]
        for plan in found.plans
    ]
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=ShowLearner(pressed.enrolment_id).pack())])
    text = _("Choose the plan. Another plan starts again from its first day.")
    await edit_or_reply(update, context, text, InlineKeyboardMarkup(rows))


@admin_only
async def plan_chosen(update: Update, context: BotContext, pressed: ChoosePlan) -> None:
    _ = context.gettext
    plan = catalog(context).by_key(pressed.plan)
    if plan is None:
        await toast(update, _("That plan no longer exists."), alert=True)
        return
    async with context.session() as session:
        enrolment = await service.get_enrolment(session, pressed.enrolment_id)
        changed = enrolment is not None and await service.change_plan(session, enrolment, plan)
    if enrolment is None:
        await toast(update, _(GONE), alert=True)
        return
    done = _("Moved to “{plan}”, from its first day.", plan=plan.title) if changed else None
    await show_panel(update, context, pressed.enrolment_id, done)


@admin_only
async def remove_pressed(update: Update, context: BotContext, pressed: Remove) -> None:
    """Ask first: removing deletes someone's progress."""
    _ = context.gettext
    async with context.session() as session:
        found = await service.learners(
            session, catalog(context), office(context), utcnow(), enrolment_id=pressed.enrolment_id
        )
    if not found:
        await toast(update, _(GONE), alert=True)
        return
    text = _(
        "Take {name} out of training? Their lessons, answers and reviews are deleted.",
        name=name_of(found[0].person),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🗑 Yes, remove"), callback_data=ConfirmRemove(pressed.enrolment_id).pack()
                )
            ],
            [InlineKeyboardButton(_("« Back"), callback_data=ShowLearner(pressed.enrolment_id).pack())],
        ]
    )
    await edit_or_reply(update, context, text, markup)


@admin_only
async def remove_confirmed(update: Update, context: BotContext, pressed: ConfirmRemove) -> None:
    """Remove someone from training; their quiz polls still open are closed, so nobody answers into nothing."""
    _ = context.gettext
    async with context.session() as session:
        to_close = await service.remove(session, pressed.enrolment_id)
    await toast(update, _("Removed from training.") if to_close is not None else _(GONE))
    for chat_id, message_id in to_close or []:
        try:
            await context.bot.stop_poll(chat_id, message_id)
        except TelegramError as exc:
            log.info("could not close quiz poll %s in %s: %s", message_id, chat_id, exc)
    text, markup = await overview(context, 0)
    assert update.callback_query is not None
    await edit_query_message(update.callback_query, text, reply_markup=markup, parse_mode=ParseMode.HTML)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        on_button(ShowLearner, show_pressed),
        on_button(Pause, pause_pressed),
        on_button(PlanMenu, plans_pressed),
        on_button(ChoosePlan, plan_chosen),
        on_button(Remove, remove_pressed),
        on_button(ConfirmRemove, remove_confirmed),
    ]
