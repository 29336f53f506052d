"""Reading and writing form state: plain async functions on a session, values as JSON.

A conversation's key is python-telegram-bot's tuple (chat id, user id); it is stored as a JSON list and comes
back as the same tuple. States and answers must be JSON values (dicts with string keys, lists, strings,
numbers, booleans, None): :func:`to_json` refuses anything else, and :func:`survives_json` tells whether a
value comes back from the database equal to what was written (a tuple would come back a list, an int key a
string).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, delete, null, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.persistence.models import ConversationState, ConversationUserData

#: A conversation key: (chat id, user id) for the bot's conversations.
Key = tuple[int | str, ...]


@dataclass(frozen=True, slots=True)
class StoredState:
    """A conversation's state as read from the database, and when it last moved."""

    state: Any
    updated_at: datetime


@dataclass(slots=True)
class PersonForms:
    """One person's open conversations (by conversation name, then key) and answers so far."""

    conversations: dict[str, dict[Key, StoredState]] = field(default_factory=dict)
    user_data: dict[str, Any] | None = None


def to_json(value: Any) -> str:
    """``value`` as compact JSON; a value JSON cannot hold (a set, a date, an object) is a ``TypeError``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def survives_json(value: Any) -> bool:
    """Whether ``value`` reads back equal from its JSON (false for tuples, int dict keys, sets ...)."""
    try:
        return bool(json.loads(to_json(value)) == value)
    except (TypeError, ValueError):
        return False


def encode_key(key: Iterable[int | str]) -> str:
    return to_json(list(key))


def decode_key(text: str) -> Key:
    return tuple(json.loads(text))


async def _upsert(session: AsyncSession, model: type[Any], values: dict[str, Any], keys: list[str]) -> None:
    connection = await session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values)
    changed = {name: statement.excluded[name] for name in values if name not in keys}
    await session.exec(statement.on_conflict_do_update(index_elements=keys, set_=changed))


# --- conversation states ---------------------------------------------------------------------------


async def conversations(session: AsyncSession, name: str) -> dict[Key, StoredState]:
    """Every open conversation of the conversation handler ``name``."""
    rows = await session.exec(select(ConversationState).where(col(ConversationState.name) == name))
    return {decode_key(row.key): StoredState(json.loads(row.state), row.updated_at) for row in rows}


async def state_of(session: AsyncSession, name: str, key: Key) -> StoredState | None:
    """One conversation's stored state, or None if it is not open."""
    row = await session.get(ConversationState, (name, encode_key(key)), populate_existing=True)
    return None if row is None else StoredState(json.loads(row.state), row.updated_at)


async def save_state(
    session: AsyncSession,
    name: str,
    key: Key,
    state: Any,
    *,
    user_id: int | None,
    at: datetime | None = None,
) -> datetime:
    """Record that conversation ``name`` is at ``state`` for ``key``; when that was (``at`` or now)."""
    at = at or utcnow()
    values = {
        "name": name,
        "key": encode_key(key),
        "user_id": user_id,
        "state": to_json(state),
        "updated_at": at,
    }
    await _upsert(session, ConversationState, values, ["name", "key"])
    await session.commit()
    return at


async def delete_state(session: AsyncSession, name: str, key: Key) -> None:
    """The conversation ended (or timed out)."""
    await session.exec(
        delete(ConversationState).where(
            col(ConversationState.name) == name, col(ConversationState.key) == encode_key(key)
        )
    )
    await session.commit()


# --- answers so far --------------------------------------------------------------------------------


async def all_user_data(session: AsyncSession) -> dict[int, dict[str, Any]]:
    """Everyone's answers so far, by Telegram user id."""
    rows = await session.exec(select(ConversationUserData))
    return {row.user_id: json.loads(row.data) for row in rows}


async def save_user_data(
    session: AsyncSession, user_id: int, data: dict[str, Any], *, at: datetime | None = None
) -> None:
    """Replace a person's answers so far; nothing left means no row."""
    if not data:
        await delete_user_data(session, user_id)
        return
    values = {"user_id": user_id, "data": to_json(data), "updated_at": at or utcnow()}
    await _upsert(session, ConversationUserData, values, ["user_id"])
    await session.commit()


async def delete_user_data(session: AsyncSession, user_id: int) -> None:
    await session.exec(delete(ConversationUserData).where(col(ConversationUserData.user_id) == user_id))
    await session.commit()


async def forget_untouched(session: AsyncSession, before: datetime) -> None:
    """Forget conversations and answers that have not moved since ``before`` (abandoned forms)."""
    await session.exec(delete(ConversationState).where(col(ConversationState.updated_at) < before))
    await session.exec(delete(ConversationUserData).where(col(ConversationUserData.updated_at) < before))
    await session.commit()


# --- one person at once ----------------------------------------------------------------------------


async def forms_of(session: AsyncSession, user_id: int) -> PersonForms:
    """A person's open conversations and answers so far, in one query on two indexed columns."""
    states = select(
        col(ConversationState.name),
        col(ConversationState.key),
        col(ConversationState.state).label("value"),
        col(ConversationState.updated_at),
    ).where(col(ConversationState.user_id) == user_id)
    answers = select(
        null().cast(String).label("name"),
        null().cast(String).label("key"),
        col(ConversationUserData.data).label("value"),
        col(ConversationUserData.updated_at),
    ).where(col(ConversationUserData.user_id) == user_id)
    forms = PersonForms()
    for name, key, value, updated_at in (await session.exec(union_all(states, answers))).all():  # type: ignore[call-overload]
        if name is None:
            forms.user_data = json.loads(value)
            continue
        stored = StoredState(json.loads(value), updated_at)
        forms.conversations.setdefault(name, {})[decode_key(key)] = stored
    return forms


__all__ = [
    "Key",
    "PersonForms",
    "StoredState",
    "all_user_data",
    "conversations",
    "decode_key",
    "delete_state",
    "delete_user_data",
    "encode_key",
    "forget_untouched",
    "forms_of",
    "save_state",
    "save_user_data",
    "state_of",
    "survives_json",
    "to_json",
]
