"""The buttons under answers (``handlers/answers.py``): copy scripts, "none of these", 👍/👎, forged data."""

from __future__ import annotations

from bot.context import BotApplication
from bot.knowledge.buttons import Rate
from bot.knowledge.models import QueueState
from tests.e2e.conftest import buttons, reply_to
from tests.e2e.knowledge.conftest import logged_questions
from tests.fakes.bot_api import FakeBotAPI, FakeUser


async def test_reply_script_has_a_copy_button(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    answer = await reply_to(fake_bot_api, asker, "顾客要求退货退款")
    copy = [b for b in buttons(answer) if "copy_text" in b]
    assert copy and copy[0]["copy_text"]["text"].startswith("亲")


async def test_none_of_the_suggestions_queues_the_question(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    unsure = await reply_to(api, asker, "工资能不能预支")
    mark = api.mark()
    await api.press_button(asker, unsure.result, text="都不是")
    await api.wait_for("editMessageText", since=mark, text=lambda t: "转给管理员" in t)
    [question] = await logged_questions(kb_bot)
    assert question.outcome == "suggest" and question.queue_state == QueueState.OPEN


async def test_thumbs_down_queues_the_question(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    answer = await reply_to(api, asker, "退货流程")
    intruder = api.user(8999, "路人")
    mark = api.mark()
    await api.press_button(intruder, answer.result, text="👎")
    refused = await api.wait_for("answerCallbackQuery", since=mark)
    assert "只有提问的人" in refused.params["text"]

    mark = api.mark()
    await api.press_button(asker, answer.result, text="👎")
    await api.wait_for("answerCallbackQuery", since=mark)
    edited = await api.wait_for("editMessageReplyMarkup", since=mark)
    assert "👍" not in str(edited.params.get("reply_markup"))
    [question] = await logged_questions(kb_bot)
    assert question.feedback == "down" and question.queue_state == QueueState.OPEN


async def test_forged_feedback_changes_nothing(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    answer = await reply_to(api, asker, "退货流程")
    [question] = await logged_questions(kb_bot)
    mark = api.mark()
    await api.press_button(asker, answer.result, f"{Rate.head()}:{question.id}:meh", strict=False)
    stale = await api.wait_for("answerCallbackQuery", since=mark)
    assert "失效" in stale.params["text"]
    [question] = await logged_questions(kb_bot)
    assert question.feedback is None and question.queue_state is None
