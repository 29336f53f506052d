"""Signing in to the dashboard: Telegram's Mini App ``initData`` checked as Telegram documents, exchanged for
a short-lived session kept server-side. No Telegram library here.

The check (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app): the secret key
is HMAC-SHA256 of the bot token keyed with ``"WebAppData"``; the data-check-string is every received field
but ``hash``, as ``key=value`` lines sorted by key; its HMAC-SHA256 under the secret key, in hex, must equal
``hash`` (compared in constant time). Launch data is accepted up to 24 hours old, because Telegram Desktop
resends the data of an earlier launch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)
SESSION_TTL = timedelta(hours=1)
#: Clock drift tolerated for launch data dated in the future.
FUTURE_SLACK = timedelta(minutes=5)


class InitDataError(ValueError):
    """The launch data is missing, forged, for another bot or too old."""


@dataclass(frozen=True, slots=True)
class LaunchUser:
    """The Telegram user the signed launch data names."""

    telegram_id: int
    first_name: str
    language_code: str | None


def secret_key(bot_token: str) -> bytes:
    """The key Telegram signs a bot's launch data with."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but ``hash``, as sorted ``key=value`` lines."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The hex signature of ``fields`` for ``bot_token``."""
    message = data_check_string(fields).encode()
    return hmac.new(secret_key(bot_token), message, hashlib.sha256).hexdigest()


def validate_init_data(init_data: str, bot_token: str, now: datetime) -> LaunchUser:
    """The user of genuine, fresh launch data; :class:`InitDataError` otherwise."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("launch data is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field is repeated")
    given = fields.get("hash", "")
    if not given or not hmac.compare_digest(given.encode(), sign(fields, bot_token).encode()):
        raise InitDataError("wrong signature")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), tz=now.tzinfo)
        user = json.loads(fields["user"])
        telegram_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InitDataError("launch data without a date or a user") from None
    if now - signed_at > MAX_AGE or signed_at - now > FUTURE_SLACK:
        raise InitDataError("launch data is too old")
    language = user.get("language_code")
    return LaunchUser(
        telegram_id, str(user.get("first_name", "")), language if isinstance(language, str) else None
    )


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in person: who, until when. Their role is read from the database on every request."""

    person_id: int
    telegram_id: int
    expires_at: datetime


class Sessions:
    """Bearer tokens kept in memory: a restart signs everyone out, and the page simply signs in again."""

    def __init__(self, ttl: timedelta = SESSION_TTL) -> None:
        self.ttl = ttl
        self._sessions: dict[str, Session] = {}

    def open(self, person_id: int, telegram_id: int, now: datetime) -> tuple[str, Session]:
        """A new token for the person, valid for ``ttl``; expired sessions are dropped on the way."""
        self._sessions = {t: s for t, s in self._sessions.items() if s.expires_at > now}
        token = secrets.token_urlsafe(32)
        session = Session(person_id, telegram_id, now + self.ttl)
        self._sessions[token] = session
        return token, session

    def find(self, token: str, now: datetime) -> Session | None:
        """The live session of ``token``, if any."""
        session = self._sessions.get(token)
        if session is None:
            return None
        if session.expires_at <= now:
            del self._sessions[token]
            return None
        return session
