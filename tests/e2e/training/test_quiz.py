"""The quiz: answers recorded from the person the poll was sent to, once; a wrong answer comes back for review
(with the next lesson, or at once with /quiz) at growing intervals until it is learned; /learn shows it."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.training.buttons import QuizNow
from bot.training.models import ReviewCard
from tests.e2e.conftest import press, reply_to, staff
from tests.e2e.training.conftest import (
    DAY_ONE_QUESTIONS,
    FRIDAY,
    MONDAY,
    QUIZ_WARNING,
    THURSDAY,
    after_updates,
    answer,
    at,
    hire,
    polls_of,
    right_option,
    tick,
    to,
    wrong_option,
)

pytestmark = QUIZ_WARNING


async def test_a_wrong_answer_comes_back_for_review_until_learned(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    mei = await hire(api, admin, 3101, "小梅")
    thursday = to(await tick(app, api, clock, at(THURSDAY, "08:30")), mei)
    polls = [c for c in thursday if c.method == "sendPoll"]
    assert len(polls) == DAY_ONE_QUESTIONS

    # The first one wrong, the others right; Telegram shows right or wrong, the bot only sums up at the end.
    mark = api.mark()
    await answer(app, api, mei, polls[0], wrong_option(polls[0]))
    for poll in polls[1:]:
        await answer(app, api, mei, poll, right_option(poll))
    said = [c.params["text"] for c in api.calls_to("sendMessage", since=mark, chat_id=mei.id)]
    assert said == ["✏️ 本课测验做完了：5 题答对 4 题。答错的题之后会再问你，复习时间可以用 /learn 查看。"]
    rows = await polls_of(app, mei)
    assert [p.correct for p in rows] == [False, True, True, True, True]

    # The same day there is nothing to review yet; /learn says when.
    learn = await reply_to(api, mei, "/learn")
    assert "已学：第 1/10 天" in learn.params["text"]
    assert "测验：5 题答对 4 题（80%）" in learn.params["text"]
    assert "下次复习：明天" in learn.params["text"]
    nothing = await reply_to(api, mei, "/quiz")
    assert nothing.params["text"] == "现在没有要复习的题。下次复习：明天。"

    # The next morning, before the lesson, /quiz asks it again at once.
    clock.move_to(at(FRIDAY, "08:00"))
    mark = api.mark()
    await api.send_text(mei, "/quiz")
    review = await api.wait_for("sendPoll", since=mark, chat_id=mei.id)
    assert review.params["question"] == polls[0].params["question"]
    await answer(app, api, mei, review, right_option(review))
    right = await api.wait_for("sendMessage", since=mark, chat_id=mei.id)
    assert right.params["text"] == "✅ 答对了。明天会再问你一次，帮你记牢。"

    # Day 2 at 08:30 does not ask it again (not due yet).
    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), mei)
    assert polls[0].params["question"] not in [c.params.get("question") for c in friday]

    # Due on Saturday: on Monday morning /learn offers it, and its button asks it.
    clock.move_to(at(MONDAY, "08:00"))
    learn = await reply_to(api, mei, "/learn")
    assert "🔁 现在有 1 道题要复习：点下面的按钮或发送 /quiz。" in learn.params["text"]
    mark = api.mark()
    await press(api, mei, api.last_sent(mei), QuizNow().pack())
    again = await api.wait_for("sendPoll", since=mark, chat_id=mei.id)
    assert again.params["question"] == polls[0].params["question"]
    await answer(app, api, mei, again, right_option(again))
    later = await api.wait_for("sendMessage", since=mark, chat_id=mei.id)
    assert later.params["text"].startswith("✅ 答对了。10-")  # further out than tomorrow
    monday = to(await tick(app, api, clock, at(MONDAY, "08:30")), mei)
    assert "之后还有" not in monday[0].params["text"]
    assert polls[0].params["question"] not in [c.params.get("question") for c in monday]
    rows = await polls_of(app, mei)
    assert [p.review for p in rows if p.question == polls[0].params["question"]] == [False, True, True]
    # Each right answer sends it further out.
    async with app.bot_data.db() as session:
        (card,) = (await session.exec(select(ReviewCard))).all()
    assert card.lapses == 1 and card.reviews == 3
    assert card.due_on is not None and (card.due_on - MONDAY).days > 1


async def test_an_answer_to_a_poll_not_sent_to_that_person_changes_nothing(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    mei = await hire(api, admin, 3102, "小梅")
    polls = [c for c in to(await tick(app, api, clock, at(THURSDAY, "08:30")), mei) if c.method == "sendPoll"]
    colleague = await staff(app, api, 3103, "阿明")

    # 阿明 answers 小梅's quiz (a forwarded poll, or a forged update): nothing is recorded, nothing said.
    mark = api.mark()
    await api.answer_poll(colleague, polls[0], [right_option(polls[0])], strict=False)
    await api.answer_poll(colleague, "9999999", [0], strict=False)  # a poll the bot never sent
    await after_updates(api, colleague)
    assert (
        api.calls_to("sendMessage", since=mark, chat_id=colleague.id)[0]
        .params["text"]
        .startswith("你还没有加入")
    )
    assert all(p.answered_at is None for p in await polls_of(app, mei))

    # 小梅's own answer counts; a second answer to the same poll (a forged one) changes nothing.
    await answer(app, api, mei, polls[0], wrong_option(polls[0]))
    await api.answer_poll(mei, polls[0], [right_option(polls[0])], strict=False)
    await after_updates(api, mei)
    first = (await polls_of(app, mei))[0]
    assert first.correct is False and first.chosen == wrong_option(polls[0])
