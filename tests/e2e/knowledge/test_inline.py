"""Inline search (``handlers/inline.py``): staff see every note, anyone else only public ones."""

from __future__ import annotations

from bot.context import BotApplication
from tests.fakes.bot_api import FakeBotAPI, FakeUser


async def test_inline_search_respects_the_audience(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    mark = api.mark()
    await api.inline_query(asker, "退货")
    results = (await api.wait_for("answerInlineQuery", since=mark)).params["results"]
    assert results and any("退货" in r["title"] for r in results)

    seeker = api.user(8102, "路人甲")
    mark = api.mark()
    await api.inline_query(seeker, "退货")
    public = (await api.wait_for("answerInlineQuery", since=mark)).params["results"]
    assert all("退货" not in r["title"] for r in public)
