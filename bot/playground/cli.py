"""``python -m bot playground``: start the playground, print its address, open it in a browser, run until
Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.config import Settings

if TYPE_CHECKING:
    from bot.playground.core import Playground

DEFAULT_PORT = 8765
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The playground's options."""
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the page's port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the page's address (default 127.0.0.1; anyone who can reach it can act as the admin)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("data"),
        help="folder of the playground's own database, playground.db (default ./data; real data is untouched)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")


def run(args: argparse.Namespace) -> int:
    """Run the playground until interrupted."""
    from bot.logs import configure_logging
    from bot.playground.core import Playground

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"error: invalid settings: {problems}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a port number", file=sys.stderr)
        return 2
    _bypass_proxy_for_loopback()
    playground = Playground(args.data, host=args.host, port=args.port)
    try:
        return asyncio.run(_serve(playground, open_browser=not args.no_browser))
    except KeyboardInterrupt:
        return 130


async def _serve(playground: Playground, *, open_browser: bool) -> int:
    from bot.playground.core import LOOPBACK, CannotListen
    from bot.startup import StartupError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(signum, stop.set)
    try:
        await playground.start()
    except (CannotListen, StartupError) as exc:
        await playground.stop()
        hint = "; choose another with --port" if isinstance(exc, CannotListen) else ""
        print(f"error: {exc}{hint}", file=sys.stderr)
        return 1
    print(f"星站 playground: {playground.url}")
    print("仅供试用和培训，不用于生产 · for trying and training, not for production. Ctrl+C stops it.")
    if playground.host not in LOOPBACK:
        print(f"warning: listening on {playground.host}, not only on this computer", file=sys.stderr)
    if open_browser and _graphical():
        await loop.run_in_executor(None, _open, playground.url)
    try:
        await stop.wait()
    finally:
        await playground.stop()
    return 0


def _graphical() -> bool:
    """Whether a browser window can open: without a display, Python would start a text browser in this very
    terminal."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _bypass_proxy_for_loopback() -> None:
    """The bot reaches the local Bot API server on 127.0.0.1: never through an ``HTTP_PROXY`` set for the
    real Telegram."""
    for name in ("NO_PROXY", "no_proxy"):
        current = [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]
        missing = [host for host in LOOPBACK_NAMES if host not in current]
        if missing:
            os.environ[name] = ",".join([*current, *missing])


def _open(url: str) -> None:
    try:
        webbrowser.open(url)
    except webbrowser.Error as exc:
        logging.getLogger(__name__).info("no browser to open the page in: %s", exc)
