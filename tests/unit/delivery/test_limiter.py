"""The shared limiter: sliding windows with even spacing, per-chat rules and 429 pauses."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.limiter import Limiter, Limits, most_in_window


async def _stamp(limiter: Limiter, chat_id: int, out: list[float]) -> None:
    await limiter.acquire(chat_id)
    out.append(time.monotonic())


async def test_overall_limit_holds_from_the_first_second() -> None:
    limiter = Limiter(Limits(overall_per_second=100, margin=0.01))
    stamps: list[float] = []
    started = time.monotonic()
    await asyncio.gather(*(_stamp(limiter, 1000 + i, stamps) for i in range(150)))
    assert most_in_window(stamps, 1.0) <= 100
    first_tenth = sum(1 for t in stamps if t - started < 0.1)
    assert first_tenth <= 14, f"{first_tenth} requests in the first 0.1 s: a burst"
    assert 1.3 < time.monotonic() - started < 3  # (1.5 s at 100/s; slack for a busy machine)
    assert limiter.stats.requests == 150


async def test_private_chat_gets_one_request_per_window() -> None:
    limiter = Limiter(Limits(overall_per_second=0, private_per_second=5, margin=0.01))
    stamps: list[float] = []
    await asyncio.gather(*(_stamp(limiter, 42, stamps) for _ in range(8)))
    assert most_in_window(stamps, 1.0) <= 5
    assert stamps[-1] - stamps[0] >= 1.0


async def test_group_limit_is_per_minute_and_other_chats_are_not_held_up() -> None:
    now = [100.0]
    limiter = Limiter(Limits(overall_per_second=0, group_per_minute=3, margin=0.5), clock=lambda: now[0])
    for _ in range(3):
        assert await limiter.acquire(-5, wait_for_chat=False)
    assert not await limiter.acquire(-5, wait_for_chat=False)
    assert limiter.chat_delay(-5) == 60.5
    assert await limiter.acquire(-6, wait_for_chat=False)
    now[0] += 60.5
    assert limiter.chat_delay(-5) == 0
    assert await limiter.acquire(-5, wait_for_chat=False)


async def test_retry_after_pauses_the_chat_or_everything() -> None:
    now = [0.0]
    limiter = Limiter(Limits(overall_per_second=0, group_per_minute=2, margin=0), clock=lambda: now[0])
    await limiter.acquire(-1)
    await limiter.acquire(-1)
    limiter.on_retry_after(-1, 30)  # that group was at its limit: only it waits
    assert limiter.chat_delay(-1) >= 30 and limiter.chat_delay(-2) == 0
    assert limiter._overall_wait(now[0]) == 0

    limiter.on_retry_after(-3, 2)  # an idle chat got 429: the overall limit, everything waits
    assert limiter._overall_wait(now[0]) == 2
    assert limiter.stats.retry_after == 2


async def test_interactive_replies_are_not_held_by_the_private_window_but_counted() -> None:
    now = [0.0]
    limiter = Limiter(Limits(overall_per_second=0, private_per_second=1, margin=0), clock=lambda: now[0])
    assert await limiter.acquire(7, interactive=True)
    assert await limiter.acquire(7, interactive=True)  # a two-message reply goes out at once
    assert limiter.chat_delay(7) == 1.0, "the outbox waits for the chat's window"
    assert not await limiter.acquire(7, wait_for_chat=False)
    limiter.on_retry_after(7, 5)
    waiting = asyncio.ensure_future(limiter.acquire(7, interactive=True))
    await asyncio.sleep(0.05)
    assert not waiting.done(), "a pause Telegram asked for holds interactive requests too"
    waiting.cancel()
