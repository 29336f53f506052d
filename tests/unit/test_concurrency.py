"""Updates of different people run together; each person's updates run one at a time, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

import pytest
from telegram import Update

from bot.concurrency import PerUserUpdateProcessor, ordering_key

WAIT = 0.2  # longest a test waits for something that should happen at once


def message(update_id: int, user_id: int | None, chat_id: int | None = None) -> Update:
    """A text message update from ``user_id`` (none: a channel post) in ``chat_id`` (default: private)."""
    chat = {"id": chat_id if chat_id is not None else user_id, "type": "private" if user_id else "channel"}
    body: dict[str, object] = {"message_id": update_id, "date": 0, "chat": chat, "text": "签到"}
    if user_id is not None:
        body["from"] = {"id": user_id, "is_bot": False, "first_name": "小李"}
    return Update.de_json({"update_id": update_id, "message" if user_id else "channel_post": body}, bot=None)


class Recorder:
    """Coroutines that log when they start and end, each held until its gate is opened."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.started: dict[str, asyncio.Event] = {}
        self.running = 0
        self.most_running = 0

    def job(self, name: str, *, hold: bool = False, fail: bool = False) -> Coroutine[Any, Any, None]:
        gate = self.gates[name] = asyncio.Event()
        started = self.started[name] = asyncio.Event()
        if not hold:
            gate.set()

        async def run() -> None:
            self.events.append(f"start {name}")
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            started.set()
            try:
                await gate.wait()
                await asyncio.sleep(0)
                if fail:
                    raise ValueError(name)
            finally:
                self.running -= 1
                self.events.append(f"end {name}")

        return run()

    async def wait_started(self, name: str) -> None:
        await asyncio.wait_for(self.started[name].wait(), WAIT)


async def settle(rounds: int = 20) -> None:
    """Let every task that can run get as far as it can."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def submit(
    processor: PerUserUpdateProcessor, update: object, coroutine: Awaitable[None]
) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update, coroutine))


async def finish(tasks: list[asyncio.Task[None]]) -> list[BaseException | None]:
    return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), WAIT * 5)


@pytest.fixture
async def processor() -> AsyncIterator[PerUserUpdateProcessor]:
    async with PerUserUpdateProcessor() as processor:
        yield processor


def test_ordering_key_is_the_sender_else_the_chat() -> None:
    assert ordering_key(message(1, 1001)) == 1001
    assert ordering_key(message(2, 1001, chat_id=-500)) == 1001
    assert ordering_key(message(3, None, chat_id=-100200)) == -100200
    assert ordering_key(Update(update_id=4)) is None
    assert ordering_key("not an update") is None
    assert ordering_key(None) is None


async def test_one_persons_updates_run_in_arrival_order(processor: PerUserUpdateProcessor) -> None:
    """The first update is the slowest; the later ones still wait for it and keep their order."""
    recorder = Recorder()
    tasks = [
        submit(processor, message(1, 7), recorder.job("1", hold=True)),
        submit(processor, message(2, 7, chat_id=-500), recorder.job("2")),
        submit(processor, message(3, 7), recorder.job("3")),
    ]
    await recorder.wait_started("1")
    await settle()
    assert recorder.events == ["start 1"]
    recorder.gates["1"].set()
    assert await finish(tasks) == [None, None, None]
    assert recorder.events == ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]
    assert processor._turns == {}


async def test_order_holds_for_updates_arriving_while_one_runs(processor: PerUserUpdateProcessor) -> None:
    recorder = Recorder()
    tasks = [submit(processor, message(1, 7), recorder.job("1", hold=True))]
    await recorder.wait_started("1")
    for update_id in range(2, 6):
        tasks.append(submit(processor, message(update_id, 7), recorder.job(str(update_id))))
        await settle(2)
    recorder.gates["1"].set()
    await finish(tasks)
    assert [event for event in recorder.events if event.startswith("start")] == [
        f"start {n}" for n in range(1, 6)
    ]
    assert recorder.most_running == 1


async def test_different_people_overlap(processor: PerUserUpdateProcessor) -> None:
    recorder = Recorder()
    tasks = [
        submit(processor, message(1, 7), recorder.job("a", hold=True)),
        submit(processor, message(2, 8), recorder.job("b", hold=True)),
    ]
    await recorder.wait_started("a")
    await recorder.wait_started("b")
    assert recorder.running == 2
    assert set(processor._turns) == {7, 8}
    recorder.gates["b"].set()
    await asyncio.wait_for(tasks[1], WAIT)
    assert not tasks[0].done()
    recorder.gates["a"].set()
    await finish(tasks)
    assert processor._turns == {}


async def test_at_most_max_running_at_once() -> None:
    async with PerUserUpdateProcessor(max_running=2) as processor:
        recorder = Recorder()
        names = [str(n) for n in range(5)]
        tasks = [
            submit(processor, message(n, 100 + n), recorder.job(name, hold=True))
            for n, name in enumerate(names)
        ]
        await settle()
        assert recorder.events == ["start 0", "start 1"]
        for name in names:
            recorder.gates[name].set()
        await finish(tasks)
    assert recorder.most_running == 2
    assert sorted(e for e in recorder.events if e.startswith("start")) == [f"start {n}" for n in names]
    assert processor._turns == {}


async def test_keyless_updates_run_without_ordering() -> None:
    """Updates with neither sender nor chat (and non-updates) overlap, bounded only by max_running."""
    async with PerUserUpdateProcessor(max_running=3) as processor:
        recorder = Recorder()
        tasks = [
            submit(processor, Update(update_id=1), recorder.job("1", hold=True)),
            submit(processor, Update(update_id=2), recorder.job("2", hold=True)),
            submit(processor, object(), recorder.job("job", hold=True)),
            submit(processor, Update(update_id=3), recorder.job("3", hold=True)),
        ]
        for name in ("1", "2", "job"):
            await recorder.wait_started(name)
        await settle()
        assert recorder.running == 3 and "start 3" not in recorder.events
        assert processor._turns == {}
        recorder.gates["2"].set()
        await recorder.wait_started("3")
        for gate in recorder.gates.values():
            gate.set()
        await finish(tasks)


async def test_a_failing_update_does_not_block_the_next(processor: PerUserUpdateProcessor) -> None:
    recorder = Recorder()
    tasks = [
        submit(processor, message(1, 7), recorder.job("1", hold=True, fail=True)),
        submit(processor, message(2, 7), recorder.job("2")),
    ]
    await recorder.wait_started("1")
    recorder.gates["1"].set()
    first, second = await finish(tasks)
    assert isinstance(first, ValueError) and second is None
    assert recorder.events == ["start 1", "end 1", "start 2", "end 2"]
    assert processor._turns == {}


async def test_a_cancelled_waiting_update_leaves_no_trace(processor: PerUserUpdateProcessor) -> None:
    recorder = Recorder()
    waiting = recorder.job("2")
    tasks = [
        submit(processor, message(1, 7), recorder.job("1", hold=True)),
        submit(processor, message(2, 7), waiting),
        submit(processor, message(3, 7), recorder.job("3")),
    ]
    await recorder.wait_started("1")
    await settle()
    assert processor._turns[7].users == 3
    tasks[1].cancel()
    await settle()
    assert processor._turns[7].users == 2
    recorder.gates["1"].set()
    results = await finish(tasks)
    assert isinstance(results[1], asyncio.CancelledError)
    assert recorder.events == ["start 1", "end 1", "start 3", "end 3"]
    assert processor._turns == {}
    waiting.close()


@pytest.mark.parametrize("concurrent", [1, 2])
async def test_updates_of_many_people_each_stay_in_order(concurrent: int) -> None:
    """Interleaved updates of three people: every person's log is in arrival order."""
    async with PerUserUpdateProcessor(max_running=concurrent) as processor:
        log: dict[int, list[int]] = {7: [], 8: [], 9: []}

        def work(user: int, update_id: int) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                await asyncio.sleep(0.001 * (update_id % 3))
                log[user].append(update_id)

            return run

        tasks = [
            submit(processor, message(n, user), work(user, n)())
            for n, user in enumerate([7, 8, 7, 9, 7, 8, 9, 9, 7, 8], start=1)
        ]
        await finish(tasks)
    assert log == {7: [1, 3, 5, 9], 8: [2, 6, 10], 9: [4, 7, 8]}
    assert processor._turns == {}
