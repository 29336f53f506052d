"""Small helpers the service modules share: date ranges, distances, idempotent inserts, typed reasons."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

REASON_MAX_LENGTH = 200
EARTH_RADIUS_M = 6_371_000.0


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


async def insert_ignore(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows, skipping those that break a unique constraint; the ids of the rows inserted."""
    if not rows:
        return []
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(rows).on_conflict_do_nothing().returning(model.id)
    result = await session.exec(statement)  # type: ignore[call-overload]
    return [row[0] for row in result.all()]


def clean_reason(reason: str | None) -> str:
    return " ".join((reason or "").split())[:REASON_MAX_LENGTH]
