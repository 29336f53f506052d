"""/training for admins: everyone's progress and the questions most often missed, the workbook, and enrolling,
pausing, moving to another plan and removing anyone with buttons; the refusals."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.app import BotApplication
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from bot.training.buttons import Export, Overview, ShowLearner
from tests.e2e.conftest import bot_settings, buttons, press, reply_to, running_bot, staff
from tests.e2e.training.conftest import (
    FRIDAY,
    MONDAY,
    QUIZ_WARNING,
    SUNDAY,
    THURSDAY,
    answer,
    at,
    enrolment,
    hire,
    polls_of,
    right_option,
    tick,
    to,
    wrong_option,
)

pytestmark = QUIZ_WARNING

INTERNS_PLAN = """title: 实习生三日培训
days:
  - title: 开场和结束
    notes: [scripts/greeting, scripts/closing]
  - notes: [quality/banned_words]
  - notes: [workplace/privacy]
"""


async def press_and_see(
    api: FakeBotAPI, user: FakeUser, message: Any, data: str
) -> tuple[Call, dict[str, Any]]:
    """Press a button; the answer to the press, and the message as it shows once the bot rewrote it."""
    mark = api.mark()
    answered = await press(api, user, message, data)
    await api.wait_for("editMessageText", since=mark, chat_id=user.id)
    shown = api.message(user, message["message_id"])
    assert shown is not None
    return answered, shown


def button_data(message: Any, label: str) -> str:
    """The callback data of the button labelled ``label`` (a part of it) under ``message``."""
    found = [b["callback_data"] for b in buttons(message) if label in b["text"]]
    assert found, f"no button {label!r}: {[b['text'] for b in buttons(message)]}"
    return str(found[0])


async def test_the_managers_view_and_workbook_show_everyones_progress(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    mei = await hire(api, admin, 3201, "小梅")
    await hire(api, admin, 3202, "阿明")
    polls = [c for c in to(await tick(app, api, clock, at(THURSDAY, "08:30")), mei) if c.method == "sendPoll"]
    await answer(app, api, mei, polls[0], wrong_option(polls[0]))
    for poll in polls[1:4]:
        await answer(app, api, mei, poll, right_option(poll))  # the last one left unanswered

    # On Sunday, days after, Thursday's quiz is overdue (Friday and Saturday passed while the bot was down).
    clock.move_to(at(SUNDAY, "10:00"))
    view = await reply_to(api, admin, "/training")
    text = view.params["text"]
    assert "🎓 <b>培训</b> · 2 人" in text
    assert "• <b>小梅</b> · 第 1/10 天 · 正确率 75%（3/4） · 逾期 1 · 薄弱：新员工培训安排" in text
    assert "• <b>阿明</b> · 第 1/10 天" in text
    assert "最常答错的题" in text and "上岗考试（笔试加模拟接待）多少分算合格？ — 答错 1/1" in text

    # One person's panel: plan, quiz, weakest notes, lessons.
    shown = api.last_sent(admin)
    _, panel = await press_and_see(api, admin, shown, button_data(shown, "小梅"))
    assert "计划：新员工售后十日培训" in panel["text"]
    assert "测验：答对 3/4（75%）· 未答 1 · 逾期课程 1" in panel["text"]
    assert "10-09 第 1 天 — 已答 4/5" in panel["text"]
    assert "待复习：1 题" in panel["text"]

    # The workbook, with Chinese headers.
    _, overview = await press_and_see(api, admin, panel, button_data(panel, "返回"))
    mark = api.mark()
    await press(api, admin, overview, Export().pack())
    document = await api.wait_for("sendDocument", since=mark, chat_id=admin.id)
    assert document.params["caption"] == "🎓 培训进度 2025-10-12：共 2 人。"
    workbook = load_workbook(io.BytesIO(api.file_content(document.result)))
    progress, questions = workbook["培训进度"], workbook["易错题"]
    header = [cell.value for cell in progress[1]]
    assert header[:6] == ["姓名", "用户名", "培训计划", "已学天数", "计划天数", "状态"]
    rows = {row[0]: row for row in progress.iter_rows(min_row=2, values_only=True)}
    assert rows["小梅"][3:12] == (1, 10, "学习中", 5, 4, 3, 75, 1, 1)  # the one missed is due for review
    assert rows["小梅"][12] == "新员工培训安排 (1/2)"
    assert [cell.value for cell in questions[1]] == ["笔记", "题目", "答错次数", "已答", "错误率 %"]
    assert list(questions.iter_rows(min_row=2, values_only=True)) == [
        ("workplace/new_staff_training", "上岗考试（笔试加模拟接待）多少分算合格？", 1, 1, 100)
    ]


async def test_admins_enrol_pause_and_remove_anyone_with_buttons(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    ming = await staff(app, api, 3301, "阿明")  # made staff some other way: not enrolled
    assert await enrolment(app, ming) is None
    view = await reply_to(api, admin, "/training")
    assert "还没有人在培训。" in view.params["text"]
    shown = api.last_sent(admin)
    _, menu = await press_and_see(api, admin, shown, button_data(shown, "添加学员"))
    assert "把谁加入“新员工售后十日培训”？" in menu["text"]
    answer_, panel = await press_and_see(api, admin, menu, button_data(menu, "阿明"))
    assert answer_.params["text"] == "已加入“新员工售后十日培训”。"
    assert (await enrolment(app, ming)) is not None

    # Paused: no lesson; resumed: day 1 the next workday.
    answer_, panel = await press_and_see(api, admin, panel, button_data(panel, "暂停"))
    assert answer_.params["text"] == "已暂停发课。"
    assert "⏸ 已暂停" in panel["text"]
    assert to(await tick(app, api, clock, at(THURSDAY, "08:30")), ming) == []
    answer_, panel = await press_and_see(api, admin, panel, button_data(panel, "继续"))
    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), ming)
    assert "培训第 1/10 天" in friday[0].params["text"]

    # Removed: asked first; the open quiz polls are closed, and nothing of theirs is left.
    _, confirm = await press_and_see(api, admin, panel, button_data(panel, "移出培训"))
    assert "把 阿明 移出培训吗？" in confirm["text"]
    mark = api.mark()
    answer_ = await press(api, admin, confirm, button_data(confirm, "确定移出"))
    assert answer_.params["text"] == "已移出培训。"
    stopped = await api.wait_for_calls("stopPoll", since=mark, chat_id=ming.id, count=5)
    assert len(stopped) == 5 and all(m["poll"]["is_closed"] for m in api.sent_messages(ming) if "poll" in m)
    assert await enrolment(app, ming) is None and await polls_of(app, ming) == []
    assert to(await tick(app, api, clock, at(MONDAY, "08:30")), ming) == []


@pytest.fixture
async def interns_app(
    clock: Any, fake_bot_api: FakeBotAPI, database_url: str, knowledge_dir: Path
) -> AsyncIterator[BotApplication]:
    """The bot with a second plan beside the shipped one."""
    (knowledge_dir / "training" / "实习生.yaml").write_text(INTERNS_PLAN, encoding="utf-8")
    settings = bot_settings(fake_bot_api, database_url, knowledge_dir=knowledge_dir)
    async with running_bot(settings) as application:
        yield application


async def test_an_admin_moves_someone_to_another_plan(
    interns_app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api, app = fake_bot_api, interns_app
    hong = await hire(api, admin, 3401, "小红")
    to(await tick(app, api, clock, at(THURSDAY, "08:30")), hong)
    enrolled = await enrolment(app, hong)
    assert enrolled is not None and enrolled.plan_id == "新员工" and enrolled.next_day == 1

    await reply_to(api, admin, "/training")
    shown = api.last_sent(admin)
    _, panel = await press_and_see(api, admin, shown, ShowLearner(enrolled.id or 0).pack())
    _, plans = await press_and_see(api, admin, panel, button_data(panel, "换培训计划"))
    assert [b["text"] for b in buttons(plans)] == ["实习生三日培训", "✓ 新员工售后十日培训", "« 返回"]
    answer_, panel = await press_and_see(api, admin, plans, button_data(plans, "实习生三日培训"))
    assert answer_.params["text"] == "已换到“实习生三日培训”，从第一天开始。"
    assert "计划：实习生三日培训" in panel["text"]

    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), hong)
    assert "培训第 1/3 天：开场和结束" in friday[0].params["text"]


async def test_refusals(app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any) -> None:
    api = fake_bot_api
    seeker = api.user(3501, "求职者")
    refused = await reply_to(api, seeker, "/learn")
    assert refused.params["text"] == "抱歉，这项功能只对员工开放。请向管理员要一个邀请链接。"
    refused = await reply_to(api, seeker, "/quiz")
    assert refused.params["text"] == "抱歉，这项功能只对员工开放。请向管理员要一个邀请链接。"

    worker = await staff(app, api, 3502, "阿明")
    refused = await reply_to(api, worker, "/training")
    assert refused.params["text"] == "抱歉，只有管理员可以这样操作。"
    not_yet = await reply_to(api, worker, "/learn")
    assert not_yet.params["text"] == "你还没有加入培训计划，管理员可以用 /training 把你加进来。"

    # A member of staff pressing (forged) admin buttons is refused and changes nothing.
    mei = await hire(api, admin, 3503, "小梅")
    enrolled = await enrolment(app, mei)
    assert enrolled is not None
    message = api.last_sent(worker)
    for data in (ShowLearner(enrolled.id or 0).pack(), Overview(0).pack(), Export().pack()):
        mark = api.mark()
        update = await api.press_button(worker, message, data, strict=False)
        pressed = await api.wait_for(
            "answerCallbackQuery", since=mark, callback_query_id=update["callback_query"]["id"]
        )
        assert pressed.params["text"] == "抱歉，只有管理员可以这样操作。"
    assert api.calls_to("sendDocument") == []
    assert await enrolment(app, mei) is not None
