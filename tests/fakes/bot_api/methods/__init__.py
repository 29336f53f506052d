"""The Bot API method implementations, one mixin per group of methods.

Each method is registered with :func:`~tests.fakes.bot_api.parameters._api`. The long-polling
and webhook methods live in :mod:`tests.fakes.bot_api.updates`, ``getFile`` in
:mod:`tests.fakes.bot_api.files`.
"""

from tests.fakes.bot_api.methods.bot import BotMixin
from tests.fakes.bot_api.methods.chats import ChatsMixin
from tests.fakes.bot_api.methods.content import ContentMixin
from tests.fakes.bot_api.methods.editing import EditingMixin
from tests.fakes.bot_api.methods.messages import MessagesMixin
from tests.fakes.bot_api.methods.polls import PollsMixin
from tests.fakes.bot_api.methods.queries import QueriesMixin

__all__ = [
    "BotMixin",
    "ChatsMixin",
    "ContentMixin",
    "EditingMixin",
    "MessagesMixin",
    "PollsMixin",
    "QueriesMixin",
]
