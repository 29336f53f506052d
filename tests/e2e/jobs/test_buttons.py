"""Every jobs button, pressed by a job seeker and by an admin, naming an open posting or ids that name nothing
(forged, or left over from deleted postings): each press is answered, and nothing fails."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.app import BotApplication
from bot.buttons import Button
from bot.context import BotContext
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.jobs.conftest import seed
from tests.unit.jobs.test_buttons import EXAMPLES


async def test_every_press_is_answered_and_nothing_fails(
    jobs_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    errors: list[Any] = []

    async def record(_update: object, context: BotContext) -> None:
        errors.append(context.error)

    jobs_bot.add_error_handler(record)
    posting = await seed(jobs_bot, admin)
    presses = [_naming(button, posting.id) for button in EXAMPLES] + [
        _naming(button, 999) for button in EXAMPLES
    ]
    seeker = api.user(7501, "阿杰")
    for user in (seeker, admin):
        await api.send_text(user, "/jobs")
        await api.wait_for("sendMessage", chat_id=user.id)
        for button in presses:
            mark = api.mark()
            message = api.sent_messages(user.id)[-1]
            update = await api.press_button(user, message, button.pack(), strict=False)
            query_id = update["callback_query"]["id"]
            await api.wait_for("answerCallbackQuery", since=mark, callback_query_id=query_id)
            await api.wait_idle(quiet=0.05)
            await api.send_text(user, "/cancel")  # leave any form a press started
            await api.wait_idle(quiet=0.05)
    assert errors == []


def _naming(button: Button, number: int) -> Button:
    """The button with every id it carries set to ``number``."""
    ids = {f.name: number for f in dataclasses.fields(button) if f.name.endswith("_id")}  # type: ignore[arg-type]
    return dataclasses.replace(button, **ids)  # type: ignore[type-var]
