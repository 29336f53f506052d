"""Shared helpers of the notices unit tests: a small workplace in the database."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import service as delivery
from bot.delivery.payload import Payload
from bot.people import service as people
from bot.people.models import Person, Role

TEXT = Payload(text="明天上午10点全员培训，请准时到")


async def person(session: AsyncSession, telegram_id: int, role: Role, name: str = "") -> Person:
    """A person with ``role``."""
    row = await people.record_person(session, people.Profile(telegram_id, name or f"p{telegram_id}"))
    row.role = role
    session.add(row)
    await session.commit()
    return row


async def world(session: AsyncSession) -> tuple[Person, list[Person]]:
    """老板 (admin 1), 主管 (admin 2), 员工0-2 (staff 10-12), a job seeker (99); three groups, one inactive,
    one bound to 三合村. Returns the boss and everyone else who works here."""
    boss = await person(session, 1, Role.ADMIN, "老板")
    other_admin = await person(session, 2, Role.ADMIN, "主管")
    staff = [await person(session, 10 + i, Role.STAFF, f"员工{i}") for i in range(3)]
    await person(session, 99, Role.SEEKER, "求职者")
    await people.record_group(session, -100, title="三合村群", chat_type="group", active=True)
    await people.record_group(session, -200, title="团结村群", chat_type="group", active=True)
    await people.record_group(session, -300, title="旧群", chat_type="group", active=False)
    await people.bind_village(session, -100, "三合村", title="三合村群", chat_type="group")
    return boss, [other_admin, *staff]


async def deliver(session: AsyncSession, campaign_id: int) -> None:
    """Act as the sender: every row of the campaign is sent."""
    for work in await delivery.due_work(session, limit=1000):
        if work.campaign_id == campaign_id:
            await delivery.claim(session, work)
            await delivery.mark_sent(session, work, 1000 + work.delivery_id)
