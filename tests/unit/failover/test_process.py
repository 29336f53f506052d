"""With a webhook, a standby serves updates but runs no scheduled work: its JobQueue's scheduler is started
paused (PTB's ``JobQueue.start`` leaves a running scheduler alone) and resumed once it is elected."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.failover import process
from bot.playground.botapi import FakeBotAPI
from tests.fakes.fixtures import fake_bot_api

__all__ = ["fake_bot_api"]


class _Election:
    """Elected when told to; its heartbeat holds until the test ends."""

    def __init__(self) -> None:
        self.elected = asyncio.Event()

    async def wait_for_leadership(self) -> float:
        await self.elected.wait()
        return 0.0

    async def keep_leading(self, on_lost: Any) -> None:
        await asyncio.Event().wait()


async def test_scheduled_work_waits_for_the_election(
    fake_bot_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken_over: list[object] = []

    async def take_over_outbox(application: object) -> int:
        taken_over.append(application)
        return 0

    monkeypatch.setattr(process, "take_over_outbox", take_over_outbox)
    application = fake_bot_api.application_builder().build()
    runs: list[str] = []

    async def job(_context: object) -> None:
        runs.append("due")

    assert application.job_queue is not None
    application.job_queue.run_once(job, when=0, job_kwargs={"misfire_grace_time": None})
    application.job_queue.run_repeating(job, interval=0.1, first=0.05)
    election = _Election()
    async with application:
        process.start_scheduler_paused(application)
        await application.start()
        leading = asyncio.create_task(process.lead_when_elected(application, election))  # type: ignore[arg-type]
        try:
            await asyncio.sleep(0.5)
            assert runs == [], "a standby runs nothing scheduled"
            assert application.job_queue.scheduler.running, "JobQueue.start kept the paused scheduler"
            election.elected.set()
            for _ in range(50):
                if len(runs) >= 3:
                    break
                await asyncio.sleep(0.05)
            assert len(runs) >= 3, "the elected leader runs the due one-off job and the repeating one"
            assert taken_over == [application], "the outbox is taken over before the scheduler resumes"
        finally:
            leading.cancel()
            await asyncio.gather(leading, return_exceptions=True)
            await application.stop()
