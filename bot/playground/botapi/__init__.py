"""An in-process fake of the Telegram Bot API HTTP server.

``FakeBotAPI`` speaks the wire protocol of ``api.telegram.org`` closely enough for a real
python-telegram-bot ``Application`` to run against it unchanged: long polling and webhooks,
sending/editing/deleting messages with Telegram's own error texts, HTML/MarkdownV2/Markdown
parsing into entities, file uploads and downloads, flood limits, and helpers that act as users
(send text, press buttons, answer polls, share contacts, add the bot to groups, block it, ...).

Wiring a PTB application::

    async with FakeBotAPI() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(f"{fake.base_url}/bot")
            .base_file_url(f"{fake.base_url}/file/bot")
            .build()
        )  # or simply: fake.application_builder().build()
        ...
        user = fake.user(1001, "阿明")
        await fake.send_text(user, "/start")
        call = await fake.wait_for("sendMessage", chat_id=user.id)
        assert fake.last_sent(user)["text"] == "..."

Fidelity notes (checked against the real server and PTB 22.8):

* Unknown methods answer 404 ``Not Found`` like api.telegram.org (PTB raises ``InvalidToken``,
  or ``EndPointNotFound`` from ``Bot.do_api_request``). Real Bot API methods that the fake does
  not implement answer 400 "method X is not implemented by FakeBotAPI" instead, so a missing
  feature is not mistaken for a token problem; add them with :meth:`FakeBotAPI.set_handler`.
* PTB sends every non-string parameter JSON-encoded inside a form field (``chat_id=123``,
  ``reply_markup={"inline_keyboard": ...}``); strings are sent raw, so ``text="123"`` must not
  be JSON-decoded. :attr:`Call.params` holds the decoded values.
* Texts are parsed like Telegram does (HTML, MarkdownV2, Markdown; UTF-16 entity offsets,
  whitespace trimmed, urls/commands/mentions/hashtags detected), so ``sent_messages`` shows what
  the user sees and bad markup fails with Telegram's "can't parse entities" errors.
* Editing a message without ``reply_markup`` removes its inline keyboard, as on Telegram.
* Updates are kept until confirmed with a higher getUpdates ``offset`` (or delivered to the
  webhook with a 2xx answer); ``chat_member`` and reaction updates are only delivered when
  requested via ``allowed_updates``.

Layout of this package (``FakeBotAPI`` is composed of one mixin per module):

* :mod:`.state` – ``_FakeState``: all instance state and the core internals every mixin uses;
* :mod:`.server` – the aiohttp app, lifecycle and routing; :mod:`.updates` – long polling and
  webhooks; :mod:`.files` – file storage and ``getFile``;
* :mod:`.users` and :mod:`.membership` – acting as users; :mod:`.inspection` – recorded calls
  and chat state; :mod:`.failures` – error/delay injection and flood limits;
* :mod:`.methods` – the other Bot API method implementations (messages, edits, polls, queries,
  chats, the bot's settings), registered with :func:`.parameters._api`;
* :mod:`.formatting` / :mod:`.parsers` – Telegram's text formatting; :mod:`.models`,
  :mod:`.constants`, :mod:`.parameters`, :mod:`.helpers` – shared types and helpers.
"""

from __future__ import annotations

from bot.playground.botapi.constants import DEFAULT_ALLOWED_UPDATES as DEFAULT_ALLOWED_UPDATES
from bot.playground.botapi.constants import DEFAULT_TOKEN
from bot.playground.botapi.constants import MAX_CAPTION_LENGTH as MAX_CAPTION_LENGTH
from bot.playground.botapi.constants import MAX_TEXT_LENGTH as MAX_TEXT_LENGTH
from bot.playground.botapi.constants import JSONDict as JSONDict
from bot.playground.botapi.failures import FailuresMixin
from bot.playground.botapi.files import FilesMixin
from bot.playground.botapi.formatting import parse_formatted_text
from bot.playground.botapi.inspection import InspectionMixin
from bot.playground.botapi.membership import MembershipMixin
from bot.playground.botapi.methods import (
    BotMixin,
    ChatsMixin,
    EditingMixin,
    MessagesMixin,
    PollsMixin,
    QueriesMixin,
)
from bot.playground.botapi.models import ApiError, Call, FakeChat, FakeUser, StoredFile
from bot.playground.botapi.models import ChatRef as ChatRef
from bot.playground.botapi.parameters import _api as _api
from bot.playground.botapi.parameters import _Params as _Params
from bot.playground.botapi.parsers import _parse_html as _parse_html
from bot.playground.botapi.parsers import _parse_markdown as _parse_markdown
from bot.playground.botapi.parsers import _parse_markdown_v2 as _parse_markdown_v2
from bot.playground.botapi.server import ServerMixin
from bot.playground.botapi.updates import UpdatesMixin
from bot.playground.botapi.users import UsersMixin

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "StoredFile",
    "parse_formatted_text",
]


class FakeBotAPI(
    ServerMixin,
    UpdatesMixin,
    MembershipMixin,
    UsersMixin,
    InspectionMixin,
    MessagesMixin,
    EditingMixin,
    PollsMixin,
    QueriesMixin,
    ChatsMixin,
    BotMixin,
    FailuresMixin,
    FilesMixin,
):
    """A fake Telegram Bot API server on ``127.0.0.1:<random port>``.

    Use as ``async with FakeBotAPI() as fake: ...`` or call :meth:`start`/:meth:`stop`.
    Everything runs on the caller's event loop, so tests, the fake and the PTB application
    share one loop and state changes are atomic between ``await`` points.

    The constructor (``token``, ``bot_username``, ``group_privacy`` ...) is
    :meth:`_FakeState.__init__ <bot.playground.botapi.state._FakeState.__init__>`; Bot API
    methods are found on every mixin (see :func:`bot.playground.botapi.parameters._api_table`).
    """
