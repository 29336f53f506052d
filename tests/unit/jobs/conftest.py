"""A small world for the jobs tests: an admin, job seekers, three village groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs import service
from bot.jobs.models import JobPosting
from bot.people import service as people
from bot.people.models import GroupChat, Person, Role

VILLAGES = {-1001: "三合村", -1002: "团结村", -1003: "红崖村"}


@dataclass
class World:
    admin: Person
    seekers: list[Person]
    groups: list[GroupChat]


async def person(session: AsyncSession, telegram_id: int, name: str, role: Role = Role.SEEKER) -> Person:
    record = await people.record_person(session, people.Profile(telegram_id, name, language_code="zh-hans"))
    record.role = role
    session.add(record)
    await session.commit()
    return record


@pytest.fixture
async def world(session: AsyncSession) -> World:
    admin = await person(session, 1, "王经理", Role.ADMIN)
    seekers = [await person(session, 100 + i, name) for i, name in enumerate(["小梅", "阿明", "卓玛"])]
    groups = []
    for chat_id, village in VILLAGES.items():
        await people.record_group(session, chat_id, title=f"{village}老乡群", chat_type="group", active=True)
        groups.append(
            await people.bind_village(session, chat_id, village, title=f"{village}老乡群", chat_type="group")
        )
    await people.record_group(session, -1999, title="闲聊群", chat_type="group", active=True)  # no village
    return World(admin, seekers, groups)


def draft(**fields: object) -> service.PostingDraft:
    values: dict[str, object] = {
        "title": "电商客服",
        "description": "在星站用电脑回复海外买家的售后消息，有培训。",
        "headcount": 2,
        "pay": "3000-4500元/月",
        "hours": "早班 8:00-16:00",
        "location": "平安区星站",
        "requirements": None,
        "closes_at": utcnow() + timedelta(days=10),
    }
    values.update(fields)
    return service.PostingDraft(**values)  # type: ignore[arg-type]


async def open_posting(session: AsyncSession, admin: Person, **fields: object) -> JobPosting:
    posting = await service.create_posting(session, admin, draft(**fields))
    assert await service.publish(session, posting)
    return posting


def form(name: str = "小梅", phone: str = "13812345678", **fields: object) -> service.ApplicationForm:
    values: dict[str, object] = {
        "name": name,
        "phone": phone,
        "village": "三合村",
        "availability": "下周一",
        "note": None,
        "contact_shared": True,
    }
    values.update(fields)
    return service.ApplicationForm(**values)  # type: ignore[arg-type]
