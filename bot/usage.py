"""Command arguments the bot could not understand, as a translatable answer.

A parser (in a service, or in a handler's argument parsing) raises ``UsageError(N_("Write the day like
this: /attendance {day}"), day="2026-12-07")``; the handler is wrapped in ``bot.replies.usage_errors``,
which answers with the text in the person's language. No ``telegram`` import: services raise it too.
"""

from __future__ import annotations

import html

from bot.i18n import Translate


class UsageError(ValueError):
    """A command's arguments were not understood; ``message`` is an untranslated message id."""

    def __init__(self, message: str, /, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def text(self, _: Translate) -> str:
        """The translated answer, HTML-safe (string fields are escaped: they may be what someone typed)."""
        fields = {
            key: _shown(value) if isinstance(value, str) else value for key, value in self.fields.items()
        }
        return _(self.message, **fields)


def _shown(text: str, limit: int = 80) -> str:
    """What someone typed, as it may be quoted back: escaped, and cut short (a 10,000-character "name" must
    not make the answer itself too long to send)."""
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")
