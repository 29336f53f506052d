"""Answering users' queries: ``answerCallbackQuery`` (inline button presses) and
``answerInlineQuery``; the answers are kept in ``callback_answers`` / ``inline_answers``."""

from __future__ import annotations

from bot.playground.botapi.models import _bad
from bot.playground.botapi.parameters import _api, _Params
from bot.playground.botapi.state import _FakeState


class QueriesMixin(_FakeState):
    """Answers to callback and inline queries."""

    @_api("answerCallbackQuery")
    def _m_answer_callback_query(self, params: _Params) -> bool:
        query_id = params.str("callback_query_id", "") or ""
        if query_id not in self._callback_queries or query_id in self.callback_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        answer = {
            key: params.get(key) for key in ("text", "show_alert", "url", "cache_time") if key in params
        }
        self.callback_answers[query_id] = answer
        return True

    @_api("answerInlineQuery")
    def _m_answer_inline_query(self, params: _Params) -> bool:
        query_id = params.str("inline_query_id", "") or ""
        if query_id not in self._inline_queries or query_id in self.inline_answers:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        results = params.json("results")
        if not isinstance(results, list):
            raise _bad("can't parse JSON encoded inline query results")
        if len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            for key in ("type", "id"):
                if not isinstance(result, dict) or key not in result:
                    raise _bad(f"can't parse InlineQueryResult: Can't find field \"{key}\"")
            result_id = str(result["id"])
            if not 1 <= len(result_id.encode()) <= 64:
                raise _bad("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad("RESULT_ID_DUPLICATE")
            seen.add(result_id)
        answer = {key: params.get(key) for key in ("cache_time", "is_personal", "next_offset", "button")}
        self.inline_answers[query_id] = {
            "results": results,
            **{k: v for k, v in answer.items() if v is not None},
        }
        return True
