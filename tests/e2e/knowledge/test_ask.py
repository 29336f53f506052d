"""Asking (``handlers/ask.py``): the note in one reply, public notes only for job seekers and in groups."""

from __future__ import annotations

import pytest

from bot.context import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import buttons, reply_to
from tests.e2e.knowledge.conftest import DAY, NIGHT, TWIN_QUESTION, UNSURE, logged_questions


@pytest.mark.parametrize(
    "text", ["客户要推货怎么办", "tuihuo zenme ban", "退貨流程", "顾客说东西坏了想退钱可以吗😭"]
)
async def test_staff_questions_get_the_note_in_one_reply(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, text: str
) -> None:
    answer = await reply_to(fake_bot_api, asker, text)
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["text"].startswith("<b>📘 ")
    labels = [b["text"] for b in buttons(answer)]
    assert labels[:2] == ["👍", "👎"]
    [logged] = await logged_questions(kb_bot)
    assert logged.outcome == "answer" and logged.note_id and logged.text == text


async def test_unsure_match_offers_choices(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    unsure = await reply_to(fake_bot_api, asker, TWIN_QUESTION)
    assert unsure.params["text"] == UNSURE
    labels = [b["text"] for b in buttons(unsure)]
    assert 3 <= len(labels) <= 4 and {DAY, NIGHT} <= set(labels) and labels[-1] == "都不是"
    [question] = await logged_questions(twins)
    assert question.outcome == "suggest" and question.queue_state is None


async def test_job_seekers_only_see_public_notes(kb_bot: BotApplication, fake_bot_api: FakeBotAPI) -> None:
    api = fake_bot_api
    seeker = api.user(8101, "求职的小王")
    answer = await reply_to(api, seeker, "什么时候发工资")
    [question] = await logged_questions(kb_bot)
    assert question.audience == "public"
    if question.note_id:
        assert question.note_id.startswith("public/"), question.note_id
    staff_only = await reply_to(api, seeker, "退货流程")
    assert "退货" not in staff_only.params["text"] or "📘" not in staff_only.params["text"]
    assert answer


async def test_group_ask_uses_public_notes(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    group = api.group(-2001, "团队群")
    mark = api.mark()
    await api.add_bot_to_group(admin, group)
    await api.wait_for("sendMessage", since=mark, chat_id=group.id)
    usage = await reply_to(api, asker, "/ask", chat=group)
    assert "/ask" in usage.params["text"]
    await reply_to(api, asker, "/ask 在哪里上班", chat=group)
    [question] = await logged_questions(kb_bot)
    assert question.audience == "public"


async def test_a_caption_is_a_question(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    mark = api.mark()
    await api.send_photo(asker, caption="怎么退货")
    answer = await api.wait_for("sendMessage", since=mark, chat_id=asker.id)
    assert answer.params["text"].startswith("<b>📘 ") and "退货" in answer.params["text"]
    mark = api.mark()
    await api.send_document(asker, b"%PDF-1.4", file_name="order.pdf", caption="退款多久到账")
    answer = await api.wait_for("sendMessage", since=mark, chat_id=asker.id)
    assert answer.params["text"].startswith("<b>📘 ")
    assert [q.text for q in await logged_questions(kb_bot)] == ["怎么退货", "退款多久到账"]


@pytest.mark.parametrize("word", ["取消", "算了", " cancel "])
async def test_a_cancel_word_is_not_a_question(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, word: str
) -> None:
    answer = await reply_to(fake_bot_api, asker, word)
    assert "没有要取消" in answer.params["text"]
    assert await logged_questions(kb_bot) == []


async def test_a_question_with_a_nul_character_is_answered_and_logged(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    answer = await reply_to(fake_bot_api, asker, "退货\u0000流程")
    assert answer.params["text"].startswith("<b>📘 ")
    [question] = await logged_questions(kb_bot)
    assert question.text == "退货流程" and question.outcome == "answer"
