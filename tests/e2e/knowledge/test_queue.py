"""The admins' queue (``handlers/queue.py``): ``/unanswered``, answering, saving the answer as a note."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.config import Settings
from bot.context import BotApplication
from bot.knowledge import saved as saved_notes
from bot.knowledge.buttons import AnswerQuestion, Dismiss
from bot.knowledge.models import QueueState
from bot.knowledge.service import ANSWERS_FOLDER
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ROOT, bot_settings, buttons, press, reply_to, running_bot, staff
from tests.e2e.knowledge.conftest import logged_questions


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

    settings = kb_bot.bot_data.settings
    async with kb_bot.bot_data.db() as session:
        note = await saved_notes.get_note(session, question.saved_note_id)
    assert note is not None and note.text.startswith("---\ntitle: 公司有没有宿舍")
    assert note.saved_by_id is not None and note.version == 1
    assert not (settings.knowledge_dir / ANSWERS_FOLDER).exists()
    assert not (settings.saved_notes_dir / ANSWERS_FOLDER).exists(), "in the database, not on this disk"
    again = await reply_to(api, asker, "公司有宿舍吗")
    assert "公司有没有宿舍" in again.params["text"] and "住房补贴" in again.params["text"]


async def test_a_saved_answer_outlives_a_fresh_copy_of_the_notes(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path, admin: FakeUser
) -> None:
    """As a container re-created from its image: the knowledge folder is the image's, the database stays."""
    api = fake_bot_api
    saved_dir = tmp_path / "data" / "notes"

    def settings(copy: str) -> Settings:
        folder = tmp_path / copy
        shutil.copytree(ROOT / "knowledge", folder)
        return bot_settings(api, database_url, knowledge_dir=folder, saved_notes_dir=saved_dir)

    async with running_bot(settings("image")) as first:
        await reply_to(api, admin, "/start")
        asker = await staff(first, api, 8001, "小梅")
        await reply_to(api, asker, "公司有没有宿舍", expect="不想乱猜")
        alert = await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: "公司有没有宿舍" in t)
        await press(api, admin, alert.result, text="✍️ 回答")
        await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: "请发送" in t)
        offer = await reply_to(
            api, admin, "本站不提供宿舍，外村同事可以申请住房补贴。", expect="已发给提问的人"
        )
        mark = api.mark()
        await press(api, admin, offer.result, text="💾 保存为资料")
        await api.wait_for("editMessageText", since=mark, chat_id=admin.id, text=lambda t: "answers/q" in t)

    async with running_bot(settings("image_again")) as second:
        assert not (second.bot_data.settings.knowledge_dir / ANSWERS_FOLDER).exists()
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
    cancelled = await reply_to(api, manager, "取消", expect="取消")  # not the admins' alert of the question
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
    empty = await reply_to(api, manager, "/unanswered", expect="🎉")  # not the admins' alert of the question
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
