"""``/learn`` and ``/quiz`` for staff: today's lesson and progress, and the next question due for review."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import staff_only
from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import N_, Translate
from bot.replies import on_button, reply
from bot.training import scheduled, service
from bot.training.buttons import QuizNow
from bot.training.handlers.common import catalog, day_text, moment_text, office
from bot.training.models import LessonState

NOT_ENROLLED = N_("You are not in a training plan yet. An admin can enrol you with /training.")


def _lesson_lines(_: Translate, context: BotContext, mine: service.MyTraining) -> list[str]:
    """Today's lesson, then the next one or why there is none."""
    learner = mine.learner
    today = office(context).today(utcnow())
    if learner.ready:
        assert learner.enrolment.ready_at is not None
        when = learner.enrolment.ready_at.astimezone(context.settings.tz).date()
        return [_("✅ Ready for the floor since {day}.", day=day_text(_, when, today))]
    if learner.paused:
        return [_("⏸ Your lessons are paused by an admin.")]
    lines = []
    lesson = mine.today
    if lesson is not None and lesson.day_index is not None:
        state = {
            LessonState.NOTES: _("being sent"),
            LessonState.QUIZ: _("sent"),
            LessonState.UNDELIVERED: _("could not be delivered"),
        }[LessonState(lesson.state)]
        lines.append(_("Today: day {day} — {state}.", day=lesson.day_index + 1, state=state))
    if learner.plan is not None and learner.days_done >= learner.days_total:
        lines.append(
            _("All {days} days are taught; answer every question right to be ready.", days=learner.days_total)
        )
    elif mine.next_lesson is not None:
        when = moment_text(_, mine.next_lesson, context, today)
        lines.append(_("Next lesson: day {day}, {when}.", day=learner.days_done + 1, when=when))
    elif lesson is None:
        lines.append(_("No lesson in the coming week (no workday of yours is planned)."))
    return lines


def learn_text(_: Translate, context: BotContext, mine: service.MyTraining) -> str:
    learner = mine.learner
    title = learner.plan.title if learner.plan is not None else learner.enrolment.plan_id
    quiz = learner.quiz
    lines = [
        "📚 <b>" + _("My training: {plan}", plan=html.escape(title)) + "</b>",
        _("Days taught: {done} of {total}.", done=learner.days_done, total=learner.days_total),
        *_lesson_lines(_, context, mine),
    ]
    if quiz.answered:
        lines.append(
            _(
                "Quiz: {right} of {answered} right ({percent}%).",
                right=quiz.right,
                answered=quiz.answered,
                percent=quiz.accuracy,
            )
        )
    if quiz.unanswered:
        lines.append(
            _("{count} questions are waiting for your answer: scroll up to the polls.", count=quiz.unanswered)
        )
    today = office(context).today(utcnow())
    if learner.reviews_due:
        lines.append(
            _(
                "🔁 {count} questions to review now: press the button or send /quiz.",
                count=learner.reviews_due,
            )
        )
    elif mine.next_review is not None:
        lines.append(_("Next review: {day}.", day=day_text(_, mine.next_review, today)))
    return "\n".join(lines)


@staff_only
async def learn_command(update: Update, context: BotContext) -> None:
    """``/learn``: progress, today's lesson or the next one, reviews due."""
    _ = context.gettext
    assert context.person is not None
    async with context.session() as session:
        mine = await service.my_training(session, catalog(context), office(context), context.person, utcnow())
    if mine is None:
        await reply(update, context, _(NOT_ENROLLED))
        return
    markup = None
    if mine.learner.reviews_due:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🔁 Review a question now"), callback_data=QuizNow().pack())]]
        )
    await reply(update, context, learn_text(_, context, mine), markup)


@staff_only
async def quiz_command(update: Update, context: BotContext) -> None:
    """``/quiz``: ask the next question due for review now."""
    _ = context.gettext
    assert context.person is not None and context.person.id is not None
    now = utcnow()
    async with context.session() as session:
        enrolment = await service.enrolment_of(session, context.person.id)
        if enrolment is None:
            await reply(update, context, _(NOT_ENROLLED))
            return
        today = office(context).today(now)
        asked = await service.ask_review(
            session, enrolment, catalog(context), context.person.telegram_id, today, now
        )
    if asked.poll is not None:
        assert asked.poll.id is not None
        sent = await scheduled.send_quiz_poll(context.application, asked.poll.id)
        if sent == scheduled.Sent.SENT:
            if update.callback_query is not None:
                await update.callback_query.answer()
            return
        text = _("The question could not be sent just now; it follows as soon as it can.")
    elif asked.waiting:
        text = _(
            "{count} questions are waiting for your answer: scroll up to the polls.", count=asked.waiting
        )
    elif asked.next_on is not None:
        text = _("Nothing to review now. Next review: {day}.", day=day_text(_, asked.next_on, today))
    else:
        text = _("Nothing to review. 👍")
    await reply(update, context, text)


async def quiz_pressed(update: Update, context: BotContext, _pressed: QuizNow) -> None:
    await quiz_command(update, context)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """``/learn``, ``/quiz`` and the review button under ``/learn``."""
    return [
        CommandHandler("learn", learn_command, filters.ChatType.PRIVATE),
        CommandHandler("quiz", quiz_command, filters.ChatType.PRIVATE),
        on_button(QuizNow, quiz_pressed),
    ]
