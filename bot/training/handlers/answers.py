"""Answers to the quiz polls (``poll_answer`` updates: they come without a chat, from ``poll_answer.user``).

An answer to a poll the bot did not send to that person (a forwarded poll, a forged update) changes nothing.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, PollAnswerHandler

from bot.clock import utcnow
from bot.context import BotContext
from bot.i18n import Translate
from bot.training import service
from bot.training.handlers.common import catalog, day_text, office

log = logging.getLogger(__name__)


def feedback(_: Translate, answer: service.Answer, due: str | None) -> str | None:
    """A short word after an answer: the lesson's score when its quiz is complete, or what becomes of a
    question reviewed on its own (``due``: when it comes back, as text). Telegram shows right or wrong and
    the explanation itself."""
    if answer.lesson_score is not None:
        right, asked = answer.lesson_score
        if right < asked:
            return _(
                "✏️ Quiz done: {right} of {asked} right. The questions you missed come back for review; "
                "/learn shows when.",
                right=right,
                asked=asked,
            )
        return _("✏️ Quiz done: {right} of {asked} right. Well done!", right=right, asked=asked)
    if not answer.standalone_review:
        return None
    if answer.learned:
        return _("✅ Learned: this question leaves your reviews.")
    if answer.correct:
        return _("✅ Right. It comes back once more on {day}, to make it stick.", day=due)
    return _("This one comes back for review on {day}.", day=due)


async def poll_answered(update: Update, context: BotContext) -> None:
    """Record an answer and, where it says something new, tell the person."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    where = office(context)
    now = utcnow()
    async with context.session() as session:
        result = await service.record_answer(
            session,
            catalog(context),
            where,
            poll_id=answer.poll_id,
            telegram_id=answer.user.id,
            option_ids=list(answer.option_ids),
            now=now,
        )
    if result.outcome != service.AnswerOutcome.RECORDED:
        log.info("poll answer of %s to poll %s: %s", answer.user.id, answer.poll_id, result.outcome)
        return
    if result.ready:
        context.bot_data.sender.wake()
    _ = context.gettext
    due = day_text(_, result.review_on, where.today(now)) if result.review_on is not None else None
    text = feedback(_, result, due)
    if text is not None:
        await context.bot.send_message(answer.user.id, text)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [PollAnswerHandler(poll_answered)]
