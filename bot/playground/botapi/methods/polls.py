"""Polls: ``sendPoll`` (regular and quiz polls, Telegram's limits and error texts) and ``stopPoll``.

Objects are shaped as Bot API 10.0 (python-telegram-bot 22.8) sends them: options with a ``persistent_id``,
a quiz's right options as ``correct_option_ids`` (and ``correct_option_id`` when there is one), visible to
the bot as for any poll it sent itself, with the ``explanation``. Users answer with
:meth:`~bot.playground.botapi.users.UsersMixin.answer_poll`; stopping a poll gives the bot a ``poll`` update.
Texts for Telegram's quiz-specific refusals (the right option, the explanation) are the fake's own wording.
"""

from __future__ import annotations

import copy

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.methods.content import ContentMixin
from bot.playground.botapi.models import _bad, _PollState
from bot.playground.botapi.parameters import _api, _Params

MAX_POLL_QUESTION_LENGTH = 300
MAX_POLL_OPTIONS = 12
MAX_POLL_OPTION_LENGTH = 100
MAX_EXPLANATION_LENGTH = 200
MAX_EXPLANATION_LINE_FEEDS = 2


class PollsMixin(ContentMixin):
    """The bot sending and stopping polls."""

    @_api("sendPoll")
    def _m_send_poll(self, params: _Params) -> JSONDict:
        state = self._chat_for_send(params)
        question = (params.str("question", "") or "").strip()
        if not question:
            raise _bad("poll question must be non-empty")
        if len(question) > MAX_POLL_QUESTION_LENGTH:
            raise _bad(f"poll question length must not exceed {MAX_POLL_QUESTION_LENGTH}")
        options = self._poll_options(params)
        kind = params.str("type") or "regular"
        if kind not in ("regular", "quiz"):
            raise _bad("unsupported poll type specified")
        anonymous = True if params.get("is_anonymous") is None else params.bool("is_anonymous")
        revoting = kind != "quiz" if params.get("allows_revoting") is None else params.bool("allows_revoting")
        poll: JSONDict = {
            "id": str(next(self._poll_ids)),
            "question": question,
            "options": [
                {"persistent_id": str(number), "text": text, "voter_count": 0}
                for number, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": params.bool("is_closed"),
            "is_anonymous": anonymous,
            "allows_multiple_answers": params.bool("allows_multiple_answers"),
            "allows_revoting": revoting,
            "members_only": params.bool("members_only"),
            "type": kind,
        }
        if kind == "quiz":
            correct = self._correct_options(params, len(options))
            if len(correct) == 1:
                poll["correct_option_id"] = correct[0]
            poll["correct_option_ids"] = correct
            explanation, entities = self._format(params, "explanation", "explanation_entities")
            if len(explanation) > MAX_EXPLANATION_LENGTH:
                raise _bad(f"explanation length must not exceed {MAX_EXPLANATION_LENGTH}")
            if explanation.count("\n") > MAX_EXPLANATION_LINE_FEEDS:
                raise _bad(f"explanation must not have more than {MAX_EXPLANATION_LINE_FEEDS} line feeds")
            if explanation:
                poll["explanation"] = explanation
                poll["explanation_entities"] = entities
        open_period = params.int("open_period")
        if open_period:
            poll["open_period"] = open_period
        msg = self._send_bot_message(state, params, {"poll": poll})
        self._polls[poll["id"]] = _PollState(state.chat.id, msg["message_id"])
        return msg

    @staticmethod
    def _correct_options(params: _Params, count: int) -> list[int]:
        """A quiz's right options: ``correct_option_ids`` (Bot API 9.6), or the older ``correct_option_id``."""
        raw = params.json("correct_option_ids")
        if raw is None and params.get("correct_option_id") is not None:
            raw = [params.int("correct_option_id")]
        if not isinstance(raw, list) or not raw:
            raise _bad("wrong correct option identifier specified")
        if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < count for i in raw):
            raise _bad("wrong correct option identifier specified")
        return sorted(set(raw))

    def _poll_options(self, params: _Params) -> list[str]:
        raw = params.json("options")
        if not isinstance(raw, list):
            raise _bad("expected an Array of String as options")
        options = []
        for option in raw:
            if isinstance(option, dict) and isinstance(option.get("text"), str):
                options.append(option["text"])
            elif isinstance(option, str):
                options.append(option)
            else:
                raise _bad("expected an option to be of type String")
        if len(options) < 2:
            raise _bad("poll must have at least 2 option")
        if len(options) > MAX_POLL_OPTIONS:
            raise _bad(f"poll can't have more than {MAX_POLL_OPTIONS} options")
        for text in options:
            if not text.strip():
                raise _bad("poll options must be non-empty")
            if len(text) > MAX_POLL_OPTION_LENGTH:
                raise _bad(f"poll options length must not exceed {MAX_POLL_OPTION_LENGTH}")
        return [text.strip() for text in options]

    @_api("stopPoll")
    def _m_stop_poll(self, params: _Params) -> JSONDict:
        state = self._lookup_chat(params.get("chat_id"))
        self._check_access(state, sending=False)
        message_id = params.int("message_id", empty="message identifier is not specified")
        msg = state.messages.get(int(message_id or 0))
        if msg is None or "poll" not in msg:
            raise _bad("message with poll to stop not found")
        if msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        poll = msg["poll"]
        if poll["is_closed"]:
            raise _bad("poll has already been closed")
        inline, _effect = self._validate_markup(params.get("reply_markup"))
        poll["is_closed"] = True
        if inline is not None:
            msg["reply_markup"] = inline
        else:
            msg.pop("reply_markup", None)
        self._push_update("poll", copy.deepcopy(poll))
        return copy.deepcopy(poll)
