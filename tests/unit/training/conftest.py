"""A small knowledge folder with quiz questions and a two-day plan, people, and a delivery helper."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import service as delivery
from bot.delivery.models import Campaign, Delivery
from bot.knowledge.notes import load_notes
from bot.people import service as people
from bot.people.models import Person, Role
from bot.training.catalog import Catalog
from bot.training.service import Office

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY = date(2025, 10, 9)
FRIDAY = date(2025, 10, 10)
ADMIN_IDS = frozenset({900, 901})
OFFICE = Office(TZ, "zh_CN", ADMIN_IDS)

NOTES = {
    "refund.md": """---
title: 退款多久到账
quiz:
  - question: 退到储蓄卡一般多久到账？
    options: [马上, 1–3 个工作日, 一个月]
    answer: 2
    explanation: 一般 1–3 个工作日，最长 7 个工作日。
  - question: 能承诺几点到账吗？
    options: [能, 不能]
    answer: 2
    explanation: 按售后单状态说明，不承诺具体时间。
---
退款原路退回。
""",
    "greeting.md": """---
title: 开场问候
quiz:
  - question: 顾客已经说清问题时第一句怎么回？
    options: [有什么可以帮您, 直接回应问题]
    answer: 2
    explanation: 直接回应，少一轮来回。
---
亲，您好！
""",
    "breaks.md": """---
title: 休息
---
小休不超过 10 分钟。
""",
    "training/新员工.yaml": """title: 两日课
default: true
days:
  - title: 退款和开场
    notes: [refund, greeting]
  - notes: [breaks]
""",
}


def at(day: date, hhmm: str) -> datetime:
    """A local wall-clock time on ``day`` as an aware UTC moment."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    for name, text in NOTES.items():
        path = tmp_path / "kb" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    loaded = load_notes(tmp_path / "kb")
    assert loaded.problems == []
    return Catalog(tuple(loaded.plans), {note.id: note for note in loaded.notes})


async def person(session: AsyncSession, telegram_id: int, name: str, role: Role = Role.STAFF) -> Person:
    row = await people.record_person(session, people.Profile(telegram_id, name))
    row.role = role
    session.add(row)
    await session.commit()
    return row


async def deliver(session: AsyncSession, state: str = "sent") -> int:
    """Act as the outbox's sender: every due row is sent (or ends ``state``); how many."""
    done = 0
    for work in await delivery.due_work(session, limit=1000):
        assert await delivery.claim(session, work)
        if state == "sent":
            await delivery.mark_sent(session, work, 1000 + work.delivery_id)
        else:
            await delivery.mark_blocked(session, work, "Forbidden: bot was blocked by the user")
        done += 1
    return done


async def queued_texts(session: AsyncSession) -> list[str]:
    """The texts of every outbox row, in the order they were queued."""
    result = await session.exec(
        select(Campaign.payload).join(Delivery, Delivery.campaign_id == Campaign.id).order_by(Delivery.id)
    )
    return [payload["text"] for payload in result.all()]
