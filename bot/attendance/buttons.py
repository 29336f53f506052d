"""The inline buttons of attendance, as typed callback data (``bot.buttons``). No Telegram here.

A button only says what was pressed; its handler checks against the database that the thing exists and
that the person may press it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.buttons import PAGE, Button


@dataclass(frozen=True)
class CheckInNow(Button, prefix="att.in"):
    """签到 under a reminder."""


@dataclass(frozen=True)
class CheckOutNow(Button, prefix="att.out"):
    """签退 under a reminder (``early_ok`` False), or "Yes, check out" when asked about leaving early."""

    early_ok: bool


@dataclass(frozen=True)
class StayOn(Button, prefix="att.stay"):
    """The answer "No, I'm staying" when asked about leaving early."""


@dataclass(frozen=True)
class Withdraw(Button, prefix="att.withdraw"):
    """The requester withdraws an open request (/myrequests)."""

    request_id: int


@dataclass(frozen=True)
class AnswerSwap(Button, prefix="att.swap"):
    """The colleague accepts or declines a swap."""

    request_id: int
    accept: bool


@dataclass(frozen=True)
class Decide(Button, prefix="att.decide"):
    """An admin approves or rejects a request."""

    request_id: int
    approve: bool


@dataclass(frozen=True)
class ShiftCard(Button, prefix="att.shift"):
    """A shift's card, from the list of shifts."""

    shift_id: int


@dataclass(frozen=True)
class ShiftStaff(Button, prefix="att.staff"):
    """One page of the staff to put on or take off a shift."""

    shift_id: int
    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class ToggleStaff(Button, prefix="att.toggle"):
    """Put a person on a shift from today, or take them off it; ``page`` is the page to show again."""

    shift_id: int
    person_id: int
    page: Annotated[int, PAGE]


@dataclass(frozen=True)
class DeleteShift(Button, prefix="att.delete"):
    """Ask whether to delete a shift."""

    shift_id: int


@dataclass(frozen=True)
class ConfirmDelete(Button, prefix="att.delete_ok"):
    """Yes, delete the shift."""

    shift_id: int


@dataclass(frozen=True)
class OnHolidays(Button, prefix="att.holidays"):
    """On a shift's card: make the shift run on public holidays (``on``), or not."""

    shift_id: int
    on: bool
