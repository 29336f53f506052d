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
    assert arguments.workday(["10-11", "周五", "补班"], TODAY) == (date(2025, 10, 11), 5, "补班")
    assert arguments.workday(["10-11", "补班"], TODAY) == (date(2025, 10, 11), None, "补班")


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
