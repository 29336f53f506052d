"""The admins' queue (``handlers/queue.py``): ``/unanswered``, answering, saving the answer as a note."""

from __future__ import annotations

from bot.context import BotApplication
from bot.knowledge.buttons import AnswerQuestion, Dismiss
from bot.knowledge.models import QueueState
from tests.e2e.conftest import buttons, press, reply_to
from tests.e2e.knowledge.conftest import logged_questions
from tests.fakes.bot_api import FakeBotAPI, FakeUser


async def test_unknown_question_goes_to_an_admin_and_back(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, admin, "/start")
    honest = await reply_to(api, asker, "公司有没有宿舍")
    assert "不想乱猜" in honest.params["text"]
    alert = await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: "公司有没有宿舍" in t)
    assert "小梅" in alert.params["text"]

    queue = await reply_to(api, admin, "/unanswered")
    assert "1 个" in queue.params["text"]
    item = await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: t.startswith("#"))
    mark = api.mark()
    await api.press_button(admin, item.result, text="✍️ 回答")
    prompt = await api.wait_for("sendMessage", since=mark, chat_id=admin.id)
    assert "请发送" in prompt.params["text"]

    mark = api.mark()
    await api.send_text(admin, "本站不提供宿舍，外村同事可以申请每月 300 元住房补贴。")
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=asker.id)
    assert "住房补贴" in delivered.params["text"] and "管理员回答了你的问题" in delivered.params["text"]
    offer = await api.wait_for("sendMessage", since=mark, chat_id=admin.id)
    assert "已发给提问的人" in offer.params["text"]

    mark = api.mark()
    await api.press_button(admin, offer.result, text="💾 保存为资料")
    saved = await api.wait_for("editMessageText", since=mark, chat_id=admin.id)
    assert "answers/q" in saved.params["text"]
    [question, *_] = await logged_questions(kb_bot)
    assert question.queue_state == QueueState.ANSWERED and question.saved_note_id

    folder = kb_bot.bot_data.settings.knowledge_dir
    assert (
        (folder / f"{question.saved_note_id}.md").read_text("utf-8").startswith("---\ntitle: 公司有没有宿舍")
    )
    again = await reply_to(api, asker, "公司有宿舍吗")
    assert "公司有没有宿舍" in again.params["text"] and "住房补贴" in again.params["text"]


async def test_cancelling_an_answer_sends_nothing(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, manager: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, asker, "公司有没有宿舍")
    queue = await reply_to(api, manager, "/unanswered", expect="1 个")
    assert queue
    item = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: t.startswith("#"))
    [answer, dismiss] = buttons(item)
    [question] = await logged_questions(kb_bot)
    assert answer["callback_data"] == AnswerQuestion(question.id).pack()
    assert dismiss["callback_data"] == Dismiss(question.id).pack()
    await press(api, manager, item.result, text="✍️ 回答")
    await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: "请发送" in t)

    mark = api.mark()
    cancelled = await reply_to(api, manager, "取消")
    assert cancelled.params["text"] == "已取消。"
    assert api.calls_to("sendMessage", since=mark, chat_id=asker.id) == []
    [question] = await logged_questions(kb_bot)
    assert question.queue_state == QueueState.OPEN and question.answer_text is None


async def test_dismissing_takes_the_question_out_of_the_queue(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, manager: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, asker, "公司有没有宿舍")
    await reply_to(api, manager, "/unanswered", expect="1 个")
    item = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: t.startswith("#"))
    mark = api.mark()
    await press(api, manager, item.result, text="忽略")
    dismissed = await api.wait_for("editMessageText", since=mark, chat_id=manager.id)
    assert "公司有没有宿舍" in dismissed.params["text"]
    [question] = await logged_questions(kb_bot)
    assert question.queue_state == QueueState.DISMISSED
    empty = await reply_to(api, manager, "/unanswered")
    assert "🎉" in empty.params["text"]


async def test_only_admins_may_answer(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, manager: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, asker, "公司有没有宿舍")
    alert = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: "公司有没有宿舍" in t)
    [question] = await logged_questions(kb_bot)
    mark = api.mark()
    await api.press_button(asker, alert.result, AnswerQuestion(question.id).pack())
    refused = await api.wait_for("answerCallbackQuery", since=mark)
    assert "只有管理员" in refused.params["text"]
    refused_queue = await reply_to(api, asker, "/unanswered")
    assert "只有管理员" in refused_queue.params["text"]
