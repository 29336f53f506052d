"""The Bot API transport on aiohttp, against a small local HTTP server."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest, request_was_not_sent

TOKEN = "123:secret"
UNKNOWN_CHAT = 404


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    content_type: str
    user_agent: str
    fields: dict[str, str]
    files: dict[str, tuple[str, str, bytes]]  # name: (filename, content type, content)


@dataclass
class FakeApi:
    """A Bot API server answering a few methods; ``hold`` keeps ``slow`` answers waiting."""

    server: TestServer
    received: list[Received] = field(default_factory=list)
    hold: asyncio.Event = field(default_factory=asyncio.Event)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return str(self.server.make_url("/bot"))

    def url(self, method: str) -> str:
        return f"{self.base_url}{TOKEN}/{method}"


def _message(chat_id: int, **extra: Any) -> dict[str, Any]:
    return {"message_id": 7, "date": 0, "chat": {"id": chat_id, "type": "private"}, **extra}


async def _handle(api: FakeApi, request: web.Request) -> web.Response:
    method = request.match_info["method"]
    form = await request.post()
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            files[name] = (value.filename, value.content_type, value.file.read())
        else:
            fields[name] = str(value)
    api.received.append(
        Received(method, request.content_type, request.headers.get("User-Agent", ""), fields, files)
    )
    api.arrived.set()
    if method == "slow":
        await api.hold.wait()
        return web.json_response({"ok": True, "result": True})
    if method == "getMe":
        user = {"id": 123, "is_bot": True, "first_name": "Bot", "username": "test_bot"}
        return web.json_response({"ok": True, "result": user})
    if method == "sendMessage":
        chat_id = int(fields["chat_id"])
        if chat_id == UNKNOWN_CHAT:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            return web.json_response(body, status=400)
        return web.json_response({"ok": True, "result": _message(chat_id, text=fields["text"])})
    if method == "sendDocument":
        document = {"file_id": "f1", "file_unique_id": "u1", "file_name": files["document"][0]}
        return web.json_response({"ok": True, "result": _message(int(fields["chat_id"]), document=document)})
    if method == "flood":
        body = {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests",
            "parameters": {"retry_after": 3},
        }
        return web.json_response(body, status=429)
    return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client honours proxy variables; requests to the local server must go straight to it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def api() -> AsyncIterator[FakeApi]:
    app = web.Application()
    server = TestServer(app, host="127.0.0.1", port=0)
    fake = FakeApi(server)

    async def handle(request: web.Request) -> web.Response:
        return await _handle(fake, request)

    app.router.add_post("/bot{token}/{method}", handle)
    await server.start_server()
    try:
        yield fake
    finally:
        fake.hold.set()
        await server.close()


@pytest.fixture
async def client() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest()
    await request.initialize()
    yield request
    await request.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_bot_method_parameters_arrive_as_form_fields(api: FakeApi) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("签到", callback_data="in")]])
    async with Bot(TOKEN, base_url=api.base_url, request=AiohttpRequest()) as bot:
        message = await bot.send_message(chat_id=42, text="你好", reply_markup=markup)

    assert message.chat_id == 42 and message.text == "你好"
    sent = api.received[-1]
    assert [r.method for r in api.received] == ["getMe", "sendMessage"]
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert sent.user_agent == BaseRequest.USER_AGENT
    assert sent.fields["chat_id"] == "42" and sent.fields["text"] == "你好"
    assert json.loads(sent.fields["reply_markup"]) == {
        "inline_keyboard": [[{"text": "签到", "callback_data": "in"}]]
    }
    assert sent.files == {}


async def test_file_upload_is_multipart_with_filename_and_content(api: FakeApi) -> None:
    async with Bot(TOKEN, base_url=api.base_url, request=AiohttpRequest()) as bot:
        message = await bot.send_document(
            chat_id=5, document=b"hello\x00world", filename="a.txt", caption="报表"
        )

    assert message.document is not None and message.document.file_name == "a.txt"
    sent = api.received[-1]
    assert sent.method == "sendDocument"
    assert sent.content_type == "multipart/form-data"
    assert sent.fields == {"chat_id": "5", "caption": "报表"}
    assert sent.files == {"document": ("a.txt", "text/plain", b"hello\x00world")}


async def test_request_without_data_is_sent(api: FakeApi, client: AiohttpRequest) -> None:
    payload = await client.post(api.url("getMe"))
    assert payload["username"] == "test_bot"
    assert api.received[-1].fields == {}


async def test_request_data_built_by_ptb_is_posted(api: FakeApi, client: AiohttpRequest) -> None:
    data = RequestData(
        [RequestParameter.from_input("chat_id", 9), RequestParameter.from_input("text", "a&b=c")]
    )
    await client.post(api.url("sendMessage"), request_data=data)
    assert api.received[-1].fields == {"chat_id": "9", "text": "a&b=c"}


async def test_slow_answer_times_out_and_may_have_been_sent(api: FakeApi) -> None:
    """A read timeout comes after the request went out: the server may have acted on it."""
    request = AiohttpRequest(read_timeout=0.1)
    await request.initialize()
    try:
        started = time.monotonic()
        with pytest.raises(TimedOut) as caught:
            await request.post(api.url("slow"))
        assert time.monotonic() - started < 2  # (the answer never comes: only the timeout ends it)
    finally:
        await request.shutdown()
    assert [r.method for r in api.received] == ["slow"]
    assert request_was_not_sent(caught.value) is False


async def test_read_timeout_given_to_the_call_wins(api: FakeApi, client: AiohttpRequest) -> None:
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await client.post(api.url("slow"), read_timeout=0.1)
    assert time.monotonic() - started < 2  # (the answer never comes: only the timeout ends it)


async def test_waiting_for_a_pooled_connection_times_out_unsent(api: FakeApi) -> None:
    """With the only connection busy, the next request gives up after pool plus connect timeout."""
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.05, connect_timeout=0.05)
    await request.initialize()
    try:
        busy = asyncio.create_task(request.post(api.url("slow")))
        await asyncio.wait_for(api.arrived.wait(), 0.5)
        started = time.monotonic()
        with pytest.raises(TimedOut) as caught:
            await request.post(api.url("getMe"))
        assert time.monotonic() - started < 2  # (the busy connection is never freed)
        assert request_was_not_sent(caught.value) is True
        assert [r.method for r in api.received] == ["slow"]
        api.hold.set()
        assert await busy is True
    finally:
        await request.shutdown()


async def test_refused_connection_is_a_network_error_not_sent(client: AiohttpRequest) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot{TOKEN}/getMe"
    with pytest.raises(NetworkError) as caught:
        await client.post(url)
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp.ClientConnectorError" in str(caught.value)
    assert request_was_not_sent(caught.value) is True


async def test_error_answers_become_ptb_errors(api: FakeApi, client: AiohttpRequest) -> None:
    data = RequestData([RequestParameter.from_input("chat_id", UNKNOWN_CHAT)])
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await client.post(api.url("sendMessage"), request_data=data)
    with pytest.raises(RetryAfter, match=r"Retry in (3 seconds|0:00:03)"):
        await client.post(api.url("flood"))


async def test_bot_method_error_answer_raises_bad_request(api: FakeApi) -> None:
    async with Bot(TOKEN, base_url=api.base_url, request=AiohttpRequest()) as bot:
        with pytest.raises(BadRequest, match=r"^Chat not found$"):
            await bot.send_message(chat_id=UNKNOWN_CHAT, text="hi")


async def test_do_request_before_initialize_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/", "POST")


async def test_initialize_after_shutdown_works_again(api: FakeApi) -> None:
    request = AiohttpRequest()
    await request.initialize()
    await request.initialize()  # a second call keeps the open session
    assert (await request.post(api.url("getMe")))["id"] == 123
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request(api.url("getMe"), "POST")
    await request.initialize()
    try:
        assert (await request.post(api.url("getMe")))["id"] == 123
    finally:
        await request.shutdown()


def test_read_timeout_property_is_the_configured_one() -> None:
    assert AiohttpRequest(read_timeout=2.5).read_timeout == 2.5
    assert AiohttpRequest(read_timeout=None).read_timeout is None


def _failed(cause: BaseException | None) -> NetworkError:
    error = NetworkError("failed")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("cause", "not_sent"),
    [
        (None, False),
        (OSError("reset"), False),
        (httpx.ConnectError("refused"), True),
        (httpx.ConnectTimeout("slow connect"), True),
        (httpx.PoolTimeout("pool"), True),
        (httpx.ReadTimeout("slow answer"), False),
    ],
)
def test_request_was_not_sent_recognises_httpx_causes(cause: BaseException | None, not_sent: bool) -> None:
    assert request_was_not_sent(_failed(cause)) is not_sent


def test_the_proxy_comes_from_the_environment_once_per_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY / NO_PROXY are honoured, looked up once for each server, not on every request."""
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "local.example")
    request = AiohttpRequest()
    proxy, auth = request._proxy("https://api.telegram.org/bot123:x/getMe")
    assert str(proxy) == "http://proxy.example:3128" and auth is not None and auth.login == "user"
    assert request._proxy("https://local.example:8081/bot123:x/getMe") == (None, None)
    monkeypatch.delenv("HTTPS_PROXY")
    assert request._proxy("https://api.telegram.org/bot123:x/sendMessage")[0] == proxy  # remembered
    assert AiohttpRequest()._proxy("https://api.telegram.org/bot123:x/getMe") == (None, None)
