"""Imports every capability's tables so that ``SQLModel.metadata`` is complete (Alembic, tests)."""

from bot.attendance.models import (
    AttendanceConfig,
    AttendanceRecord,
    AttendanceRequest,
    CalendarDay,
    Shift,
    ShiftAssignment,
)
from bot.delivery.models import Campaign, Delivery
from bot.jobs.models import JobApplication, JobPosting, JobSubscription
from bot.knowledge.models import Question
from bot.notices.models import Notice, NoticeAck
from bot.people.models import GroupChat, Invite, Person, Role

__all__ = [
    "AttendanceConfig",
    "AttendanceRecord",
    "AttendanceRequest",
    "CalendarDay",
    "Campaign",
    "Delivery",
    "GroupChat",
    "Invite",
    "JobApplication",
    "JobPosting",
    "JobSubscription",
    "Notice",
    "NoticeAck",
    "Person",
    "Question",
    "Role",
    "Shift",
    "ShiftAssignment",
]
