"""Inline search (``handlers/inline.py``): staff see every note in their own chat with the bot; anyone
else, and anywhere else, only public ones."""

from __future__ import annotations

import pytest

from bot.context import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser


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


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "private", "channel", None])
async def test_staff_notes_stay_out_of_other_chats(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, chat_type: str | None
) -> None:
    api = fake_bot_api
    mark = api.mark()
    await api.inline_query(asker, "退货流程", chat_type=chat_type)
    answered = await api.wait_for("answerInlineQuery", since=mark)
    notes = kb_bot.bot_data.knowledge
    titles = {r["title"] for r in answered.params["results"]}
    public = {n.title for n in notes.current().notes if n.audience == "public"}
    assert titles <= public, titles - public


async def test_staff_results_are_not_cached_for_other_chats(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    mark = api.mark()
    await api.inline_query(asker, "退货流程")
    answered = await api.wait_for("answerInlineQuery", since=mark)
    assert answered.params["results"] and int(answered.params["cache_time"]) == 0
