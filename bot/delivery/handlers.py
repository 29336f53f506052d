"""TRANSITION shim: removed once every capability reads ``bot_data.sender`` and ``bot_data.alert_lock``."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.delivery.sender import Sender

SERVICE_KEY = "delivery"


def alert_lock(bot_data: Any, series: str) -> asyncio.Lock:
    return bot_data.alert_lock(series)  # type: ignore[no-any-return]


def get_sender(bot_data: Any) -> Sender:
    return bot_data.sender  # type: ignore[no-any-return]
