"""Who is who, kept in memory: most updates need their sender's row and nothing else from the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlmodel import col, select

from bot.clock import utcnow
from bot.db import SessionFactory
from bot.people.models import Person, Role
from bot.people.service import LAST_SEEN_PRECISION, Profile, is_unchanged, record_person

log = logging.getLogger(__name__)

MAX_ENTRIES = 20_000
_COLUMNS = tuple(Person.__table__.columns.keys())  # type: ignore[attr-defined]
_CHANGED = "people_changed"
_OWN = "people_directory"  # session.info key marking the sessions ``identify`` writes through


def _copy(person: Person) -> Person:
    """A detached copy: callers may change it and ``session.add`` it, as with a row they loaded."""
    clone = Person(**{name: getattr(person, name) for name in _COLUMNS})
    make_transient_to_detached(clone)
    return clone


class PeopleDirectory:
    """The people behind updates, read once and then served from memory.

    An entry is dropped as soon as a session of this bot flushes a change to that person (role, language,
    name), so it never outlives what the database says: the bot is the only program that writes people.
    "Last seen" times are gathered in memory and written in one statement by ``flush_seen``.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        admin_ids: Iterable[int] = (),
        clock: Callable[[], datetime] = utcnow,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._db = session_factory
        self._admin_ids = frozenset(admin_ids)
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[int, Person] = {}  # never handed out: callers get copies
        self._seen: dict[int, datetime] = {}
        self._changes = 0
        self._track_changes(session_factory)

    def _track_changes(self, session_factory: SessionFactory) -> None:
        """Forget a person whenever a session from ``session_factory`` flushes or commits a change to them."""
        base = session_factory.kw.get("sync_session_class") or session_factory.class_.sync_session_class
        tracking = type("PeopleTrackingSession", (base,), {})
        session_factory.configure(sync_session_class=tracking)

        @event.listens_for(tracking, "after_flush")
        def _after_flush(session: Session, _context: Any) -> None:
            changed = {
                obj.telegram_id
                for obj in (*session.new, *session.dirty, *session.deleted)
                if isinstance(obj, Person)
            }
            if changed:
                session.info.setdefault(_CHANGED, set()).update(changed)
                self._changed_by(session, changed)

        @event.listens_for(tracking, "after_commit")
        def _after_commit(session: Session) -> None:
            self._changed_by(session, session.info.pop(_CHANGED, ()))

        @event.listens_for(tracking, "after_rollback")
        def _after_rollback(session: Session) -> None:
            self._changed_by(session, session.info.pop(_CHANGED, ()))

    def _changed_by(self, session: Session, telegram_ids: Iterable[int]) -> None:
        """Forget people a session changed; a write by ``identify`` itself is no news (it keeps the row)."""
        if session.info.get(_OWN) is self:
            for telegram_id in telegram_ids:
                self._entries.pop(telegram_id, None)
        else:
            self.forget(telegram_ids)

    def forget(self, telegram_ids: Iterable[int]) -> None:
        """Drop these people; their next update reads them again."""
        for telegram_id in telegram_ids:
            self._changes += 1
            self._entries.pop(telegram_id, None)

    def _store(self, person: Person) -> None:
        if person.telegram_id not in self._entries and len(self._entries) >= self._max_entries:
            self._entries.pop(next(iter(self._entries)))  # the one stored longest ago
        self._entries[person.telegram_id] = _copy(person)

    async def identify(self, profile: Profile, now: datetime | None = None) -> Person:
        """The person behind ``profile``, recorded or refreshed if needed, as a detached copy."""
        now = now or self._clock()
        admin = profile.telegram_id in self._admin_ids
        person = self._entries.get(profile.telegram_id)
        if person is not None and is_unchanged(person, profile, admin):
            if person.id is not None and now - person.last_seen_at >= LAST_SEEN_PRECISION:
                person.last_seen_at = now
                self._seen[person.id] = now
            return _copy(person)
        changes = self._changes
        async with self._db() as session:
            session.info[_OWN] = self
            person = await record_person(session, profile, admin_ids=self._admin_ids, now=now)
        if person.id is not None:
            self._seen.pop(person.id, None)  # the row has just been read or written: newer than anything held
        if changes == self._changes:  # nobody changed anyone meanwhile: safe to keep
            self._store(person)
        return _copy(person)

    async def warm(self) -> int:
        """Load the staff and admins, whose updates come in bursts at the start of a shift."""
        changes = self._changes
        async with self._db() as session:
            people = (
                await session.exec(select(Person).where(col(Person.role).in_([Role.STAFF, Role.ADMIN])))
            ).all()
        if changes == self._changes:
            for person in people[: self._max_entries]:
                self._store(person)
        return len(people)

    async def flush_seen(self) -> int:
        """Write the gathered "last seen" times; returns how many people were updated."""
        pending, self._seen = self._seen, {}
        if not pending:
            return 0
        rows = [{"person_id": person_id, "seen": seen} for person_id, seen in pending.items()]
        table = Person.__table__  # type: ignore[attr-defined]
        statement = (
            update(table).where(table.c.id == bindparam("person_id")).values(last_seen_at=bindparam("seen"))
        )
        try:
            async with self._db() as session:
                connection = await session.connection()
                await connection.execute(statement, rows)
                await session.commit()
        except SQLAlchemyError:
            log.exception("could not write when %d people were last seen", len(rows))
            for person_id, seen in pending.items():  # keep them for the next try
                self._seen.setdefault(person_id, seen)
            return 0
        return len(rows)
