"""Fillers: particles, politeness and question words go, meaning words stay."""

from __future__ import annotations

from bot.knowledge.search.fillers import strip_fillers
from bot.knowledge.search.text import normalize


def test_strip_fillers_keeps_meaning_words() -> None:
    assert strip_fillers(normalize("亲，请问一下物流一直不更新怎么办呀？")) == "物流一直不更新"
    assert strip_fillers("工资能不能预支") == "工资 预支"
    assert strip_fillers("亲自去网吧吧") == "亲自去网吧"
    assert strip_fillers("how do i handle a refund") == "handle refund"
    assert strip_fillers("亲亲 在吗") == ""
