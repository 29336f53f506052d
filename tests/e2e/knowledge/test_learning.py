"""Learning from traffic (``learned.py`` through ``handlers/answers.py``, ``queue.py`` and ``admin.py``): a
note picked under "did you mean", or pointed to by an admin, answers the same question and close variants
outright; 👎 lowers it, admins remove it in ``/kbstats``; searching never holds up other people."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

from bot.context import BotApplication
from bot.knowledge import learned
from bot.knowledge.buttons import ForgetLearned, LearnedPage
from bot.knowledge.learned import PICK_SCORE
from bot.knowledge.models import LearnedFrom, LearnedPhrasing
from bot.knowledge.search import KnowledgeIndex, SearchResult
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from tests.e2e.conftest import ROOT, bot_settings, buttons, press, reply_to, running_bot, staff
from tests.e2e.knowledge.conftest import DAY, NIGHT, TWIN_QUESTION, UNSURE, logged_questions, write_twins

QUESTION = TWIN_QUESTION
VARIANT = "请问工资能预支吗？"


async def phrasings(bot: BotApplication) -> list[LearnedPhrasing]:
    """Every learned phrasing in the database, oldest first."""
    async with bot.bot_data.db() as session:
        return list((await session.exec(select(LearnedPhrasing).order_by(LearnedPhrasing.id))).all())


async def pick(api: FakeBotAPI, user: FakeUser, text: str, title: str) -> Call:
    """Ask ``text``, get "did you mean", pick the note titled ``title``; the note sent."""
    unsure = await reply_to(api, user, text)
    assert unsure.params["text"] == UNSURE, unsure.params["text"]
    assert title in [b["text"] for b in buttons(unsure)]
    mark = api.mark()
    await press(api, user, unsure.result, text=title)
    return await api.wait_for("sendMessage", since=mark, chat_id=user.id, text=lambda t: title in t)


def answered_with(call: Call, title: str) -> bool:
    return call.params["text"].startswith(f"<b>📘 {title}")


async def learned_list(api: FakeBotAPI, manager: FakeUser) -> Call:
    """``/kbstats``: the message listing the learned phrasings."""
    mark = api.mark()
    await api.send_text(manager, "/kbstats")
    return await api.wait_for("sendMessage", since=mark, chat_id=manager.id, text=lambda t: "学到的问法" in t)


async def test_a_picked_note_answers_the_question_and_its_variants_until_an_admin_removes_it(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, manager: FakeUser
) -> None:
    api = fake_bot_api
    await pick(api, asker, QUESTION, DAY)
    [phrasing] = await phrasings(twins)
    assert (phrasing.note_id, phrasing.text, phrasing.score) == (
        "workplace/advance_day",
        QUESTION,
        PICK_SCORE,
    )

    colleague = await staff(twins, api, 8002, "小兰")
    assert answered_with(await reply_to(api, colleague, QUESTION), DAY)
    newcomer = await staff(twins, api, 8003, "阿琴")
    assert answered_with(await reply_to(api, newcomer, VARIANT), DAY)
    logged = await logged_questions(twins)
    assert [q.learned_id for q in logged] == [phrasing.id] * 3

    listing = await learned_list(api, manager)
    text = listing.params["text"]
    assert "学到的问法：1 条" in text and f"#{phrasing.id} “{QUESTION}” → {DAY}" in text and "小梅" in text
    mark = api.mark()
    await press(api, manager, listing.result, text=f"🗑 删除 #{phrasing.id}")
    removed = await api.wait_for("editMessageText", since=mark, chat_id=manager.id)
    assert removed.params["text"].startswith(f"已删除 #{phrasing.id}“{QUESTION}”。")
    assert "还没有" in removed.params["text"] and not buttons(removed)
    assert await phrasings(twins) == []

    assert (await reply_to(api, colleague, QUESTION)).params["text"] == UNSURE
    assert (await reply_to(api, newcomer, VARIANT)).params["text"] == UNSURE


async def test_thumbs_down_lowers_a_learned_answer_and_removes_it_when_it_keeps_failing(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    await pick(api, asker, QUESTION, NIGHT)
    colleagues = [await staff(twins, api, 8100 + n, f"同事{n}") for n in range(3)]
    for number, colleague in enumerate(colleagues[:2]):
        answer = await reply_to(api, colleague, VARIANT)
        assert answered_with(answer, NIGHT)
        mark = api.mark()
        await press(api, colleague, answer.result, text="👎")
        await api.wait_for("editMessageReplyMarkup", since=mark, chat_id=colleague.id)
        left = await phrasings(twins)
        assert [p.score for p in left] == ([PICK_SCORE - 1] if number == 0 else [])
    assert (await reply_to(api, colleagues[2], VARIANT)).params["text"] == UNSURE


async def test_a_job_seeker_never_gets_a_staff_note_through_a_learned_phrasing(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    await pick(api, asker, QUESTION, DAY)
    seeker = api.user(8201, "求职的小王")
    answer = await reply_to(api, seeker, QUESTION)
    assert DAY not in answer.params["text"] and NIGHT not in answer.params["text"]
    assert all(DAY not in b["text"] and NIGHT not in b["text"] for b in buttons(answer))
    *_, asked = await logged_questions(twins)
    assert asked.audience == "public" and asked.learned_id is None


async def test_an_admin_answers_with_a_note_and_the_next_person_gets_it_outright(
    twins: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser
) -> None:
    api = fake_bot_api
    seeker = api.user(8301, "求职的小王")
    await reply_to(api, seeker, "公司有没有宿舍", expect="不想乱猜")
    alert = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: "公司有没有宿舍" in t)
    await press(api, manager, alert.result, text="✍️ 回答")
    prompt = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: "请发送" in t)
    assert "发送资料编号" in prompt.params["text"]
    offered = [b["text"] for b in buttons(prompt)]
    assert all(DAY not in label and NIGHT not in label for label in offered)

    refused = await reply_to(api, manager, "workplace/advance_day", expect="只给员工看")
    assert "workplace/advance_day" in refused.params["text"]
    assert (await phrasings(twins)) == []

    mark = api.mark()
    await api.send_text(manager, "public/location")
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=seeker.id, text=lambda t: "📘" in t)
    assert "工作地点和交通" in delivered.params["text"]
    assert "👍" not in str(delivered.params.get("reply_markup"))
    intro = api.calls_to("sendMessage", since=mark, chat_id=seeker.id)[0]
    assert "管理员用下面这条资料回答了你的问题“公司有没有宿舍”" in intro.params["text"]
    told = await api.wait_for("sendMessage", since=mark, chat_id=manager.id)
    assert "已把资料“工作地点和交通”发给提问的人" in told.params["text"]
    assert "以后有人问“公司有没有宿舍”" in told.params["text"]
    [phrasing] = await phrasings(twins)
    assert (phrasing.note_id, phrasing.source, phrasing.audience) == ("public/location", "admin", "public")
    [question] = await logged_questions(twins)
    assert question.queue_state == "answered" and question.saved_note_id == "public/location"

    another = api.user(8302, "求职的小李")
    assert answered_with(await reply_to(api, another, "公司有宿舍吗？"), "工作地点和交通")


async def test_an_admin_answers_with_one_of_the_offered_notes(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, manager: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, asker, "公司有没有宿舍", expect="不想乱猜")
    await reply_to(api, manager, "/unanswered", expect="1 个")
    item = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: t.startswith("#"))
    await press(api, manager, item.result, text="✍️ 回答")
    prompt = await api.wait_for("sendMessage", chat_id=manager.id, text=lambda t: "请发送" in t)
    [first, *_] = buttons(prompt)
    title = first["text"].removeprefix("📘 ")
    mark = api.mark()
    await press(api, manager, prompt.result, first["callback_data"])
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=asker.id, text=lambda t: "📘" in t)
    assert title in delivered.params["text"]
    await api.wait_for("sendMessage", since=mark, chat_id=manager.id, text=lambda t: "发给提问的人" in t)

    mark = api.mark()  # the conversation is over: the admin's next text is a question again
    colleague = await staff(twins, api, 8002, "小兰")
    assert answered_with(await reply_to(api, colleague, "公司有没有宿舍"), title)
    assert api.calls_to("sendMessage", since=mark, chat_id=asker.id) == []


async def test_only_admins_remove_or_page_learned_phrasings(
    twins: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser
) -> None:
    api = fake_bot_api
    sent = await pick(api, asker, QUESTION, DAY)
    [phrasing] = await phrasings(twins)
    assert phrasing.id is not None
    for data in (ForgetLearned(phrasing.id, 0).pack(), LearnedPage(1).pack()):
        mark = api.mark()
        await api.press_button(asker, sent.result, data, strict=False)
        refused = await api.wait_for("answerCallbackQuery", since=mark)
        assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    assert len(await phrasings(twins)) == 1
    stats = await reply_to(api, asker, "/kbstats")
    assert stats.params["text"] == "抱歉，只有管理员可以这样操作。"


async def test_learned_phrasings_come_in_pages(
    twins: BotApplication, fake_bot_api: FakeBotAPI, manager: FakeUser
) -> None:
    api = fake_bot_api
    questions = ["底薪多少", "几点上班", "周末休息吗", "要交押金吗", "能带孩子吗", "试用期多久"]
    async with twins.bot_data.db() as session:
        for text in questions:
            await learned.learn(
                session,
                text=text,
                note_id="public/pay",
                audience="public",
                source=LearnedFrom.PICK,
                person_id=None,
            )
        await twins.bot_data.knowledge.load_learned(session)
    listing = await learned_list(api, manager)
    assert "学到的问法：6 条" in listing.params["text"] and "试用期多久" in listing.params["text"]
    assert "底薪多少" not in listing.params["text"]
    mark = api.mark()
    await press(api, manager, listing.result, text="▶")
    second = await api.wait_for("editMessageText", since=mark, chat_id=manager.id)
    assert "底薪多少" in second.params["text"] and "2/2" in [b["text"] for b in buttons(second)]
    mark = api.mark()
    await press(api, manager, second.result, text="🗑 删除 #1")
    first = await api.wait_for("editMessageText", since=mark, chat_id=manager.id)
    assert first.params["text"].startswith("已删除 #1“底薪多少”。")
    assert "学到的问法：5 条" in first.params["text"] and "试用期多久" in first.params["text"]
    assert twins.bot_data.knowledge.find("底薪多少", audience="public").learned is None


async def test_learned_phrasings_survive_a_restart(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> None:
    api = fake_bot_api
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    write_twins(folder)
    settings = bot_settings(api, database_url, knowledge_dir=folder, saved_notes_dir=tmp_path / "saved")
    async with running_bot(settings) as first:
        await pick(api, await staff(first, api, 8001, "小梅"), QUESTION, NIGHT)
    async with running_bot(settings) as second:
        assert len(second.bot_data.knowledge.learned) == 1
        colleague = await staff(second, api, 8002, "小兰")
        assert answered_with(await reply_to(api, colleague, VARIANT), NIGHT)


async def test_a_slow_search_does_not_hold_up_other_people(
    kb_bot: BotApplication, fake_bot_api: FakeBotAPI, asker: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fake_bot_api
    search = KnowledgeIndex.search
    searching = threading.Event()
    finished: list[float] = []

    def slow(self: KnowledgeIndex, *args: object, **kwargs: object) -> SearchResult:
        searching.set()
        time.sleep(2)
        finished.append(time.monotonic())
        return search(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeIndex, "search", slow)
    other = await staff(kb_bot, api, 8002, "小兰")
    mark = api.mark()
    await api.send_text(asker, "退货流程")
    assert await asyncio.to_thread(searching.wait, 5)
    await reply_to(api, other, "/help", timeout=1.5)
    helped = time.monotonic()
    answer = await api.wait_for("sendMessage", since=mark, chat_id=asker.id, timeout=5)
    assert answered_with(answer, "顾客要求退货退款")
    assert helped < finished[0] - 1, "/help waited for the search"
