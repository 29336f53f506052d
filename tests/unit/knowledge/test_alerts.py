"""Alerts to admins about open questions: queued in the outbox per language, gathered in a rush."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState
from bot.delivery.payload import Payload
from bot.knowledge import alerts, service
from bot.knowledge.buttons import AnswerQuestion
from bot.knowledge.models import Feedback, Outcome, Question, QueueState
from bot.people import service as people
from bot.people.models import Person, Role


@dataclass
class Floor:
    manager: Person
    boss: Person
    leader: Person
    staff: Person

    @property
    def admins(self) -> list[Person]:
        return [self.manager, self.boss, self.leader]


async def _person(
    session: AsyncSession, telegram_id: int, name: str, role: Role, language: str = "zh-hans"
) -> Person:
    record = await people.record_person(session, people.Profile(telegram_id, name, language_code=language))
    record.role = role
    session.add(record)
    await session.commit()
    return record


@pytest.fixture
async def floor(session: AsyncSession) -> Floor:
    return Floor(
        manager=await _person(session, 1, "王经理", Role.ADMIN),
        boss=await _person(session, 2, "Boss", Role.ADMIN, "en"),
        leader=await _person(session, 3, "李组长", Role.ADMIN),
        staff=await _person(session, 10, "小梅", Role.STAFF),
    )


async def _ask(
    session: AsyncSession, asker: Person, text: str, *, feedback: Feedback | None = None
) -> Question:
    question = Question(
        person_id=asker.id,
        chat_id=asker.telegram_id,
        text=text,
        outcome=Outcome.ANSWER if feedback else Outcome.UNKNOWN,
        feedback=feedback,
        queue_state=QueueState.OPEN,
    )
    session.add(question)
    await session.commit()
    return question


async def _alert(session: AsyncSession, floor: Floor, question: Question, now: datetime) -> list[Campaign]:
    return await alerts.alert_admins(
        session, question, admins=floor.admins, default_language="zh_CN", now=now
    )


async def _chats(session: AsyncSession, campaign: Campaign) -> list[int]:
    assert campaign.id is not None
    return [row.chat_id for row in await delivery.list_deliveries(session, campaign.id)]


async def _fresh(session: AsyncSession, campaign: Campaign) -> Campaign:
    fresh = await session.get(Campaign, campaign.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def test_the_first_alert_goes_at_once_in_each_admins_language(
    session: AsyncSession, floor: Floor
) -> None:
    question = await _ask(session, floor.staff, "公司有没有宿舍")
    campaigns = await _alert(session, floor, question, utcnow())
    by_ref = {c.ref: c for c in campaigns}
    assert set(by_ref) == {"kb_alert:en", "kb_alert:zh_CN"}
    assert all(c.kind == alerts.ALERT_KIND and c.send_after is None for c in campaigns)
    assert await _chats(session, by_ref["kb_alert:zh_CN"]) == [1, 3]
    assert await _chats(session, by_ref["kb_alert:en"]) == [2]

    chinese = Payload.from_dict(by_ref["kb_alert:zh_CN"].payload)
    assert chinese.text == "❓ 小梅 提了一个我答不上来的问题：\n公司有没有宿舍" and chinese.parse_mode is None
    [[button]] = chinese.buttons
    assert (button.text, button.callback_data) == ("✍️ 回答", AnswerQuestion(question.id).pack())
    english = Payload.from_dict(by_ref["kb_alert:en"].payload)
    assert english.text.startswith("❓ New unanswered question from 小梅")
    assert english.buttons[0][0].text == "✍️ Answer"


async def test_an_admin_is_not_alerted_about_their_own_question(session: AsyncSession, floor: Floor) -> None:
    question = await _ask(session, floor.leader, "夏天有没有高温补贴")
    campaigns = await _alert(session, floor, question, utcnow())
    assert sorted([chat for c in campaigns for chat in await _chats(session, c)]) == [1, 2]


async def test_questions_in_a_rush_are_gathered_into_one_digest(session: AsyncSession, floor: Floor) -> None:
    now = utcnow()
    first = await _alert(session, floor, await _ask(session, floor.staff, "公司有没有宿舍"), now)
    assert [c.send_after for c in first] == [None, None]

    later = now + timedelta(seconds=10)
    questions = [await _ask(session, floor.staff, f"第{n}个问题") for n in range(2, 9)]
    digest = await _alert(session, floor, questions[0], later)
    assert all(c.send_after == now + alerts.ALERT_WINDOW for c in digest)
    for question in questions[1:]:
        again = await _alert(session, floor, question, later + timedelta(seconds=5))
        assert [c.id for c in again] == [c.id for c in digest]

    await service.answer_question(session, questions[1], admin_id=floor.manager.id, text="已回答")
    last = await _ask(session, floor.staff, "最后一个问题", feedback=Feedback.DOWN)
    await _alert(session, floor, last, later + timedelta(seconds=20))

    zh = await _fresh(session, next(c for c in digest if c.ref == "kb_alert:zh_CN"))
    payload = Payload.from_dict(zh.payload)
    waiting = [q.id for q in questions if q.id != questions[1].id] + [last.id]
    assert alerts.questions_in(zh) == waiting
    assert payload.text.startswith(f"❓ 有 {len(waiting)} 个问题在等你回答：")
    assert f"#{questions[1].id} " not in payload.text  # answered meanwhile
    assert f"#{last.id} 👎 小梅: 最后一个问题" in payload.text and "/unanswered" in payload.text
    assert [b.callback_data for row in payload.buttons for b in row] == [
        AnswerQuestion(i).pack() for i in waiting[:5]
    ]
    assert zh.version > 1 and await _chats(session, zh) == [1, 3]
    kinds = (await session.exec(select(Campaign).where(Campaign.kind == alerts.ALERT_KIND))).all()
    assert len(kinds) == 4  # per language: the first alert and one digest

    # A digest about to go is left alone; the next question waits for the following window.
    edge = now + alerts.ALERT_WINDOW - timedelta(milliseconds=500)
    following = await _alert(session, floor, await _ask(session, floor.staff, "晚到的问题"), edge)
    assert all(c.send_after == now + 2 * alerts.ALERT_WINDOW for c in following)

    quiet = now + timedelta(minutes=10)
    alone = await _alert(session, floor, await _ask(session, floor.staff, "安静时的问题"), quiet)
    assert all(c.send_after is None for c in alone)


async def test_an_admin_left_out_of_a_digest_joins_it(session: AsyncSession, floor: Floor) -> None:
    now = utcnow()
    await _alert(session, floor, await _ask(session, floor.staff, "公司有没有宿舍"), now)
    own = await _ask(session, floor.leader, "停车场在哪里")
    [_en, without_leader] = await _alert(session, floor, own, now + timedelta(seconds=5))
    assert await _chats(session, without_leader) == [1]

    other = await _ask(session, floor.staff, "宿舍能养猫吗")
    [_en, joined] = await _alert(session, floor, other, now + timedelta(seconds=10))
    assert joined.id != without_leader.id and await _chats(session, joined) == [1, 3]
    assert joined.send_after == without_leader.send_after and alerts.questions_in(joined) == [
        own.id,
        other.id,
    ]
    assert (await _fresh(session, without_leader)).state == CampaignState.CANCELLED


async def test_nothing_is_queued_for_a_question_already_settled(session: AsyncSession, floor: Floor) -> None:
    question = await _ask(session, floor.staff, "公司有没有宿舍")
    await service.dismiss_question(session, question)
    assert await _alert(session, floor, question, utcnow()) == []


async def test_a_thumbs_down_and_a_long_digest_read_well(session: AsyncSession, floor: Floor) -> None:
    down = await _ask(session, floor.staff, "退货流程", feedback=Feedback.DOWN)
    single = alerts.alert_payload("zh_CN", [alerts.AlertItem(down, "小梅")])
    assert Payload.from_dict(single.to_dict()).text == "👎 这个回答没能帮到 小梅：\n退货流程"
    many = [alerts.AlertItem(await _ask(session, floor.staff, "问" * 200), None) for _ in range(12)]
    payload = alerts.alert_payload("en", many)
    lines = payload.text.splitlines()
    assert lines[0] == "❓ 12 questions are waiting for an answer:"
    assert len(lines[1]) < 100 and lines[1].endswith("…") and "someone" in lines[1]
    assert "… and 2 more" in payload.text and len(payload.buttons) == alerts.ANSWER_BUTTONS
