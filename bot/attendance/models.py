"""Shifts, who works them, the workplace calendar, attendance records and staff requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.db import UTCDateTime


class Shift(SQLModel, table=True):
    """A recurring shift: local start and end (minutes after midnight; an end not after the start is the
    next day), the ISO weekdays it runs on, and its check-in window."""

    __tablename__ = "shift"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True, index=True)
    start_minute: int = Field(ge=0, lt=24 * 60)
    end_minute: int = Field(gt=0, le=24 * 60, description="1440 is midnight at the end of the day")
    weekdays: str = Field(default="1234567", max_length=7, description="ISO weekdays, e.g. 12345")
    window_minutes: int = Field(default=30, description="Check-in opens this long before the start")
    grace_minutes: int = Field(default=5, description="A check-in this long after the start is still on time")
    close_minutes: int = Field(default=60, description="Check-in closes this long after the start")
    on_holidays: bool = Field(default=False, description="Runs on statutory holidays too (a 7-day desk)")
    active: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ShiftAssignment(SQLModel, table=True):
    """A person works a shift from ``start_date`` to ``end_date`` (inclusive; open-ended when None).

    It counts only for the shifts that start after it was made (``created_at``): nobody is expected, or
    absent, for a shift they were put on once it had begun."""

    __tablename__ = "shift_assignment"

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(
        sa_column=Column(Integer, ForeignKey("shift.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    start_date: date
    end_date: date | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DayKind(StrEnum):
    """An admin's override of one calendar day."""

    OFF = "off"
    WORK = "work"


class CalendarDay(SQLModel, table=True):
    """An admin's override of the statutory calendar: a day off, or a workday with a given weekday's shifts."""

    __tablename__ = "calendar_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    kind: str = Field(sa_type=String(8))
    works_as: int | None = Field(default=None, description="ISO weekday whose shifts run on a workday")
    note: str | None = Field(default=None, max_length=100)
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


HOLIDAY_NAME_MAX_LENGTH = 32


class StatutoryDay(SQLModel, table=True):
    """A day of a year's official schedule entered by an admin (``/holidays``): a public holiday, or a
    make-up workday (调休). Used only for years the ``chinesecalendar`` package does not know yet."""

    __tablename__ = "statutory_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True, index=True)
    workday: bool = Field(default=False, description="A make-up workday; otherwise a day off")
    name: str = Field(default="", max_length=HOLIDAY_NAME_MAX_LENGTH, description="The holiday, as named")
    created_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RecordStatus(StrEnum):
    """Where one person's shift on one day stands."""

    EXPECTED = "expected"  # the window opened, no check-in yet
    PRESENT = "present"  # checked in on time
    LATE = "late"
    ABSENT = "absent"
    LEAVE = "leave"


class AttendanceRecord(SQLModel, table=True):
    """One person's shift on one day: reminders sent, check-in and check-out; times are a snapshot of the
    shift when the record was made."""

    __tablename__ = "attendance_record"
    __table_args__ = (
        UniqueConstraint("person_id", "shift_id", "work_date", name="uq_attendance_record_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    shift_id: int = Field(
        sa_column=Column(Integer, ForeignKey("shift.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    work_date: date = Field(index=True, description="The local date the shift starts on")
    opens_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    late_after: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closes_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default=RecordStatus.EXPECTED, sa_type=String(16), index=True)
    checkin_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checkout_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late_minutes: int = Field(default=0)
    early_minutes: int = Field(default=0)
    distance_m: float | None = Field(default=None, description="Distance from the workplace at check-in")
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    start_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checkout_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="Closed without check-out"
    )
    checkout_missing: bool = Field(default=False)
    corrected: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class RequestKind(StrEnum):
    """What a member of staff asks for."""

    LEAVE = "leave"
    SWAP = "swap"
    CORRECTION = "correction"  # 补卡: a missed check-in or check-out


class RequestStatus(StrEnum):
    """Where a request stands."""

    AWAITING_COLLEAGUE = "awaiting_colleague"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECLINED = "declined"  # by the colleague asked to swap
    CANCELLED = "cancelled"


class Punch(StrEnum):
    """Which punch a correction is about."""

    IN = "in"
    OUT = "out"


class AttendanceRequest(SQLModel, table=True):
    """Leave, a swap with a colleague, or a missed-punch correction, decided by an admin."""

    __tablename__ = "attendance_request"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(16), index=True)
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    status: str = Field(default=RequestStatus.PENDING, sa_type=String(24), index=True)
    start_date: date = Field(index=True)
    end_date: date
    reason: str = Field(default="", max_length=200)
    shift_id: int | None = Field(default=None, foreign_key="shift.id", ondelete="SET NULL")
    colleague_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    colleague_answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    punch: str | None = Field(default=None, sa_type=String(8))
    punch_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AttendanceRequestCard(SQLModel, table=True):
    """A message showing a request with its buttons, to be updated once it is settled: an admin's decision
    card, or the question to the colleague of a swap (in the colleague's chat) until they answer it."""

    __tablename__ = "attendance_request_card"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_attendance_request_card_message"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("attendance_request.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))


class AttendanceConfig(SQLModel, table=True):
    """The workplace's attendance settings (one row), and how far the scheduler has got."""

    __tablename__ = "attendance_config"

    id: int | None = Field(default=None, primary_key=True)
    require_location: bool = Field(default=False)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)
    radius_m: int = Field(default=300)
    ticked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="Last scheduler run")
    summary_sent_on: date | None = Field(default=None, description="Local date of the last daily summary")
