"""The outbox's listener: a lesson's message delivered asks for one run, however many finish together."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from bot.delivery import service as delivery
from bot.delivery.models import Campaign
from bot.delivery.sender import Progress
from bot.training.scheduled import Work


class Running:
    """Just what the listener needs of the application."""

    running = True

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def create_task(self, coroutine: Coroutine[Any, Any, Any], name: str | None = None) -> None:
        coroutine.close()
        self.tasks.append(name or "")


def progress(ref: str, finished: bool = True) -> Progress:
    return Progress(Campaign(kind="training", ref=ref), delivery.Counts(total=1, sent=1), finished)


async def test_messages_finishing_together_ask_for_one_run() -> None:
    application = Running()
    work = Work(application)  # type: ignore[arg-type]
    await work.on_progress(progress("training:lesson:1:0", finished=False))
    await work.on_progress(progress("training:ready:1"))
    assert application.tasks == []
    await work.on_progress(progress("training:lesson:1:0"))
    await work.on_progress(progress("training:lesson:2:0"))
    assert application.tasks == ["training-advance"]
