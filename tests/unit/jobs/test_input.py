"""What people type into the job forms: phone numbers, deadlines, names and lengths (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.jobs import service
from bot.jobs.models import JobPosting
from bot.jobs.service import InputError

TODAY = date(2026, 11, 29)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "008613812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        " 138 1234-5678 ",
    ],
)
def test_mainland_mobile_numbers_are_accepted_in_every_usual_form(typed: str) -> None:
    assert service.normalize_phone(typed) == "13812345678"


@pytest.mark.parametrize(
    "typed", ["", "12812345678", "1381234567", "138123456789", "+1 415 555 0100", "0971-1234567", "电话138"]
)
def test_other_numbers_are_refused(typed: str) -> None:
    assert service.normalize_phone(typed) is None


def test_a_shared_contact_is_trusted_only_when_it_is_the_senders_own() -> None:
    assert service.contact_phone("8613812345678", own=False) == "13812345678"
    assert service.contact_phone("+1 415 555 0100", own=False) is None
    assert service.contact_phone("447700900123", own=True) == "+447700900123"
    assert service.contact_phone("+86 138 1234 5678", own=True) == "13812345678"


def test_masked_phone_shows_only_the_ends() -> None:
    assert service.mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/12/31", date(2026, 12, 31)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("12-31", date(2026, 12, 31)),
        ("12月31日", date(2026, 12, 31)),
        ("12月31号", date(2026, 12, 31)),
        ("１２月３１日", date(2026, 12, 31)),
        ("1-15", date(2027, 1, 15)),  # already passed this year: next year
        ("11-29", TODAY),
        ("今天", TODAY),
        ("明天", date(2026, 11, 30)),
        ("后天", date(2026, 12, 1)),
        ("不限", None),
        ("无", None),
    ],
)
def test_deadlines_in_the_usual_forms(typed: str, expected: date | None) -> None:
    assert service.parse_deadline(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2026-11-28", InputError.PAST_DATE),
        ("2025-12-31", InputError.PAST_DATE),
        ("2028-01-01", InputError.FAR_DATE),
        ("2026-13-01", InputError.BAD_DATE),
        ("下个月", InputError.BAD_DATE),
        ("31/12", InputError.BAD_DATE),
        ("2-30", InputError.BAD_DATE),
    ],
)
def test_bad_deadlines_say_why(typed: str, error: InputError) -> None:
    assert service.parse_deadline(typed, TODAY) == error


def test_a_posting_closes_at_the_local_midnight_ending_its_deadline_day() -> None:
    moment = service.closing_moment(date(2026, 12, 31), SHANGHAI)
    assert moment == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    posting = JobPosting(title="x", description="x", pay="x", hours="x", location="x", closes_at=moment)
    assert service.deadline_day(posting, SHANGHAI) == date(2026, 12, 31)


def test_headcount() -> None:
    assert service.parse_headcount("3") == 3
    assert service.parse_headcount("3人") == 3
    assert service.parse_headcount(" 12 名 ") == 12
    assert service.parse_headcount("三") == InputError.NOT_A_NUMBER
    assert service.parse_headcount("0") == InputError.OUT_OF_RANGE
    assert service.parse_headcount("1000") == InputError.OUT_OF_RANGE


def test_names_and_lengths() -> None:
    assert service.check_name("  张  三 ") == "张 三"
    assert service.check_name("13812345678") == InputError.NOT_A_NAME
    assert service.check_name("   ") == InputError.EMPTY
    assert service.check_name("才" * 31) == InputError.TOO_LONG
    assert service.check_posting_field("title", "客") == InputError.TOO_SHORT
    assert service.check_posting_field("requirements", "跳过") is None
    assert (
        service.check_posting_field("description", "第一行\n\n\n\n第二行  有空格")
        == "第一行\n\n第二行 有空格"
    )
    assert service.check_posting_field("headcount", "5人") == 5
    # Chinese punctuation in free text stays as typed; full-width digits are read in numbers and dates.
    assert service.check_posting_field("description", "有培训，适合宝妈。") == "有培训，适合宝妈。"
    assert service.check_posting_field("headcount", "３人") == 3
