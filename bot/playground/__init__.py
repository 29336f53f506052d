"""Try the whole bot with no token and no route to Telegram: a local Bot API server and a chat page.

``python -m bot playground`` starts, in one process and one event loop, the local Bot API server
(:mod:`bot.playground.botapi`), the real bot against it with its own SQLite database under the data folder,
and the page on ``http://127.0.0.1:8765``. The map:

* :mod:`.core` – :class:`Playground`: starting, stopping and resetting the three together;
* :mod:`.cast` – the people and the village groups; :mod:`.views` – a chat as one person sees it (with
  the command menu resolved as Telegram does); :mod:`.render` – messages and entities as safe HTML;
* :mod:`.server` – the page's HTTP API and change events; :mod:`.events` – which chats changed;
* :mod:`.clock` – moving the bot's time forward and running what fell due; :mod:`.tour` – the demo station.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.playground.core import Playground

__all__ = ["Playground"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the command line's parser must not load the whole bot.
    if name == "Playground":
        from bot.playground.core import Playground

        return Playground
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
