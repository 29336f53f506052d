"""The buttons under answers (``handlers/answers.py``): copy scripts, "none of these", 👍/👎, forged data, the
rest of a long note."""

from __future__ import annotations

from collections.abc import Awaitable

from bot.context import BotApplication
from bot.knowledge import service
from bot.knowledge.buttons import Rate, ReadMore
from bot.knowledge.handlers.common import ANSWER_PARTS
from bot.knowledge.models import QueueState
from bot.knowledge.notes import MAX_BODY_CHARS
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.e2e.conftest import buttons, press, reply_to
from tests.e2e.knowledge.conftest import TWIN_QUESTION, logged_questions


async def test_reply_script_has_a_copy_button(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    answer = await reply_to(fake_bot_api, asker, "顾客要求退货退款")
    copy = [b for b in buttons(answer) if "copy_text" in b]
    assert copy and copy[0]["copy_text"]["text"].startswith("亲")


async def test_none_of_the_suggestions_queues_the_question(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    unsure = await reply_to(api, asker, TWIN_QUESTION)
    mark = api.mark()
    await api.press_button(asker, unsure.result, text="都不是")
    await api.wait_for("editMessageText", since=mark, text=lambda t: "转给管理员" in t)
    [question] = await logged_questions(twins)
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


async def test_a_long_note_comes_a_few_messages_at_a_time(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    sections = [f"## 第 {n} 部分\n" + f"第 {n} 部分的说明，按步骤操作。" * 90 for n in range(1, 14)]
    body = "\n\n".join(sections)  # two sections a message: seven messages in all
    assert len(body) <= MAX_BODY_CHARS
    folder = kb_bot.bot_data.settings.knowledge_dir
    (folder / "handbook.md").write_text(f"---\ntitle: 新员工完整培训手册\n---\n{body}\n", "utf-8")
    await reply_to(api, admin, "/reload", expect="已重新加载")

    async def sent_after(action: Awaitable[object]) -> list[Call]:
        mark = api.mark()
        await action
        await api.wait_idle(quiet=0.3)
        return api.calls_to("sendMessage", since=mark, chat_id=asker.id)

    answer = await sent_after(api.send_text(asker, "新员工完整培训手册"))
    assert len(answer) == ANSWER_PARTS and [buttons(call) for call in answer[:-1]] == [[], []]
    assert [b["text"] for b in buttons(answer[-1])][:3] == ["📖 继续阅读", "👍", "👎"]

    mark = api.mark()
    more = await sent_after(press(api, asker, answer[-1].result, text="📖 继续阅读"))
    edited = await api.wait_for("editMessageReplyMarkup", since=mark)
    assert "继续阅读" not in str(edited.params["reply_markup"]) and "👍" in str(edited.params["reply_markup"])
    assert len(more) == ANSWER_PARTS and [b["text"] for b in buttons(more[-1])] == ["📖 继续阅读"]
    end = await sent_after(press(api, asker, more[-1].result, text="📖 继续阅读"))
    assert len(end) == 1 and buttons(end[0]) == []

    texts = [call.params["text"] for call in [*answer, *more, *end]]
    assert [n for n in range(1, 14) for t in texts if f"第 {n} 部分</b>" in t] == list(range(1, 14))

    past_the_end = ReadMore(service.note_key("handbook"), 7).pack()  # the note was shortened meanwhile
    mark = api.mark()
    await api.press_button(asker, end[0].result, past_the_end, strict=False)
    gone = await api.wait_for("answerCallbackQuery", since=mark)
    assert "已经不存在" in gone.params["text"]
    assert api.calls_to("sendMessage", since=mark, chat_id=asker.id) == []
