"""The dashboard end to end: the real bot with its web server, signed in with initData the tests sign.

The clock is frozen at 09:00 on a Thursday (Asia/Shanghai). The floor: the admin, two staff on the morning
shift 08:30–17:00 (李 checked in late at 09:00, 王 not yet), 王 also on the evening shift, and a job seeker.
``in_training`` puts 李 half-way through the training plan and 王 at its end, ready.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from bot.app import BotApplication
from bot.attendance import service as attendance
from bot.attendance.models import AttendanceRequest
from bot.attendance.schedule import parse_shift
from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.payload import Payload
from bot.jobs import service as jobs
from bot.knowledge import service as knowledge
from bot.knowledge.models import Outcome, Question
from bot.knowledge.notes import Plan
from bot.knowledge.search import SearchResult
from bot.notices import service as notices
from bot.people.models import Person
from bot.playground.botapi import Call, FakeBotAPI, FakeUser
from bot.training import service as training
from bot.training.catalog import load_catalog
from bot.training.models import PollState, QuizPoll, ReviewCard
from bot.web import web_application
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot, staff

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
WEBAPP_URL = "https://dash.example/xz/"
OTHER_BOT_TOKEN = "987654:another-bots-token-AAAAAAAAAAAAAAAAAAA"


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


def sign_init_data(token: str, user: FakeUser, *, signed_at: datetime) -> str:
    """Launch data as Telegram makes it for ``user``, signed with ``token`` (written here, apart from the
    bot's own code: secret = HMAC("WebAppData", token), hash = HMAC(secret, sorted key=value lines))."""
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user.to_dict(), ensure_ascii=False, separators=(",", ":")),
    }
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def tampered(init_data: str) -> str:
    """The same launch data naming another user id, with the original hash."""
    return init_data.replace("%22id%22%3A", "%22id%22%3A1", 1)


@dataclass
class Floor:
    """Who is on the floor today, as Telegram users and as database ids."""

    admin: FakeUser
    li: FakeUser
    wang: FakeUser
    seeker: FakeUser
    ids: dict[str, int]


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(at(THURSDAY, "09:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture
async def app(clock: Any, fake_bot_api: FakeBotAPI, database_url: str) -> AsyncIterator[BotApplication]:
    async with running_bot(bot_settings(fake_bot_api, database_url, webapp_url=WEBAPP_URL)) as application:
        yield application


@pytest.fixture
async def floor(app: BotApplication, fake_bot_api: FakeBotAPI) -> Floor:
    api = fake_bot_api
    admin = await staff(app, api, ADMIN_ID, "王经理", role="admin", username="manager_wang")
    li = await staff(app, api, 5001, "李娜", username="s1")
    wang = await staff(app, api, 5002, "王强", username="s2", language_code="en")
    seeker = await staff(app, api, 7001, "赵求职", role="seeker")
    ids: dict[str, int] = {}
    async with app.bot_data.db() as session:
        for key, user in (("admin", admin), ("li", li), ("wang", wang), ("seeker", seeker)):
            person = (await session.exec(select(Person).where(Person.telegram_id == user.id))).one()
            assert person.id is not None
            ids[key] = person.id
        people = {key: await session.get(Person, ids[key]) for key in ("li", "wang")}
        for definition, members in (
            ("早班 08:30 17:00 1-7", ["li", "wang"]),
            ("晚班 18:00 22:00 1-7", ["wang"]),
        ):
            draft = parse_shift(definition.split())
            assert not isinstance(draft, tuple), draft
            shift, _ = await attendance.save_shift(session, draft)
            for key in members:
                person = people[key]
                assert person is not None
                await attendance.assign(
                    session, shift, person, date(2025, 9, 1), now=at(date(2025, 8, 31), "12:00")
                )
        await attendance.check_in(session, ids["li"], at(THURSDAY, "09:00"), TZ)
    return Floor(admin, li, wang, seeker, ids)


@pytest.fixture
async def client(app: BotApplication) -> AsyncIterator[TestClient[Any, Any]]:
    """The bot's web application, dashboard included, on a local port."""
    async with TestClient(TestServer(web_application(app, dashboard=True))) as test_client:
        yield test_client


async def leave_request(api: FakeBotAPI, li: FakeUser) -> Call:
    """李娜 asks for leave tomorrow in the chat; the card the admin got."""
    await reply_to(api, li, "/leave 2025-10-10 看病")
    return await api.wait_for("sendMessage", chat_id=ADMIN_ID, text=lambda t: "请假 #1" in t)


async def status_of(app: BotApplication, request_id: int) -> str:
    async with app.bot_data.db() as session:
        request = await session.get(AttendanceRequest, request_id)
        assert request is not None
        return request.status


async def bearer(client: TestClient[Any, Any], api: FakeBotAPI, user: FakeUser) -> dict[str, str]:
    data = sign_init_data(api.token, user, signed_at=utcnow())
    body = await (await client.post("/api/session", headers={"Authorization": f"tma {data}"})).json()
    return {"Authorization": f"Bearer {body['token']}"}


async def queued_question(app: BotApplication, asker: FakeUser) -> Question:
    """``asker`` asked something the notes do not answer: it waits in the admins' queue (logged as the chat
    logs it, without running the search)."""
    async with app.bot_data.db() as session:
        person = (await session.exec(select(Person).where(Person.telegram_id == asker.id))).one()
        unknown = SearchResult(query="公司有没有宿舍", answer=None, matches=[], outcome=Outcome.UNKNOWN)
        return await knowledge.log_question(
            session,
            person_id=person.id,
            chat_id=asker.id,
            text="公司有没有宿舍",
            audience="public",
            result=unknown,
        )


async def applied(app: BotApplication, floor: Floor) -> int:
    """A published posting for one 分拣员, and the job seeker's application to it; the application's id."""
    async with app.bot_data.db() as session:
        admin = await session.get(Person, floor.ids["admin"])
        seeker = await session.get(Person, floor.ids["seeker"])
        assert admin is not None and seeker is not None
        draft = jobs.PostingDraft("分拣员", "分拣快递包裹", 1, "150元/天", "8:00-17:00", "东村仓库")
        posting = await jobs.create_posting(session, admin, draft)
        assert posting.id is not None and await jobs.publish(session, posting)
        form = jobs.ApplicationForm("赵求职", "13800138000", "东村", "周一到周五")
        submitted = await jobs.submit_application(session, posting.id, seeker, form)
        assert submitted.application is not None and submitted.application.id is not None
        return submitted.application.id


async def sent_notice(app: BotApplication, api: FakeBotAPI, floor: Floor) -> int:
    """A notice to all staff, delivered to the admin, 李娜 and 王强; 李娜 confirmed it. Its id."""
    async with app.bot_data.db() as session:
        admin = await session.get(Person, floor.ids["admin"])
        assert admin is not None
        notice = await notices.create_draft(session, admin, Payload(text="明天 8 点开安全会"))
        assert notice.id is not None
        campaign = await notices.confirm(
            session, notice, app.bot_data.notice_audiences, ack_label="✅ 收到", creator_telegram_id=None
        )
        assert not isinstance(campaign, str), campaign
    app.bot_data.sender.wake()
    for user in (floor.admin, floor.li, floor.wang):
        await api.wait_for("sendMessage", chat_id=user.id, text=lambda t: "安全会" in t)
    async with app.bot_data.db() as session:  # every copy is marked sent, not only sent
        for _ in range(100):
            if (await delivery.campaign_counts(session, campaign.id)).sent == 3:
                break
            session.expire_all()
            await asyncio.sleep(0.02)
    async with app.bot_data.db() as session:
        li = await session.get(Person, floor.ids["li"])
        assert li is not None
        assert await notices.acknowledge(session, notice.id, li) == notices.AckOutcome.RECORDED
    return notice.id


async def in_training(app: BotApplication, floor: Floor) -> Plan:
    """李娜 on day 3 of the default plan: 3 of 4 quiz answers right, one poll unanswered, one question due
    for review today; 王强 finished it yesterday and is ready. The plan."""
    catalog = load_catalog(app.bot_data.knowledge)
    plan = catalog.default
    assert plan is not None
    first_day_notes = [note for note in plan.days[0].note_ids if note in catalog.notes]
    async with app.bot_data.db() as session:
        for key in ("li", "wang"):
            person = await session.get(Person, floor.ids[key])
            assert person is not None
            assert await training.enrol(session, person, plan, now=at(date(2025, 10, 6), "09:00")) == (
                training.EnrolOutcome.ENROLLED
            )
        li = await training.enrolment_of(session, floor.ids["li"])
        wang = await training.enrolment_of(session, floor.ids["wang"])
        assert li is not None and li.id is not None and wang is not None
        li.next_day = 2
        wang.next_day, wang.ready_at = len(plan.days), at(date(2025, 10, 8), "10:00")
        session.add_all([li, wang])
        for number, correct in enumerate((True, True, True, False, None)):
            session.add(
                QuizPoll(
                    enrolment_id=li.id,
                    note_id=first_day_notes[0],
                    question_key=f"q{number}",
                    question=f"第 {number} 题",
                    options=["对", "错"],
                    correct_option=0,
                    chat_id=floor.li.id,
                    state=PollState.SENT,
                    answered_at=None if correct is None else at(date(2025, 10, 8), "10:00"),
                    correct=correct,
                )
            )
        session.add(
            ReviewCard(enrolment_id=li.id, note_id=first_day_notes[0], question_key="q3", due_on=THURSDAY)
        )
        await session.commit()
    return plan
