"""Ready for the floor: every day taught and every question answered right in the end; the admins are told
once, through the outbox, and the person too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot
from tests.e2e.training.conftest import (
    FRIDAY,
    MONDAY,
    QUIZ_WARNING,
    THURSDAY,
    answer,
    at,
    enrolment,
    hire,
    right_option,
    tick,
    to,
    wrong_option,
)

pytestmark = QUIZ_WARNING

ONE_DAY_PLAN = """title: 考勤一日课
default: true
days:
  - title: 考勤
    notes: [workplace/attendance]
"""


@pytest.fixture
async def app(
    clock: Any, fake_bot_api: FakeBotAPI, database_url: str, knowledge_dir: Path
) -> AsyncIterator[BotApplication]:
    """The bot whose default plan is one day of one note (two questions)."""
    (knowledge_dir / "training" / "新员工.yaml").write_text(ONE_DAY_PLAN, encoding="utf-8")
    async with running_bot(
        bot_settings(fake_bot_api, database_url, knowledge_dir=knowledge_dir)
    ) as application:
        yield application


async def test_the_admins_are_told_once_when_someone_is_ready(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    mei = await hire(api, admin, 3601, "小梅")
    polls = [c for c in to(await tick(app, api, clock, at(THURSDAY, "08:30")), mei) if c.method == "sendPoll"]
    assert len(polls) == 2
    await answer(app, api, mei, polls[0], wrong_option(polls[0]))
    await answer(app, api, mei, polls[1], right_option(polls[1]))
    enrolled = await enrolment(app, mei)
    assert enrolled is not None and enrolled.next_day == 1 and enrolled.ready_at is None  # one still wrong
    learn = await reply_to(api, mei, "/learn")
    assert "1 天的课都学完了，把每道题都答对就可以上岗了。" in learn.params["text"]

    # The next day brings only the review; answered right, she is ready.
    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), mei)
    assert friday[0].params["text"] == "🔁 <b>复习：1 道以前答错的题。</b>"
    assert [c.params.get("question") for c in friday[1:]] == [polls[0].params["question"]]
    mark = api.mark()
    await answer(app, api, mei, friday[1], right_option(friday[1]))
    await tick(app, api, clock, at(FRIDAY, "08:31"))  # the outbox sends the news
    to_admin = [c.params["text"] for c in api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID)]
    assert to_admin == ["🎓 <b>小梅</b> 完成了培训计划“考勤一日课”，可以独立上岗了：答对 2/3 题（67%）。"]
    to_her = [c.params["text"] for c in api.calls_to("sendMessage", since=mark, chat_id=mei.id)]
    assert any(text.startswith("🎉 你完成了“考勤一日课”的培训") for text in to_her)
    enrolled = await enrolment(app, mei)
    assert enrolled is not None and enrolled.ready_at is not None
    learn = await reply_to(api, mei, "/learn")
    assert "✅ 今天起已可以独立上岗。" in learn.params["text"]

    # Later reviews of the question go on, and the admins are not told again.
    monday = to(await tick(app, api, clock, at(MONDAY, "08:30")), mei)
    review = [c for c in monday if c.method == "sendPoll"]
    assert [c.params["question"] for c in review] == [polls[0].params["question"]]
    mark = api.mark()
    await answer(app, api, mei, review[0], right_option(review[0]))
    await tick(app, api, clock, at(MONDAY, "08:31"))
    assert api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID) == []
    view = await reply_to(api, admin, "/training")
    assert "• <b>小梅</b> · ✅ 可上岗" in view.params["text"]
