"""The page's web server: the page and its assets, the JSON API the page acts through, the chats' change
events (Server-Sent Events) and the files the bot sent.

Every request names who acts with ``as`` (query or body); an id outside the cast is a 400. Requests that
change something must be JSON (``Content-Type: application/json``), which a page of another site cannot send
without the browser asking first, and the ``Host`` must be the loopback name when the playground listens on
loopback (no DNS rebinding).
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from aiohttp import web

from bot import clock
from bot.context import BotApplication
from bot.playground import cast, tour, views
from bot.playground import clock as moves
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.playground.core import LOOPBACK, Playground
from bot.playground.render import local_iso

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
PLAYGROUND: web.AppKey[Playground] = web.AppKey("playground", Playground)
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
"""The bot's messages are shown as HTML (sanitised by :mod:`.render`); the page runs its own scripts only."""
ANSWER_WAIT_SECONDS = 3.0
KEEP_ALIVE_SECONDS = 15.0
MAX_TEXT_LENGTH = 4096
PING_AN = (36.5019, 102.1083)
"""平安区, 海东市: where the story of the station began; the location shared when no workplace is set."""
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


class Refused(Exception):
    """A request the playground answers with ``{"error": ...}``."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def _playground(request: web.Request) -> Playground:
    return request.app[PLAYGROUND]


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise Refused(400, f"{name} must be a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Refused(400, f"{name} must be a number") from None


async def _body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise Refused(415, "send JSON (Content-Type: application/json)")
    try:
        body = await request.json()
    except ValueError:
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Refused(400, "the body must be a JSON object")
    return body


def _actor(playground: Playground, value: Any) -> FakeUser:
    if value is None:
        raise Refused(400, "say who acts with 'as' (a cast member's id)")
    person_id = _int(value, "as")
    user = playground.users.get(person_id)
    if user is None or person_id not in cast.BY_ID:
        raise Refused(400, f"{person_id} is not in the cast")
    return user


def _visible_chat(user: FakeUser, value: Any) -> int:
    chat_id = _int(value, "chat_id")
    if not cast.can_see(user.id, chat_id):
        raise Refused(404, f"{user.first_name} has no chat {chat_id}")
    return chat_id


def _running(playground: Playground) -> tuple[FakeBotAPI, BotApplication]:
    try:
        return playground.require_running()
    except RuntimeError as exc:
        raise Refused(503, str(exc)) from None


@dataclass(frozen=True, slots=True)
class _Act:
    """A request in which a cast member acts: the body, the running bot and its server, who acts."""

    body: dict[str, Any]
    api: FakeBotAPI
    application: BotApplication
    user: FakeUser


async def _acting(request: web.Request) -> _Act:
    """Read an action's request: a JSON body naming a cast member (``as``), while the bot runs."""
    playground = _playground(request)
    body = await _body(request)
    api, application = _running(playground)
    return _Act(body, api, application, _actor(playground, body.get("as")))


# --- the page -----------------------------------------------------------------------------------------


async def page(request: web.Request) -> web.FileResponse:
    """The single page."""
    return web.FileResponse(
        STATIC_DIR / "index.html",
        headers={"Cache-Control": "no-cache", "Content-Security-Policy": PAGE_POLICY},
    )


# --- reading --------------------------------------------------------------------------------------------


async def state(request: web.Request) -> web.Response:
    """The bot, the clock, the cast and the groups."""
    playground = _playground(request)
    api, _application = _running(playground)
    return web.json_response(
        {
            "bot": {"username": api.bot_username, "name": api.bot_first_name},
            "clock": {
                "now": local_iso(clock.utcnow().timestamp(), playground.tz),
                "offset_minutes": int(clock.offset().total_seconds() // 60),
            },
            "cast": [person.to_json() for person in cast.CAST],
            "groups": [group.to_json() for group in cast.GROUPS],
        }
    )


async def chat(request: web.Request) -> web.Response:
    """One chat as the acting person sees it."""
    playground = _playground(request)
    api, _application = _running(playground)
    user = _actor(playground, request.query.get("as"))
    chat_id = _visible_chat(user, request.match_info["chat_id"])
    return web.json_response(views.chat(api, user, chat_id, playground.tz))


async def events(request: web.Request) -> web.StreamResponse:
    """``data: {"chat_id", "seq"}`` whenever a chat the acting person sees changes."""
    playground = _playground(request)
    user = _actor(playground, request.query.get("as"))
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    await response.write(b"retry: 1000\n\n")
    async with playground.watcher.subscribe() as queue:
        while True:
            try:
                change = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if change is None:
                break
            chat_id, seq = change
            if cast.can_see(user.id, chat_id):
                data = json.dumps({"chat_id": chat_id, "seq": seq})
                await response.write(f"data: {data}\n\n".encode())
    return response


async def file(request: web.Request) -> web.Response:
    """A file's bytes: images inline, everything else (an ``.xlsx``) as a download."""
    playground = _playground(request)
    api, _application = _running(playground)
    stored = api.files.get(request.match_info["file_id"])
    if stored is None:
        raise Refused(404, "no such file")
    name = stored.file_name or Path(stored.file_path).name
    content_type = mimetypes.guess_type(name)[0] or stored.mime_type or "application/octet-stream"
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    return web.Response(
        body=stored.data,
        content_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- acting ---------------------------------------------------------------------------------------------


def _ok(**extra: Any) -> web.Response:
    return web.json_response({"ok": True, **extra})


async def send(request: web.Request) -> web.Response:
    """A text message from the acting person."""
    act = await _acting(request)
    body, api, user = act.body, act.api, act.user
    chat_id = _visible_chat(user, body.get("chat_id"))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise Refused(400, "the text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise Refused(400, f"a message has at most {MAX_TEXT_LENGTH} characters")
    await api.send_text(user, text, chat=None if chat_id == user.id else chat_id)
    return _ok()


async def press(request: web.Request) -> web.Response:
    """The acting person presses an inline button; the bot's toast, if it answers in time."""
    act = await _acting(request)
    body, api, user = act.body, act.api, act.user
    chat_id = _visible_chat(user, body.get("chat_id"))
    message_id = _int(body.get("message_id"), "message_id")
    data = body.get("callback_data")
    if not isinstance(data, str) or not data:
        raise Refused(400, "callback_data is missing")
    mark = api.mark()
    try:
        update = await api.press_button(user, {"chat": {"id": chat_id}, "message_id": message_id}, data)
    except AssertionError as exc:
        raise Refused(400, str(exc)) from None
    query_id = update["callback_query"]["id"]
    try:
        answer = await api.wait_for(
            "answerCallbackQuery", since=mark, callback_query_id=query_id, timeout=ANSWER_WAIT_SECONDS
        )
    except AssertionError:
        return _ok(toast=None, alert=False)
    text = answer.params.get("text")
    return _ok(
        toast=text if isinstance(text, str) and text else None, alert=bool(answer.params.get("show_alert"))
    )


async def contact(request: web.Request) -> web.Response:
    """The acting person shares their own phone number in their private chat."""
    act = await _acting(request)
    api, user = act.api, act.user
    await api.share_contact(user, cast.BY_ID[user.id].phone)
    return _ok()


async def location(request: web.Request) -> web.Response:
    """The acting person shares a location: the workplace's when one is set, else 平安区."""
    act = await _acting(request)
    body, api, application, user = act.body, act.api, act.application, act.user
    chat_id = _visible_chat(user, body.get("chat_id", user.id))
    latitude, longitude = await moves.workplace(application) or PING_AN
    await api.share_location(
        user, latitude, longitude, horizontal_accuracy=15.0, chat=None if chat_id == user.id else chat_id
    )
    return _ok()


async def poll(request: web.Request) -> web.Response:
    """The acting person answers a poll."""
    act = await _acting(request)
    body, api, user = act.body, act.api, act.user
    chat_id = _visible_chat(user, body.get("chat_id"))
    message = api.message(chat_id, _int(body.get("message_id"), "message_id"))
    if message is None or "poll" not in message:
        raise Refused(404, "no such poll")
    options = body.get("option_ids")
    if not isinstance(options, list) or not options:
        raise Refused(400, "option_ids must be a non-empty list")
    try:
        await api.answer_poll(user, message["poll"]["id"], [_int(o, "option_ids") for o in options])
    except AssertionError as exc:
        raise Refused(400, str(exc)) from None
    return _ok()


_LINK = re.compile(r"^/([A-Za-z0-9_]{3,64})/?$")


async def open_link(request: web.Request) -> web.Response:
    """The acting person opens a ``https://t.me/<bot>?start=<payload>`` link: ``/start <payload>`` in their
    private chat with the bot."""
    act = await _acting(request)
    body, api, user = act.body, act.api, act.user
    url = body.get("url")
    if not isinstance(url, str):
        raise Refused(400, "url is missing")
    parts = urlsplit(url.strip())
    name = _LINK.match(parts.path)
    if (
        parts.scheme not in ("https", "http", "tg")
        or parts.hostname not in ("t.me", "telegram.me")
        or not name
    ):
        raise Refused(400, "not a t.me link to the bot")
    if name.group(1).lower() != api.bot_username.lower():
        raise Refused(400, f"the playground has only @{api.bot_username}")
    query = parse_qs(parts.query, keep_blank_values=True)
    payload = (query.get("start") or query.get("startgroup") or [""])[0]
    await api.send_text(user, f"/start {payload}".strip())
    return _ok(chat_id=user.id)


# --- the whole playground ----------------------------------------------------------------------------------


async def move_clock(request: web.Request) -> web.Response:
    """Move the bot's clock forward and run whatever fell due."""
    playground = _playground(request)
    body = await _body(request)
    if body.get("as") is not None:
        _actor(playground, body["as"])
    to = body.get("to")
    minutes = body.get("minutes")
    try:
        async with playground.lock:
            now = await moves.move(playground, str(to), None if minutes is None else _int(minutes, "minutes"))
    except moves.ClockError as exc:
        raise Refused(400, str(exc)) from None
    return web.json_response({"now": local_iso(now.timestamp(), playground.tz)})


async def run_tour(request: web.Request) -> web.Response:
    """Seed a demo station."""
    playground = _playground(request)
    body = await _body(request)
    if body.get("as") is not None:
        _actor(playground, body["as"])
    async with playground.lock:
        _running(playground)
        await tour.seed(playground)
    return _ok()


async def reset(request: web.Request) -> web.Response:
    """An empty playground again."""
    playground = _playground(request)
    body = await _body(request)
    if body.get("as") is not None:
        _actor(playground, body["as"])
    async with playground.lock:
        await playground.reset()
    return _ok()


# --- plumbing -------------------------------------------------------------------------------------------------


def _host_name(host: str) -> str:
    """``127.0.0.1:8765`` → ``127.0.0.1``; ``[::1]:8765`` → ``[::1]``."""
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0]


def _loopback_only(playground: Playground) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def check(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if playground.host in LOOPBACK and _host_name(request.host or "") not in _LOOPBACK_HOSTS:
            return web.json_response({"error": "open the playground at its loopback address"}, status=403)
        return await handler(request)

    return check


@web.middleware
async def refusals(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Refusals as ``{"error": ...}``; a failure is logged and answered 500."""
    try:
        return await handler(request)
    except Refused as exc:
        return web.json_response({"error": exc.error}, status=exc.status)
    except web.HTTPException:
        raise
    except (ConnectionResetError, asyncio.CancelledError):
        raise
    except Exception as exc:
        log.exception("playground request %s %s failed", request.method, request.path)
        return web.json_response({"error": f"the playground failed: {exc}"}, status=500)


def web_application(playground: Playground) -> web.Application:
    """The page's aiohttp application."""
    app = web.Application(middlewares=[_loopback_only(playground), refusals], client_max_size=1024 * 1024)
    app[PLAYGROUND] = playground
    app.router.add_get("/", page)
    app.router.add_static("/static", STATIC_DIR, append_version=False)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/chats/{chat_id}", chat)
    app.router.add_get("/api/events", events)
    app.router.add_get("/files/{file_id}", file)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/contact", contact)
    app.router.add_post("/api/location", location)
    app.router.add_post("/api/poll", poll)
    app.router.add_post("/api/open", open_link)
    app.router.add_post("/api/clock", move_clock)
    app.router.add_post("/api/tour", run_tour)
    app.router.add_post("/api/reset", reset)
    return app
