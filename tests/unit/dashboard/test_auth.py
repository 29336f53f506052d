"""Telegram's initData check, cross-checked with a second implementation (init-data-py), and the sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import init_data_py
import pytest

from bot.dashboard.auth import InitDataError, Sessions, sign, validate_init_data

TOKEN = "123456:bot-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
NOW = datetime(2025, 10, 9, 1, 0, tzinfo=UTC)
USER = {"id": 5001, "first_name": "李娜", "language_code": "zh-hans", "allows_write_to_pm": True}


def theirs(*, token: str = TOKEN, signed_at: datetime = NOW, **extra: str) -> str:
    """Launch data signed by init-data-py."""
    fields = {"user": json.dumps(USER, ensure_ascii=False), "query_id": "AAHdF6IQ", **extra}
    return init_data_py.sign(fields, token, auth_date=signed_at)


def test_accepts_what_the_other_implementation_signs() -> None:
    user = validate_init_data(theirs(), TOKEN, NOW)
    assert (user.telegram_id, user.first_name, user.language_code) == (5001, "李娜", "zh-hans")


def test_the_other_implementation_accepts_what_the_server_would() -> None:
    fields = {"auth_date": str(int(NOW.timestamp())), "user": json.dumps(USER), "chat_type": "private"}
    data = urlencode({**fields, "hash": sign(fields, TOKEN)})
    assert init_data_py.is_valid_by_hash(data, TOKEN, now=NOW)
    assert validate_init_data(data, TOKEN, NOW).telegram_id == 5001


@pytest.mark.parametrize(
    ("data", "init_data_py_refuses"),
    [
        pytest.param(theirs(token="654321:another-bot"), True, id="another bot's token"),
        pytest.param(theirs().replace("5001", "5002"), True, id="another user id, same hash"),
        pytest.param(theirs().replace("hash=", "hash=0"), True, id="a changed hash"),
        pytest.param(theirs().split("&hash=")[0], True, id="no hash"),
        pytest.param(theirs(signed_at=NOW - timedelta(hours=24, seconds=1)), True, id="older than 24 h"),
        pytest.param("", True, id="empty"),
        pytest.param(theirs() + "&query_id=again", True, id="a repeated field"),
        # Stricter than init-data-py: launch data dated an hour ahead.
        pytest.param(theirs(signed_at=NOW + timedelta(hours=1)), False, id="from the future"),
    ],
)
def test_refuses(data: str, init_data_py_refuses: bool) -> None:
    with pytest.raises(InitDataError):
        validate_init_data(data, TOKEN, NOW)
    if init_data_py_refuses:
        assert not init_data_py.is_valid_by_hash(data, TOKEN, now=NOW, expires_in=timedelta(hours=24))


def test_refuses_what_is_not_a_query_string() -> None:
    with pytest.raises(InitDataError):
        validate_init_data("%%%", TOKEN, NOW)


def test_launch_data_of_a_day_ago_is_still_accepted() -> None:
    """Telegram Desktop resends the data of an earlier launch."""
    data = theirs(signed_at=NOW - timedelta(hours=23, minutes=59))
    assert validate_init_data(data, TOKEN, NOW).telegram_id == 5001


def test_signed_without_a_user_is_refused() -> None:
    data = init_data_py.sign({"query_id": "AAHdF6IQ"}, TOKEN, auth_date=NOW)
    with pytest.raises(InitDataError):
        validate_init_data(data, TOKEN, NOW)


def test_sessions_last_an_hour() -> None:
    sessions = Sessions()
    token, session = sessions.open(7, 5001, NOW)
    assert sessions.find(token, NOW + timedelta(minutes=59)) == session
    assert sessions.find(token, NOW + timedelta(hours=1)) is None
    assert sessions.find(token, NOW) is None  # forgotten once expired
    assert sessions.find("made-up", NOW) is None


def test_opening_a_session_drops_expired_ones() -> None:
    sessions = Sessions()
    old, _ = sessions.open(7, 5001, NOW - timedelta(hours=2))
    fresh, _ = sessions.open(8, 5002, NOW)
    assert old != fresh
    assert sessions.find(old, NOW - timedelta(hours=1, minutes=30)) is None
