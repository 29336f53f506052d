"""A lesson a day: a new hire gets day 1 before work on the next workday, nothing on a public holiday, a weekend
or a day of leave, before a shift (never during it), and a restart neither repeats nor loses a lesson."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from bot.app import BotApplication
from bot.attendance import service as attendance
from bot.clock import utcnow
from bot.people import service as people
from bot.playground.botapi import FakeBotAPI, FakeUser
from bot.training import scheduled, service
from bot.training.models import Lesson, LessonState, PollState, QuizPoll
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot
from tests.e2e.training.conftest import (
    DAY_ONE_QUESTIONS,
    FRIDAY,
    HOLIDAY_EVE,
    MAKEUP_SATURDAY,
    MONDAY,
    NATIONAL_DAY,
    QUIZ_WARNING,
    SATURDAY,
    THURSDAY,
    TZ,
    at,
    enrolment,
    hire,
    polls_of,
    tick,
    to,
    work_of,
)

pytestmark = QUIZ_WARNING


async def test_a_new_hire_gets_day_one_before_work_on_the_next_workday(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    mei = await hire(api, admin, 3001, "小梅")
    enrolled = await enrolment(app, mei)
    assert enrolled is not None and enrolled.plan_id == "新员工" and enrolled.next_day == 0

    # The evening she joins is a public holiday: nothing then, nor at night, nor before 08:30 the next day.
    assert to(await tick(app, api, clock, at(HOLIDAY_EVE, "20:00")), mei) == []
    assert to(await tick(app, api, clock, at(THURSDAY, "08:29")), mei) == []

    sent = to(await tick(app, api, clock, at(THURSDAY, "08:30")), mei)
    messages = [c for c in sent if c.method == "sendMessage"]
    polls = [c for c in sent if c.method == "sendPoll"]
    assert "培训第 1/10 天：职场规定和考勤" in messages[0].params["text"]
    assert "新员工培训安排" in messages[0].params["text"]  # the day's first note comes with the heading
    assert any("考勤和打卡规定" in m.params["text"] for m in messages)
    assert any("上班中间休息和离开工位" in m.params["text"] for m in messages)
    # Then the quiz, after the last note, as non-anonymous quiz polls with the explanation.
    assert [c.method for c in sent] == ["sendMessage"] * len(messages) + ["sendPoll"] * DAY_ONE_QUESTIONS
    first = polls[0].params
    assert first["type"] == "quiz" and first["is_anonymous"] is False
    assert first["question"] == "上岗考试（笔试加模拟接待）多少分算合格？"
    assert first["correct_option_ids"] == [2] and "80 分合格" in first["explanation"]
    # The quiz never leaks into the notes' text.
    assert not any("上岗考试（笔试加模拟接待）多少分算合格" in m.params["text"] for m in messages)

    # Nothing more that day, however often the tick runs.
    assert to(await tick(app, api, clock, at(THURSDAY, "08:31")), mei) == []
    assert to(await tick(app, api, clock, at(THURSDAY, "17:00")), mei) == []
    # Day 2 the next workday.
    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), mei)
    assert "培训第 2/10 天：保密、账号和系统故障" in friday[0].params["text"]


async def test_nothing_on_a_public_holiday_a_weekend_or_a_day_of_leave(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    clock.move_to(at(NATIONAL_DAY, "07:00"))
    lan = await hire(api, admin, 3002, "小兰")
    assert to(await tick(app, api, clock, at(NATIONAL_DAY, "08:30")), lan) == []  # 国庆节

    # Leave on Thursday, approved by an admin.
    async with app.bot_data.db() as session:
        person = await people.get_person(session, lan.id)
        boss = await people.get_person(session, ADMIN_ID)
        assert person is not None and boss is not None
        request = await attendance.request_leave(
            session, person, THURSDAY, THURSDAY, "家里有事", utcnow(), TZ
        )
        assert not isinstance(request, attendance.RequestError) and request.id is not None
        outcome, _ = await attendance.decide(session, request.id, boss, True, utcnow(), TZ)
        assert outcome == attendance.AnswerOutcome.DONE
    assert to(await tick(app, api, clock, at(THURSDAY, "08:30")), lan) == []
    assert to(await tick(app, api, clock, at(THURSDAY, "15:00")), lan) == []

    # Day 1 is not lost: it comes on Friday; the make-up Saturday is a workday (day 2), Sunday is not.
    friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), lan)
    assert "培训第 1/10 天" in friday[0].params["text"]
    saturday = to(await tick(app, api, clock, at(MAKEUP_SATURDAY, "08:30")), lan)
    assert "培训第 2/10 天" in saturday[0].params["text"]
    assert to(await tick(app, api, clock, at(MAKEUP_SATURDAY.replace(day=12), "08:30")), lan) == []
    monday = to(await tick(app, api, clock, at(MONDAY, "08:30")), lan)
    assert "培训第 3/10 天" in monday[0].params["text"]
    assert to(await tick(app, api, clock, at(SATURDAY, "08:30")), lan) == []


async def test_a_shift_worker_learns_an_hour_before_the_shift_never_during_it(
    app: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser, clock: Any
) -> None:
    api = fake_bot_api
    wei = await hire(api, admin, 3003, "小魏", username="xiaowei")
    answer = await reply_to(api, admin, "/newshift 午班 14:00-22:00 1-5")
    assert "班次已创建" in answer.params["text"], answer.params["text"]
    answer = await reply_to(api, admin, "/assign 午班 @xiaowei 2025-10-09")
    assert "小魏" in answer.params["text"], answer.params["text"]

    # Not at the morning time: an hour before the shift.
    assert to(await tick(app, api, clock, at(THURSDAY, "08:30")), wei) == []
    assert to(await tick(app, api, clock, at(THURSDAY, "12:59")), wei) == []
    assert "培训第 1/10 天" in to(await tick(app, api, clock, at(THURSDAY, "13:00")), wei)[0].params["text"]

    # Friday the bot is down until the shift has begun: the lesson waits until the shift is over.
    assert to(await tick(app, api, clock, at(FRIDAY, "15:00")), wei) == []
    late = to(await tick(app, api, clock, at(FRIDAY, "22:00")), wei)
    assert "培训第 2/10 天" in late[0].params["text"]


async def test_a_restart_neither_repeats_nor_loses_a_lesson(
    clock: Any, fake_bot_api: FakeBotAPI, database_url: str, admin: FakeUser
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as app:
        mei = await hire(api, admin, 3004, "小梅")
        # At 08:30 the lesson is claimed and its first message queued — and the bot stops right after, before
        # the outbox sends it or the quiz follows (the job queue is held, so that only this claims it).
        assert app.job_queue is not None
        app.job_queue.scheduler.pause()
        clock.move_to(at(THURSDAY, "08:30"))
        catalog = work_of(app).catalog()
        async with app.bot_data.db() as session:
            assert (
                await service.start_due_lessons(session, catalog, scheduled.office(settings), utcnow()) == 1
            )

    async with running_bot(settings) as app:
        await tick(app, api, clock, at(THURSDAY, "08:31"))
        assert to(await tick(app, api, clock, at(THURSDAY, "09:00")), mei) == []
    # Across both runs: the lesson's heading once, every note once, the quiz once, in that order.
    thursday = [
        c
        for c in api.calls
        if c.ok and c.method in ("sendMessage", "sendPoll") and c.params["chat_id"] == mei.id
    ]
    thursday = thursday[1:]  # after the welcome
    assert [c.method for c in thursday] == ["sendMessage"] * 3 + ["sendPoll"] * DAY_ONE_QUESTIONS
    assert "培训第 1/10 天" in thursday[0].params["text"]

    async with running_bot(settings) as app:
        # Started again the next morning: day 2, once; day 1 is not sent again.
        friday = to(await tick(app, api, clock, at(FRIDAY, "08:30")), mei)
        texts = [c.params["text"] for c in friday if c.method == "sendMessage"]
        assert "培训第 2/10 天" in texts[0] and not any("培训第 1/10 天" in t for t in texts)
        async with app.bot_data.db() as session:
            lessons = (await session.exec(select(Lesson).order_by(col(Lesson.id)))).all()
            assert [(lesson.day_index, lesson.state) for lesson in lessons] == [
                (0, LessonState.QUIZ),
                (1, LessonState.QUIZ),
            ]
        polls = await polls_of(app, mei)
        assert all(p.state == PollState.SENT and not p.maybe_duplicate for p in polls)
        assert len({p.poll_id for p in polls}) == len(polls)
    assert len([c for c in api.calls_to("sendPoll") if c.params["chat_id"] == mei.id]) == len(polls)


async def test_a_poll_left_sending_by_a_dead_process_is_sent_again_flagged(
    clock: Any, fake_bot_api: FakeBotAPI, database_url: str, admin: FakeUser
) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url)
    async with running_bot(settings) as app:
        mei = await hire(api, admin, 3005, "小梅")
        await tick(app, api, clock, at(THURSDAY, "08:30"))
        polls = await polls_of(app, mei)
        assert len(polls) == DAY_ONE_QUESTIONS
        # As if another process had claimed the last poll and died before Telegram's answer was recorded.
        async with app.bot_data.db() as session:
            last = await session.get(QuizPoll, polls[-1].id)
            assert last is not None
            last.state, last.poll_id, last.claimed_by = PollState.SENDING, None, "a-dead-process"
            session.add(last)
            await session.commit()
    async with running_bot(settings) as app:
        again = to(await tick(app, api, clock, at(THURSDAY, "08:40")), mei)
        assert [c.method for c in again] == ["sendPoll"]
        assert again[0].params["question"] == polls[-1].question
        (resent,) = [p for p in await polls_of(app, mei) if p.id == polls[-1].id]
        assert resent.state == PollState.SENT and resent.maybe_duplicate
