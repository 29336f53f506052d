"""What people type into the forms, checked and tidied: texts, names, phone numbers, deadlines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.clock import utcnow
from bot.jobs.models import JobPosting

MAX_DEADLINE_AHEAD = timedelta(days=366)
SKIP_WORDS = frozenset({"跳过", "无", "没有", "不限", "不填", "-", "skip", "none", "no"})


class InputError(StrEnum):
    """Why a typed value was refused."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    NOT_A_NAME = "not_a_name"
    BAD_PHONE = "bad_phone"
    BAD_DATE = "bad_date"
    PAST_DATE = "past_date"
    FAR_DATE = "far_date"


@dataclass(frozen=True, slots=True)
class TextRule:
    """Length limits of a free-text field; ``optional`` fields accept a skip word as ``None``."""

    min: int
    max: int
    optional: bool = False


POSTING_RULES: dict[str, TextRule] = {
    "title": TextRule(2, 40),
    "description": TextRule(1, 1000),
    "pay": TextRule(1, 60),
    "hours": TextRule(1, 200),
    "location": TextRule(1, 60),
    "requirements": TextRule(1, 300, optional=True),
}
APPLICATION_RULES: dict[str, TextRule] = {
    "name": TextRule(1, 30),
    "village": TextRule(1, 64),
    "availability": TextRule(1, 100),
    "note": TextRule(1, 200, optional=True),
}
HEADCOUNT_MAX = 999


def tidy(raw: str, *, multiline: bool = False, fold: bool = False) -> str:
    """Normalise typed text: blank runs collapsed, ends trimmed; with ``fold`` also full-width digits and
    signs made plain (NFKC), for numbers and dates only: Chinese punctuation in free text stays as typed."""
    text = unicodedata.normalize("NFKC", raw or "") if fold else (raw or "")
    if multiline:
        lines = [" ".join(line.split()) for line in text.strip().splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


def is_skip(raw: str) -> bool:
    """Whether the text asks to leave an optional field empty."""
    return tidy(raw, fold=True).lower() in SKIP_WORDS


def check_text(raw: str, rule: TextRule, *, multiline: bool = False) -> str | InputError | None:
    """The cleaned value, ``None`` for a skipped optional field, or why it was refused."""
    if rule.optional and is_skip(raw):
        return None
    text = tidy(raw, multiline=multiline)
    if not text:
        return InputError.EMPTY
    if len(text) < rule.min:
        return InputError.TOO_SHORT
    if len(text) > rule.max:
        return InputError.TOO_LONG
    return text


def check_posting_field(name: str, raw: str) -> str | int | InputError | None:
    """Validate one posting field typed by an admin (``headcount`` gives an int)."""
    if name == "headcount":
        return parse_headcount(raw)
    return check_text(raw, POSTING_RULES[name], multiline=name in ("description", "requirements", "hours"))


def parse_headcount(raw: str) -> int | InputError:
    """``3``, ``3人``, ``3 名`` → 3; between 1 and 999."""
    text = tidy(raw, fold=True).replace(" ", "")
    match = re.fullmatch(r"(\d{1,4})(人|名|个|位)?", text)
    if not match:
        return InputError.NOT_A_NUMBER
    number = int(match.group(1))
    if not 1 <= number <= HEADCOUNT_MAX:
        return InputError.OUT_OF_RANGE
    return number


def check_name(raw: str) -> str | InputError:
    """A person's name: 1 to 30 characters with at least one letter (a phone number is not a name)."""
    result = check_text(raw, APPLICATION_RULES["name"])
    if isinstance(result, InputError) or result is None:
        return result or InputError.EMPTY
    if not any(ch.isalpha() for ch in result):
        return InputError.NOT_A_NAME
    return result


_PHONE_JUNK = re.compile(r"[\s\-‐‑–—()（）.·]")


def normalize_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, accepting +86 / 0086 / 86, spaces and dashes; else None."""
    text = _PHONE_JUNK.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if re.fullmatch(r"1[3-9]\d{9}", text) else None


def contact_phone(phone_number: str, *, own: bool) -> str | None:
    """The number of a shared contact: the sender's own contact is trusted as Telegram verified it;
    someone else's is only taken if it is a valid mainland mobile number, like a typed one."""
    normalized = normalize_phone(phone_number)
    if normalized or not own:
        return normalized
    digits = re.sub(r"\D", "", phone_number)
    return f"+{digits}" if 6 <= len(digits) <= 15 else None


def mask_phone(phone: str) -> str:
    """138****5678, for showing a person their own number back without spelling it out in full."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


_RELATIVE_DAYS = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2}


def parse_deadline(raw: str, today: date) -> date | InputError | None:
    """A deadline day: ``2026-12-31``, ``12-31``, ``12月31日``, ``12/31``, 今天 / 明天 / 后天.

    A skip word (不限, 无, ...) means no deadline (``None``). A day without a year is the next such day
    (this year, or next year if it has passed). Today is allowed (the posting closes at the end of it).
    """
    if is_skip(raw):
        return None
    text = tidy(raw, fold=True).lower().replace(" ", "")
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    full = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?", text)
    short = re.fullmatch(r"(\d{1,2})[-/.月](\d{1,2})[日号]?", text)
    try:
        if full:
            day = date(int(full.group(1)), int(full.group(2)), int(full.group(3)))
        elif short:
            month, number = int(short.group(1)), int(short.group(2))
            day = date(today.year, month, number) if _valid(today.year, month, number) else None
            if day is None or day < today:
                day = date(today.year + 1, month, number)
        else:
            return InputError.BAD_DATE
    except ValueError:
        return InputError.BAD_DATE
    if day < today:
        return InputError.PAST_DATE
    if day - today > MAX_DEADLINE_AHEAD:
        return InputError.FAR_DATE
    return day


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def closing_moment(day: date, tz: tzinfo) -> datetime:
    """The moment a posting with deadline ``day`` closes: the local midnight ending that day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def deadline_day(posting: JobPosting, tz: tzinfo) -> date | None:
    """The last local day applications are taken, or None without a deadline."""
    if posting.closes_at is None:
        return None
    return (posting.closes_at.astimezone(tz) - timedelta(microseconds=1)).date()


def local_today(tz: tzinfo, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(tz).date()
