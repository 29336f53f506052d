"""Progress: what /learn and /training show, and the workbook."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import gettext_for
from bot.people.models import Person
from bot.training import export, service
from bot.training.catalog import Catalog
from bot.training.models import Enrolment, EnrolmentState, Lesson, LessonState, PollState, QuizPoll
from tests.unit.training.conftest import FRIDAY, OFFICE, THURSDAY, TZ, at, person

NOW = at(FRIDAY, "10:00")


async def two_learners(session: AsyncSession) -> tuple[Enrolment, Enrolment]:
    """小梅: Thursday's lesson, four polls sent — refund right and wrong, greeting wrong, one not answered;
    阿明: paused before his first lesson."""
    mei, ming = await person(session, 10, "小梅"), await person(session, 11, "阿明")
    first = Enrolment(person_id=mei.id or 0, plan_id="新员工", next_day=1, enrolled_at=at(THURSDAY, "07:00"))
    second = Enrolment(person_id=ming.id or 0, plan_id="新员工", state=EnrolmentState.PAUSED)
    session.add_all([first, second])
    await session.flush()
    lesson = Lesson(
        enrolment_id=first.id or 0,
        plan_id="新员工",
        day_index=0,
        lesson_date=THURSDAY,
        due_at=at(THURSDAY, "08:30"),
        created_at=at(THURSDAY, "08:30"),
        state=LessonState.QUIZ,
    )
    session.add(lesson)
    await session.flush()
    answers = [
        ("refund", "a", True),
        ("refund", "b", False),
        ("greeting", "c", False),
        ("greeting", "d", None),
    ]
    for position, (note, key, correct) in enumerate(answers):
        session.add(
            QuizPoll(
                enrolment_id=first.id or 0,
                lesson_id=lesson.id,
                position=position,
                note_id=note,
                question_key=key,
                question=f"{note} 的题 {key}",
                options=["x", "y"],
                correct_option=0,
                chat_id=10,
                state=PollState.SENT,
                answered_at=at(THURSDAY, "09:00") if correct is not None else None,
                correct=correct,
            )
        )
    await session.commit()
    return first, second


async def test_learners_accuracy_overdue_and_weakest(session: AsyncSession, catalog: Catalog) -> None:
    first, _second = await two_learners(session)
    mei, ming = await service.learners(session, catalog, OFFICE, NOW)
    assert (mei.person.first_name, ming.person.first_name) == ("小梅", "阿明")
    assert mei.quiz == service.QuizStats(asked=4, answered=3, right=1) and mei.quiz.accuracy == 33
    assert mei.overdue == 1 and mei.days_done == 1 and mei.days_total == 2 and not mei.paused
    assert [(w.title, w.right, w.answered) for w in mei.weakest] == [
        ("开场问候", 0, 1),
        ("退款多久到账", 1, 2),
    ]
    assert ming.paused and ming.quiz.accuracy is None and ming.overdue == 0
    # Not overdue within a day of the lesson.
    (early,) = await service.learners(session, catalog, OFFICE, at(THURSDAY, "20:00"), enrolment_id=first.id)
    assert early.overdue == 0

    failed = await service.most_failed(session)
    assert [(f.note_id, f.wrong, f.answered) for f in failed] == [("greeting", 1, 1), ("refund", 1, 1)]


async def test_the_workbook(session: AsyncSession, catalog: Catalog) -> None:
    await two_learners(session)
    _ = gettext_for("zh_CN")
    learners = await service.learners(session, catalog, OFFICE, NOW)
    data = export.to_xlsx(_, learners, await service.most_failed(session), TZ)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["培训进度", "易错题"]
    rows = list(workbook["培训进度"].iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "用户名", "培训计划", "已学天数")
    assert rows[1][:13] == (
        "小梅",
        None,
        "两日课",
        1,
        2,
        "学习中",
        4,
        3,
        1,
        33,
        1,
        0,
        "开场问候 (0/1); 退款多久到账 (1/2)",
    )
    assert rows[2][5] == "已暂停"
    english = export.to_xlsx(gettext_for("en"), learners, [], TZ)
    assert load_workbook(io.BytesIO(english)).sheetnames == ["Progress", "Questions missed"]


async def test_my_training(session: AsyncSession, catalog: Catalog) -> None:
    first, _second = await two_learners(session)
    mei = await session.get(Person, first.person_id)
    assert mei is not None
    mine = await service.my_training(session, catalog, OFFICE, mei, at(THURSDAY, "12:00"))
    assert mine is not None and mine.today is not None and mine.today.day_index == 0
    assert mine.next_lesson == at(FRIDAY, "08:30")
    assert await service.my_training(session, catalog, OFFICE, await person(session, 12, "路人"), NOW) is None
