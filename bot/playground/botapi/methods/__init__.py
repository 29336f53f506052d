"""The Bot API method implementations, one mixin per group of methods.

Each method is registered with :func:`~bot.playground.botapi.parameters._api`. The long-polling
and webhook methods live in :mod:`bot.playground.botapi.updates`, ``getFile`` in
:mod:`bot.playground.botapi.files`.
"""

from bot.playground.botapi.methods.bot import BotMixin
from bot.playground.botapi.methods.chats import ChatsMixin
from bot.playground.botapi.methods.content import ContentMixin
from bot.playground.botapi.methods.editing import EditingMixin
from bot.playground.botapi.methods.messages import MessagesMixin
from bot.playground.botapi.methods.polls import PollsMixin
from bot.playground.botapi.methods.queries import QueriesMixin

__all__ = [
    "BotMixin",
    "ChatsMixin",
    "ContentMixin",
    "EditingMixin",
    "MessagesMixin",
    "PollsMixin",
    "QueriesMixin",
]
