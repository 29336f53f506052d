"""Check-ins that arrive together are written together: one transaction for everyone waiting."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.attendance.service import CheckIn, CheckInRequest, check_in_many
from bot.db import SessionFactory

log = logging.getLogger(__name__)

MAX_BATCH = 200


@dataclass(slots=True)
class _Waiting:
    request: CheckInRequest
    answer: asyncio.Future[CheckIn]


class CheckInQueue:
    """Hands check-ins to one writer that takes all that are waiting at once.

    When the whole floor presses 签到 within a second, the check-ins share a few transactions instead of
    queueing one by one for the database's write lock. A lone check-in is written at once; nothing waits
    for a batch to fill. If a batch fails, its check-ins are tried one by one, so one bad row fails alone.
    """

    def __init__(self, session_factory: SessionFactory, tz: ZoneInfo, *, max_batch: int = MAX_BATCH) -> None:
        self._db = session_factory
        self._tz = tz
        self._max_batch = max_batch
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def check_in(
        self, person_id: int, now: datetime, *, location: tuple[float, float] | None = None
    ) -> CheckIn:
        """Check ``person_id`` in as of ``now``; returns once it is committed (or refused)."""
        answer: asyncio.Future[CheckIn] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(CheckInRequest(person_id, now, location), answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="attendance:check-ins")
        return await answer

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[: self._max_batch], self._waiting[self._max_batch :]
            try:
                await self._settle(batch)
            except Exception as exc:
                if len(batch) == 1:
                    if not batch[0].answer.done():
                        batch[0].answer.set_exception(exc)
                    continue
                log.warning("a batch of %d check-ins failed (%s); trying them one by one", len(batch), exc)
                for waiting in batch:
                    try:
                        await self._settle([waiting])
                    except Exception as single:
                        if not waiting.answer.done():
                            waiting.answer.set_exception(single)

    async def _settle(self, batch: list[_Waiting]) -> None:
        async with self._db() as session:
            answers = await check_in_many(session, [w.request for w in batch], self._tz)
        for waiting, answer in zip(batch, answers, strict=True):
            if not waiting.answer.done():
                waiting.answer.set_result(answer)
