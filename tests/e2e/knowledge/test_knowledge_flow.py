"""Questions and answers through the fake Bot API: matching, feedback, the admin queue, inline search."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.app import BotApplication
from bot.knowledge.models import Question, QueueState
from tests.e2e.conftest import ROOT, bot_settings, make_staff, reply_to, running_bot
from tests.fakes.bot_api import FakeBotAPI, FakeUser


@pytest.fixture
async def kb_bot(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[BotApplication]:
    """The bot over a private copy of the notes, so that tests may add and break notes."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    settings = bot_settings(fake_bot_api, database_url, knowledge_dir=folder)
    async with running_bot(settings) as application:
        yield application


@pytest.fixture
async def staff(kb_bot: BotApplication, fake_bot_api: FakeBotAPI) -> FakeUser:
    user = fake_bot_api.user(8001, "小梅")
    await make_staff(kb_bot, user)
    return user


def _buttons(call) -> list[dict]:  # type: ignore[no-untyped-def]
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def _questions(bot: BotApplication) -> list[Question]:
    assert bot.bot_data.db is not None
    async with bot.bot_data.db() as session:
        return list((await session.exec(select(Question).order_by(Question.id))).all())


@pytest.mark.parametrize(
    "text", ["客户要推货怎么办", "tuihuo zenme ban", "退貨流程", "顾客说东西坏了想退钱可以吗😭"]
)
async def test_staff_questions_get_the_note_in_one_reply(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser, text: str
) -> None:
    answer = await reply_to(fake_bot_api, staff, text)
    assert answer.params["parse_mode"] == "HTML"
    assert answer.params["text"].startswith("<b>📘 ")
    labels = [b["text"] for b in _buttons(answer)]
    assert labels[:2] == ["👍", "👎"]
    [logged] = await _questions(kb_bot)
    assert logged.outcome == "answer" and logged.note_id and logged.text == text


async def test_reply_script_has_a_copy_button(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser
) -> None:
    answer = await reply_to(fake_bot_api, staff, "顾客要求退货退款")
    copy = [b for b in _buttons(answer) if "copy_text" in b]
    assert copy and copy[0]["copy_text"]["text"].startswith("亲")


async def test_unknown_question_goes_to_an_admin_and_back(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, admin, "/start")
    honest = await reply_to(api, staff, "公司有没有宿舍")
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
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=staff.id)
    assert "住房补贴" in delivered.params["text"] and "管理员回答了你的问题" in delivered.params["text"]
    offer = await api.wait_for("sendMessage", since=mark, chat_id=admin.id)
    assert "已发给提问的人" in offer.params["text"]

    mark = api.mark()
    await api.press_button(admin, offer.result, text="💾 保存为资料")
    saved = await api.wait_for("editMessageText", since=mark, chat_id=admin.id)
    assert "answers/q" in saved.params["text"]
    [question, *_] = await _questions(kb_bot)
    assert question.queue_state == QueueState.ANSWERED and question.saved_note_id

    folder = kb_bot.bot_data.settings.knowledge_dir
    assert (
        (folder / f"{question.saved_note_id}.md").read_text("utf-8").startswith("---\ntitle: 公司有没有宿舍")
    )
    again = await reply_to(api, staff, "公司有宿舍吗")
    assert "公司有没有宿舍" in again.params["text"] and "住房补贴" in again.params["text"]


async def test_unsure_match_offers_choices_and_none_queues_it(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser
) -> None:
    api = fake_bot_api
    unsure = await reply_to(api, staff, "工资能不能预支")
    assert unsure.params["text"] == "我不太确定你的意思。你是想问："
    labels = [b["text"] for b in _buttons(unsure)]
    assert 2 <= len(labels) <= 4 and labels[-1] == "都不是"
    mark = api.mark()
    await api.press_button(staff, unsure.result, text="都不是")
    await api.wait_for("editMessageText", since=mark, text=lambda t: "转给管理员" in t)
    [question] = await _questions(kb_bot)
    assert question.outcome == "suggest" and question.queue_state == QueueState.OPEN


async def test_thumbs_down_queues_the_question(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser
) -> None:
    api = fake_bot_api
    answer = await reply_to(api, staff, "退货流程")
    intruder = api.user(8999, "路人")
    mark = api.mark()
    await api.press_button(intruder, answer.result, text="👎")
    refused = await api.wait_for("answerCallbackQuery", since=mark)
    assert "只有提问的人" in refused.params["text"]

    mark = api.mark()
    await api.press_button(staff, answer.result, text="👎")
    await api.wait_for("answerCallbackQuery", since=mark)
    edited = await api.wait_for("editMessageReplyMarkup", since=mark)
    assert "👍" not in str(edited.params.get("reply_markup"))
    [question] = await _questions(kb_bot)
    assert question.feedback == "down" and question.queue_state == QueueState.OPEN


async def test_job_seekers_only_see_public_notes(kb_bot: BotApplication, fake_bot_api: FakeBotAPI) -> None:
    api = fake_bot_api
    seeker = api.user(8101, "求职的小王")
    answer = await reply_to(api, seeker, "什么时候发工资")
    [question] = await _questions(kb_bot)
    assert question.audience == "public"
    if question.note_id:
        assert question.note_id.startswith("public/"), question.note_id
    staff_only = await reply_to(api, seeker, "退货流程")
    assert "退货" not in staff_only.params["text"] or "📘" not in staff_only.params["text"]
    assert answer


async def test_inline_search_respects_the_audience(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser
) -> None:
    api = fake_bot_api
    mark = api.mark()
    await api.inline_query(staff, "退货")
    results = (await api.wait_for("answerInlineQuery", since=mark)).params["results"]
    assert results and any("退货" in r["title"] for r in results)

    seeker = api.user(8102, "路人甲")
    mark = api.mark()
    await api.inline_query(seeker, "退货")
    public = (await api.wait_for("answerInlineQuery", since=mark)).params["results"]
    assert all("退货" not in r["title"] for r in public)


async def test_group_ask_uses_public_notes(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    group = api.group(-2001, "团队群")
    mark = api.mark()
    await api.add_bot_to_group(admin, group)
    await api.wait_for("sendMessage", since=mark, chat_id=group.id)
    usage = await reply_to(api, staff, "/ask", chat=group)
    assert "/ask" in usage.params["text"]
    await reply_to(api, staff, "/ask 在哪里上班", chat=group)
    [question] = await _questions(kb_bot)
    assert question.audience == "public"


async def test_broken_note_keeps_the_last_good_index(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, staff: FakeUser, admin: FakeUser
) -> None:
    api = fake_bot_api
    folder = kb_bot.bot_data.settings.knowledge_dir
    (folder / "broken.md").write_text("---\ntitle: 坏的\naudience: everyone\n---\n正文\n", "utf-8")
    report = await reply_to(api, admin, "/reload")
    assert "broken.md:3:" in report.params["text"] and "之前的版本" in report.params["text"]
    answer = await reply_to(api, staff, "退货流程")
    assert answer.params["text"].startswith("<b>📘 ")
    (folder / "broken.md").unlink()
    ok = await reply_to(api, admin, "/reload")
    assert "已重新加载" in ok.params["text"]
    stats = await reply_to(api, admin, "/kbstats")
    assert "提问 1 次" in stats.params["text"]
    bad = await reply_to(api, admin, "/kbstats abc")
    assert "1 到 365" in bad.params["text"]
