"""Attendance's domain logic, no Telegram: ``from bot.attendance import service; service.check_in(...)``.

Every function that depends on the time takes ``now`` (an aware datetime) and the local zone ``tz``, so
tests control both. The modules: ``config`` (the workplace), ``shifts`` (definitions and assignments),
``overrides`` (the admins' calendar changes, and each day's plan), ``holidays`` (official schedules admins
entered for years the calendar package does not know), ``rosters`` (who is expected when, and their records),
``checkin`` and ``checkout``, ``ticks`` (the scheduler's due work), ``requests`` (leave, swaps,
corrections), ``decisions`` (an admin's answer), ``cards`` (the messages that show a request), ``common``.
Reports live in ``bot/attendance/reports.py``.
"""

from bot.attendance.service.cards import add_request_cards, forget_request_card, take_request_cards
from bot.attendance.service.checkin import CheckIn, CheckInOutcome, CheckInRequest, check_in, check_in_many
from bot.attendance.service.checkout import CheckOut, CheckOutOutcome, check_out
from bot.attendance.service.common import days_between, distance_m
from bot.attendance.service.config import get_config, set_radius, set_require_location, set_workplace
from bot.attendance.service.decisions import decide
from bot.attendance.service.holidays import (
    clear_year,
    entered_years,
    save_year,
    unknown_years,
    year_holidays,
)
from bot.attendance.service.overrides import clear_day, day_plans, overrides, set_day
from bot.attendance.service.requests import (
    AnswerOutcome,
    RequestError,
    answer_swap,
    cancel_request,
    get_request,
    my_requests,
    pending_requests,
    request_correction,
    request_leave,
    request_swap,
)
from bot.attendance.service.rosters import Duty, next_duties, record_occurrence, records_between, roster
from bot.attendance.service.shifts import (
    AssignOutcome,
    admins,
    assign,
    assignees,
    deactivate_shift,
    get_shift,
    list_shifts,
    person_assignments,
    save_shift,
    set_on_holidays,
    shift_staff,
    staff,
    unassign,
)
from bot.attendance.service.ticks import Notice, NoticeKind, Tick, claim_summary, tick

__all__ = [
    "AnswerOutcome",
    "AssignOutcome",
    "CheckIn",
    "CheckInOutcome",
    "CheckInRequest",
    "CheckOut",
    "CheckOutOutcome",
    "Duty",
    "Notice",
    "NoticeKind",
    "RequestError",
    "Tick",
    "add_request_cards",
    "admins",
    "answer_swap",
    "assign",
    "assignees",
    "cancel_request",
    "check_in",
    "check_in_many",
    "check_out",
    "claim_summary",
    "clear_day",
    "clear_year",
    "day_plans",
    "days_between",
    "deactivate_shift",
    "decide",
    "distance_m",
    "entered_years",
    "forget_request_card",
    "get_config",
    "get_request",
    "get_shift",
    "list_shifts",
    "my_requests",
    "next_duties",
    "overrides",
    "pending_requests",
    "person_assignments",
    "record_occurrence",
    "records_between",
    "request_correction",
    "request_leave",
    "request_swap",
    "roster",
    "save_shift",
    "save_year",
    "set_day",
    "set_on_holidays",
    "set_radius",
    "set_require_location",
    "set_workplace",
    "shift_staff",
    "staff",
    "take_request_cards",
    "tick",
    "unassign",
    "unknown_years",
    "year_holidays",
]
