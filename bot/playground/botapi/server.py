"""The HTTP side of the fake: the aiohttp application on ``127.0.0.1:<random port>``, its
lifecycle (``start``/``stop``, ``async with``), routing of ``/bot<token>/<method>`` to the method
implementations (token check, injected failures and delays, custom handlers, 404 for unknown
methods), reading form/multipart/JSON parameters, file downloads, and PTB wiring helpers."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import json
import logging
import re
import time
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote

import aiohttp
from aiohttp import web

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.files import FilesMixin
from bot.playground.botapi.helpers import _real_api_methods, _same
from bot.playground.botapi.models import ApiError, Call, StoredFile, _bad, _WithDescription
from bot.playground.botapi.parameters import _decode_value, _Params
from bot.playground.botapi.updates import UpdatesMixin

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

# The package's logger, as before the fake was split into modules.
_LOGGER = logging.getLogger(__name__.rpartition(".")[0])


class ServerMixin(UpdatesMixin, FilesMixin):
    """The aiohttp server: lifecycle, request routing and file downloads."""

    async def start(self) -> Self:
        """Start listening on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._signal = asyncio.Event()
        self._session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_worker(), name="FakeBotAPI:webhook")
        return self

    async def stop(self) -> None:
        """Stop the server, ending pending long polls and webhook deliveries."""
        self._closing = True
        self._notify()
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """``<root>/bot<token>`` – prefix of method URLs."""
        return f"{self.base_url}/bot{self.token}"

    def application_builder(self) -> ApplicationBuilder:
        """A PTB ``ApplicationBuilder`` already pointed at this fake."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(f"{self.base_url}/bot")
            .base_file_url(f"{self.base_url}/file/bot")
        )

    def make_bot(self) -> Bot:
        """A plain PTB ``Bot`` pointed at this fake (call ``initialize()`` or use ``async with``)."""
        from telegram import Bot

        return Bot(self.token, base_url=f"{self.base_url}/bot", base_file_url=f"{self.base_url}/file/bot")

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        key = raw_method.lower()
        canonical = (self._custom_handlers.get(key) or self._api_methods.get(key) or (raw_method, None))[0]
        is_poll = key == "getupdates"
        if not is_poll:
            self._inflight += 1
            self._touch()
        params: JSONDict = {}
        files: dict[str, StoredFile] = {}
        try:
            params, files = await self._read_params(request)
            for rule in list(self._delay_rules):
                if rule.method in (key, "*"):
                    rule.times -= 1
                    if rule.times <= 0:
                        self._delay_rules.remove(rule)
                    await asyncio.sleep(rule.seconds)
                    break
            result = await self._dispatch(token, key, params, files)
            status, body = 200, {"ok": True, "result": result}
            if isinstance(result, _WithDescription):
                body = {"ok": True, "result": result.result, "description": result.description}
        except ApiError as exc:
            status, body = exc.status, exc.body()
        except Exception as exc:  # a bug in the fake must be visible, not a hung test
            _LOGGER.exception("FakeBotAPI failed handling %s", raw_method)
            status, body = (
                500,
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"},
            )
        finally:
            if not is_poll:
                self._inflight -= 1
        if status == 429:
            self.rejected_429 += 1
        call = Call(
            method=canonical,
            params=params,
            files=files,
            time=arrived,
            status=status,
            response=copy.deepcopy(body),
            finished=time.monotonic(),
        )
        self.calls.append(call)
        if not is_poll:
            self._touch()
        self._notify()
        return web.json_response(body, status=status, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    async def _dispatch(self, token: str, key: str, params: JSONDict, files: dict[str, StoredFile]) -> Any:
        if token != self.token:
            if not re.fullmatch(r"\d+:[A-Za-z0-9_-]+", token):
                raise ApiError(404, "Not Found")
            raise ApiError(401, "Unauthorized")
        for rule in self._fail_rules:
            if rule.method not in (key, "*"):
                continue
            if rule.chat_id is not None and not _same(params.get("chat_id"), rule.chat_id):
                continue
            rule.times -= 1
            if rule.times <= 0:
                self._fail_rules.remove(rule)
            raise ApiError(rule.status, rule.description, rule.parameters)
        custom = self._custom_handlers.get(key)
        if custom is not None:
            result = custom[1](params, files)
        else:
            entry = self._api_methods.get(key)
            if entry is None:
                real = _real_api_methods().get(key)
                if real is not None:
                    _LOGGER.warning("FakeBotAPI does not implement %s", real)
                    raise _bad(f"method {real} is not implemented by FakeBotAPI (use fake.set_handler)")
                raise ApiError(404, "Not Found")
            result = getattr(self, entry[1])(_Params(params, files))
        if inspect.isawaitable(result):
            result = await result
        return copy.deepcopy(result)

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, StoredFile]]:
        raw: dict[str, Any] = dict(request.query)
        uploads: dict[str, tuple[bytes, str | None, str | None]] = {}
        content_type = request.content_type
        if request.can_read_body:
            if content_type == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                        continue
                    if part.filename is None:
                        raw[part.name] = await part.text()
                    else:
                        data = bytes(await part.read(decode=True))
                        mime = part.headers.get(aiohttp.hdrs.CONTENT_TYPE)
                        uploads[part.name] = (data, unquote(part.filename), mime)
            elif content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            else:
                raw.update(await request.post())
        params = {name: _decode_value(name, value) for name, value in raw.items()}
        files = {
            name: self._store_file(None, data, filename, mime, by_bot=True, register=False)
            for name, (data, filename, mime) in uploads.items()
        }
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
