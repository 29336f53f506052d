"""Command arguments: read into values, or a ``UsageError`` whose text shows how to write them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.attendance import arguments
from bot.attendance.models import Punch
from bot.i18n import gettext_for
from bot.usage import UsageError

TODAY = date(2025, 10, 8)
_ = gettext_for("en")


def usage_text(error: pytest.ExceptionInfo[UsageError]) -> str:
    return error.value.text(_)


def test_first_date_is_shared_by_leave_dayoff_and_workday() -> None:
    assert arguments.leave(["10-09", "10-10", "回家"], TODAY) == (
        date(2025, 10, 9),
        date(2025, 10, 10),
        "回家",
    )
    assert arguments.leave(["明天", "看病", "了"], TODAY) == (date(2025, 10, 9), date(2025, 10, 9), "看病 了")
    with pytest.raises(UsageError) as leave:
        arguments.leave([], TODAY)
    assert "/leave 2025-10-09 2025-10-10 回家" in usage_text(leave)
    with pytest.raises(UsageError) as day_off:
        arguments.day_off(["someday"], TODAY)
    assert "/dayoff 2025-10-08 停电检修" in usage_text(day_off)
    with pytest.raises(UsageError) as workday:
        arguments.workday([], TODAY)
    assert "/workday 2025-10-08 5" in usage_text(workday)


def test_day_off_spans_at_most_31_days_forwards() -> None:
    assert arguments.day_off(["10-09", "停电"], TODAY) == (date(2025, 10, 9), date(2025, 10, 9), "停电")
    for args in (["10-09", "10-01"], ["10-01", "11-01"]):
        with pytest.raises(UsageError) as error:
            arguments.day_off(args, TODAY)
        assert usage_text(error) == "Give at most 31 days, the first before the last."


def test_workday_weekday_is_optional() -> None:
    saturday = date(2025, 10, 11)
    assert arguments.workday(["10-11", "周五", "补班"], TODAY) == (saturday, saturday, 5, "补班")
    assert arguments.workday(["10-11", "补班"], TODAY) == (saturday, saturday, None, "补班")


def test_workday_takes_a_range_of_at_most_31_days() -> None:
    assert arguments.workday(["2025-10-01", "2025-10-07"], TODAY) == (
        date(2025, 10, 1),
        date(2025, 10, 7),
        None,
        "",
    )
    assert arguments.workday(["10-01", "10-07", "周一", "售后"], TODAY) == (
        date(2025, 10, 1),
        date(2025, 10, 7),
        1,
        "售后",
    )
    for args in (["10-07", "10-01"], ["10-01", "11-01"]):
        with pytest.raises(UsageError) as error:
            arguments.workday(args, TODAY)
        assert usage_text(error) == "Give at most 31 days, the first before the last."
    with pytest.raises(UsageError) as usage:
        arguments.workday([], TODAY)
    assert "/workday 2025-10-08 2025-10-10" in usage_text(usage)


def test_swap_and_correction() -> None:
    assert arguments.swap(["@s2", "10-09", "家里", "有事"], TODAY) == ("@s2", date(2025, 10, 9), "家里 有事")
    with pytest.raises(UsageError) as swap:
        arguments.swap(["@s2"], TODAY)
    assert "/swap @xiaowang 2025-10-09" in usage_text(swap)
    assert arguments.correction(["10-09", "签到", "08:25", "没电"], TODAY) == (
        date(2025, 10, 9),
        Punch.IN,
        8 * 60 + 25,
        "没电",
    )
    with pytest.raises(UsageError) as correction:
        arguments.correction(["10-09", "sideways", "08:25"], TODAY)
    assert "/correct 2025-10-08 in 08:25" in usage_text(correction)


def test_day_and_month_default_to_today() -> None:
    assert arguments.day_or_today([], TODAY, arguments.ATTENDANCE_USAGE) == TODAY
    assert arguments.month_or_this([], TODAY, arguments.MONTHREPORT_USAGE) == (2025, 10)
    assert arguments.month_or_this(["2025-09"], TODAY, arguments.MONTHREPORT_USAGE) == (2025, 9)
    with pytest.raises(UsageError) as month:
        arguments.month_or_this(["13"], TODAY, arguments.MYATTENDANCE_USAGE)
    assert usage_text(month) == "Write the month like this: /myattendance 2025-10"


def test_shift_definitions_explain_what_is_wrong_then_the_usage() -> None:
    draft = arguments.shift_definition(["早班", "08:30", "17:00", "1-5"])
    assert (draft.name, draft.start_minute, draft.weekdays) == ("早班", 510, "12345")
    with pytest.raises(UsageError) as missing:
        arguments.shift_definition(["早班"])
    assert usage_text(missing).startswith("Define a shift: /newshift NAME START END")
    with pytest.raises(UsageError) as bad:
        arguments.shift_definition(["早班", "<8:70>", "17:00"])
    text = usage_text(bad)
    assert text.startswith("“&lt;8:70&gt;” is not a start time") and "\n\nDefine a shift:" in text


def test_radius_bounds() -> None:
    assert arguments.radius("300") == 300
    with pytest.raises(UsageError):
        arguments.radius("10")


def test_a_year_of_official_holidays_in_one_message() -> None:
    asked = arguments.official_holidays(
        "2027 元旦 01-01..01-03; 春节 02-06..02-12 workdays 02-14,02-20\n国庆节10月1日-10月7日 调休 9/26、10.9",
        TODAY,
    )
    assert asked.year == 2027 and not asked.clear
    new_year, spring, national = asked.holidays
    assert (new_year.name, new_year.days, new_year.workdays) == (
        "元旦",
        tuple(date(2027, 1, d) for d in (1, 2, 3)),
        (),
    )
    assert (
        spring.days[0] == date(2027, 2, 6) and spring.days[-1] == date(2027, 2, 12) and len(spring.days) == 7
    )
    assert spring.workdays == (date(2027, 2, 14), date(2027, 2, 20))
    assert national.name == "国庆节" and len(national.days) == 7
    assert national.workdays == (date(2027, 9, 26), date(2027, 10, 9))
    assert arguments.official_holidays("２０２７年", TODAY) == arguments.YearHolidays(2027)
    assert arguments.official_holidays("2027 clear", TODAY) == arguments.YearHolidays(2027, clear=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Enter the official holidays of a year in one message"),
        ("27 元旦 01-01", "“27” is not a year; write it like 2026."),
        ("²⁰²⁷ 元旦 01-01", "“²⁰²⁷” is not a year"),
        (
            "2027 元旦 01-01; 春节 02-06..02-32",
            "In “春节 02-06..02-32”: “02-06..02-32” is not a date of 2027",
        ),
        ("2027 元旦 2026-12-31..01-01", "“2026-12-31..01-01” is not a date of 2027"),
        ("2027 春节 02-12..02-06", "In “春节 02-12..02-06”: “02-12..02-06” ends before it starts"),
        ("2027 春节 02-01..02-28", "or is longer than 14 days"),
        ("2027 元旦; 春节 02-06", "“元旦” has no days off"),
        ("2027 元旦 01-01..01-03; 春节 02-06 workdays 01-02", "2027-01-02 is given twice (again in “春节”)."),
        ("2027 春节 02-06..02-12 调休 02-15", "the make-up workday 2027-02-15 is not a Saturday or Sunday"),
        ("2027 春节 02-06..02-12 调休 <b>", "“&lt;b&gt;” is not a date of 2027"),
    ],
)
def test_official_holidays_name_the_part_that_does_not_work(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as error:
        arguments.official_holidays(text, date(2025, 10, 8) if text.startswith("27") else TODAY)
    assert expected in usage_text(error)


def test_a_shift_can_run_on_public_holidays() -> None:
    assert arguments.shift_definition(["售后", "09:00", "18:00", "每天", "holidays"]).on_holidays is True
    assert arguments.shift_definition(["售后", "09:00", "18:00", "节假日=否"]).on_holidays is False
    assert arguments.shift_definition(["早班", "08:30", "17:00"]).on_holidays is None  # as it was
    with pytest.raises(UsageError) as bad:
        arguments.shift_definition(["售后", "09:00", "18:00", "holidays=maybe"])
    assert usage_text(bad).startswith("“holidays=maybe”: write holidays=yes or holidays=no")
