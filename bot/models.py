"""Imports every capability's tables so that ``SQLModel.metadata`` is complete (Alembic, tests)."""

from bot.attendance.models import (
    AttendanceConfig,
    AttendanceRecord,
    AttendanceRequest,
    CalendarDay,
    Shift,
    ShiftAssignment,
    StatutoryDay,
)
from bot.dashboard.models import MenuButtonSet
from bot.delivery.models import Campaign, Delivery, RateBudget
from bot.jobs.models import JobApplication, JobPosting, JobSubscription
from bot.knowledge.models import LearnedPhrasing, Question, SavedNote
from bot.notices.models import Notice, NoticeAck
from bot.people.models import GroupChat, Invite, Person, Role
from bot.persistence.models import ConversationState, ConversationUserData
from bot.training.models import Enrolment, Lesson, QuizPoll, ReviewCard

__all__ = [
    "AttendanceConfig",
    "AttendanceRecord",
    "AttendanceRequest",
    "CalendarDay",
    "Campaign",
    "ConversationState",
    "ConversationUserData",
    "Delivery",
    "Enrolment",
    "GroupChat",
    "Invite",
    "JobApplication",
    "JobPosting",
    "JobSubscription",
    "LearnedPhrasing",
    "Lesson",
    "MenuButtonSet",
    "Notice",
    "NoticeAck",
    "Person",
    "Question",
    "QuizPoll",
    "RateBudget",
    "ReviewCard",
    "Role",
    "SavedNote",
    "Shift",
    "ShiftAssignment",
    "StatutoryDay",
]
