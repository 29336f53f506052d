"""Two webhook instances on one PostgreSQL database, behind a load balancer that gives each every other update,
answer a burst of commands in one group: every update is answered, and Telegram (the fake, enforcing the
group limit) never has to refuse one — the instances keep the group's window together, not each its own."""

from __future__ import annotations

import contextlib
import itertools
import socket
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_application
from bot.context import BotApplication
from bot.delivery.limiter import Limits
from bot.playground.botapi import FakeBotAPI
from bot.web import SECRET_HEADER, WEBHOOK_PATH, web_application
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import bot_settings, set_pacing

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL, reason="instances share their limits in PostgreSQL: set TEST_DATABASE_URL"
    ),
    pytest.mark.parametrize("backend", ["postgresql"]),
]

SECRET = "s3cret-for-tests"
VILLAGERS = range(31_000, 31_012)
GROUP_LIMIT = 5
GROUP_WINDOW = 3.0
#: Telegram's overall limit, and a group limit shrunk to 5 in 3 s, so that the burst needs three windows in a
#: few seconds; a wide margin, as the fake, both bots and the test share one event loop on a busy machine.
PACING = Limits(group_per_minute=GROUP_LIMIT, group_window=GROUP_WINDOW, private_per_second=0, margin=1.0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def _serving(app: web.Application, port: int) -> AsyncIterator[None]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def webhook_instance(api: FakeBotAPI, database_url: str) -> AsyncIterator[str]:
    """One instance as ``python -m bot run`` starts it with a webhook (its startup hook included); the URL of
    its webhook."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    settings = bot_settings(
        api,
        database_url,
        webhook_url=url,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        webhook_secret=SECRET,
    )
    application: BotApplication = build_application(settings)
    assert application.bot.rate_limiter is not None
    set_pacing(application, PACING)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    try:
        async with _serving(web_application(application, webhook_secret=SECRET), port):
            yield url
    finally:
        await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


@contextlib.asynccontextmanager
async def load_balancer(targets: list[str]) -> AsyncIterator[tuple[str, Counter[str]]]:
    """A webhook address that passes each update to the next of ``targets`` in turn; how many each got."""
    port = _free_port()
    turns = itertools.cycle(targets)
    served: Counter[str] = Counter()
    async with aiohttp.ClientSession() as client:

        async def forward(request: web.Request) -> web.Response:
            target = next(turns)
            headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
            async with client.post(target, data=await request.read(), headers=headers) as answer:
                served[target] += 1
                return web.Response(status=answer.status, body=await answer.read())

        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, forward)
        async with _serving(app, port):
            yield f"http://127.0.0.1:{port}{WEBHOOK_PATH}", served


async def test_two_webhook_instances_keep_a_group_under_one_limit(
    fake_bot_api: FakeBotAPI, database_url: str
) -> None:
    api = fake_bot_api
    group = api.group(-31_001, "三合村老乡群")
    villagers = [api.user(telegram_id, f"村民{telegram_id}") for telegram_id in VILLAGERS]
    api.enforce_limits(overall_per_second=30, group_per_minute=GROUP_LIMIT, group_window=GROUP_WINDOW)

    async with (
        webhook_instance(api, database_url) as first,
        webhook_instance(api, database_url) as second,
        load_balancer([first, second]) as (balancer, served),
    ):
        async with aiohttp.ClientSession() as client:
            set_webhook = f"{api.base_url}/bot{api.token}/setWebhook"
            async with client.post(set_webhook, data={"url": balancer, "secret_token": SECRET}) as answer:
                assert answer.status == 200, await answer.text()
        mark = api.mark()
        for villager in villagers:
            await api.send_text(villager, "/help", chat=group)

        def answers() -> int:
            return len([c for c in api.calls[mark:] if c.method == "sendMessage" and c.ok])

        await api.wait_until(
            lambda: answers() >= len(villagers),
            timeout=60,
            message=f"an answer to each of the {len(villagers)} commands",
        )

    assert served == {first: len(villagers) // 2, second: len(villagers) // 2}, "each instance took half"
    sent = [c for c in api.calls[mark:] if c.method == "sendMessage"]
    assert api.rejected_429 == 0 and not api.rejected_by_chat, "Telegram never had to refuse a message"
    assert [c.params["chat_id"] for c in sent] == [group.id] * len(villagers)
    assert all(c.params["text"].startswith("更多功能请私聊我") for c in sent)
    times = sorted(c.time for c in sent)
    in_one_window = max(sum(1 for t in times if start <= t < start + GROUP_WINDOW) for start in times)
    assert in_one_window <= GROUP_LIMIT
