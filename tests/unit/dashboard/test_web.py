"""The dashboard in the bot's web server: started beside long polling, never the bot's downfall."""

from __future__ import annotations

import logging
import socket
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import utcnow
from bot.config import Settings
from bot.dashboard import routes
from bot.web import WEBHOOK_PATH, serve_with_polling, start_dashboard, web_application


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(port: int) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token="1:x",
        webapp_url="https://dash.example/",
        webapp_listen="127.0.0.1",
        webapp_port=port,
    )


def _failing_bot() -> Any:
    def broken_database() -> Any:
        raise RuntimeError("the database is on fire")

    return SimpleNamespace(bot_data=SimpleNamespace(db=broken_database, settings=_settings(1)))


async def test_a_port_in_use_is_one_log_line_and_no_dashboard(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR, logger="bot.web"):
            runner = await start_dashboard(_failing_bot(), "127.0.0.1", port)
    assert runner is None
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert line.startswith(f"the dashboard cannot listen on 127.0.0.1:{port} (")
    assert line.endswith("the bot runs without it")


async def test_polling_mode_serves_between_the_bot_hooks() -> None:
    """run_polling calls post_init then post_shutdown: the page is served in between, after the bot's own
    startup hook and before its own shutdown hook."""
    port = _free_port()
    order: list[str] = []

    async def started(_: Any) -> None:
        order.append("bot started")

    async def stopped(_: Any) -> None:
        order.append("bot stopped")

    application: Any = SimpleNamespace(
        post_init=started, post_shutdown=stopped, bot_data=_failing_bot().bot_data
    )
    serve_with_polling(application, _settings(port))
    await application.post_init(application)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/") as response:
            assert response.status == 200 and "static/app.js" in await response.text()
        await application.post_shutdown(application)
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(f"http://127.0.0.1:{port}/")
    assert order == ["bot started", "bot stopped"]


async def test_one_server_serves_the_webhook_and_the_dashboard() -> None:
    app = web_application(_failing_bot(), webhook_secret="s3cret", dashboard=True)
    async with TestClient(TestServer(app)) as client:
        assert (await client.post(WEBHOOK_PATH)).status == 403  # the webhook, still asking for its secret
        assert (await client.get("/static/app.js")).status == 200
        assert (await client.post("/api/session")).status == 401
        page = await client.get("/")
        assert "script-src 'self';" in page.headers["Content-Security-Policy"]  # no inline or foreign script


async def test_a_failing_request_is_answered_500_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = web_application(_failing_bot(), dashboard=True)
    async with TestClient(TestServer(app)) as client:
        token, _ = app[routes.SESSIONS].open(1, 5001, utcnow())
        with caplog.at_level(logging.ERROR, logger="bot.dashboard.routes"):
            response = await client.get("/api/today", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 500 and await response.json() == {"error": "internal"}
        assert "GET /api/today failed" in caplog.text
        assert (await client.get("/static/app.js")).status == 200  # and it keeps serving
