"""Notes saved from chat, kept in the database so that every instance of the bot reads the same notes.

A saved note is its whole text in the knowledge folder's format (:class:`~bot.knowledge.models.SavedNote`);
the knowledge base loads the folder's notes and these (``load_notes(..., stored=...)``), checked alike.

Every instance sees a change within seconds: on PostgreSQL a save sends ``NOTIFY`` on :data:`CHANNEL` in the
same transaction (delivered when it commits), and each instance ``LISTEN``\\s on a connection of its own
(:func:`listen`); on SQLite, where one instance runs, a cheap :func:`fingerprint` is compared every few
seconds. Notes saved as files by older versions (``SAVED_NOTES_DIR``) are imported once (:func:`import_folder`,
the files are kept); ``kb export`` writes the saved notes back out as files (:func:`export`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.knowledge.models import SavedNote
from bot.knowledge.notes import MAX_FILE_BYTES, _note_files, is_note_id

log = logging.getLogger(__name__)

#: The ``NOTIFY`` channel of saved notes; the payload is the note's id.
CHANNEL = "xingzhan_saved_notes"
#: The listening connection's ``application_name`` (as ``pg_stat_activity`` shows it).
LISTENER_NAME = "xingzhan-saved-notes"
#: How often a listening connection is checked, how long connecting may take, and the longest pause
#: between attempts to reconnect.
LISTEN_CHECK_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 10.0
LONGEST_RECONNECT_PAUSE = 30.0

#: ``(rows, sum of versions, latest save)``: changes with every save of a note (see :func:`fingerprint`).
Fingerprint = tuple[int, int, datetime | None]


class NoteConflict(Exception):
    """The note was saved by someone else since it was read (its version moved on)."""


async def save_note(
    session: AsyncSession,
    note_id: str,
    text_: str,
    *,
    person_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> SavedNote:
    """Create or replace a saved note and commit, telling every instance. With ``expected_version``, a note
    saved by someone else meanwhile is refused with :class:`NoteConflict`."""
    if not is_note_id(note_id):
        raise ValueError(f"not a usable note id: {note_id!r}")
    note = await session.get(SavedNote, note_id, with_for_update=True, populate_existing=True)
    if expected_version is not None and (note.version if note else 0) != expected_version:
        raise NoteConflict(note_id)
    if note is None:
        note = SavedNote(note_id=note_id, text=text_, saved_by_id=person_id, saved_at=now or utcnow())
    else:
        note.text, note.saved_by_id, note.saved_at = text_, person_id, now or utcnow()
        note.version += 1
    session.add(note)
    await session.flush()
    await announce(session, note_id)
    await session.commit()
    return note


async def announce(session: AsyncSession, note_id: str) -> None:
    """Tell the other instances, on PostgreSQL, when the session's transaction commits."""
    if session.bind.dialect.name == "postgresql":
        await session.exec(
            text("SELECT pg_notify(:channel, :note_id)").bindparams(channel=CHANNEL, note_id=note_id)
        )


async def get_note(session: AsyncSession, note_id: str) -> SavedNote | None:
    """One saved note."""
    return await session.get(SavedNote, note_id)


async def all_notes(session: AsyncSession) -> list[SavedNote]:
    """Every saved note, by id."""
    return list((await session.exec(select(SavedNote).order_by(SavedNote.note_id))).all())


async def fingerprint(session: AsyncSession) -> Fingerprint:
    """What changes whenever a note is saved: a few aggregates, one cheap query."""
    rows, versions, latest = (
        await session.exec(
            select(func.count(), func.coalesce(func.sum(SavedNote.version), 0), func.max(SavedNote.saved_at))
        )
    ).one()
    if isinstance(latest, str):  # SQLite answers max() of a timestamp column as text
        latest = datetime.fromisoformat(latest)
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    return int(rows), int(versions), latest


# --- files: importing those older versions saved, exporting on request ----------------------------


def read_folder(folder: Path) -> list[tuple[str, str, datetime]]:
    """The note files under ``folder`` as ``(note id, text, modified)``; unreadable ones are left out
    (``kb check`` names them)."""
    found: list[tuple[str, str, datetime]] = []
    if not folder.is_dir():
        return found
    for path in _note_files(folder):
        note_id = path.relative_to(folder).as_posix()[: -len(".md")]
        try:
            if not is_note_id(note_id) or path.stat().st_size > MAX_FILE_BYTES:
                continue
            text_ = path.read_bytes().decode("utf-8")
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except (OSError, UnicodeDecodeError):
            continue
        found.append((note_id, text_, modified))
    return found


async def import_folder(session: AsyncSession, folder: Path) -> int:
    """Import the note files of ``folder`` whose ids the database does not hold yet (idempotent: a note
    already there, saved since or not, is left as it is; the files stay). Returns how many were imported."""
    files = await asyncio.to_thread(read_folder, folder)
    if not files:
        return 0
    held = set((await session.exec(select(SavedNote.note_id))).all())
    new = [(note_id, text_, modified) for note_id, text_, modified in files if note_id not in held]
    if not new:
        return 0
    insert = postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    rows = [{"note_id": i, "text": t, "saved_by_id": None, "saved_at": m, "version": 1} for i, t, m in new]
    result = await session.exec(  # type: ignore[call-overload]
        insert(SavedNote).values(rows).on_conflict_do_nothing(index_elements=["note_id"])
    )
    imported = max(result.rowcount, 0) if result.rowcount is not None else len(rows)
    if imported:
        await announce(session, "")
    await session.commit()
    return imported


def export(notes: Sequence[SavedNote], folder: Path) -> list[Path]:
    """Write each saved note as ``<folder>/<id>.md`` (beside, then swapped in: never half-written)."""
    written: list[Path] = []
    for note in notes:
        if not is_note_id(note.note_id):
            continue
        path = folder / f"{note.note_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")  # hidden: never loaded half-written
        partial.write_text(note.text, "utf-8")
        os.replace(partial, path)
        written.append(path)
    return written


# --- listening on PostgreSQL ----------------------------------------------------------------------


def asyncpg_dsn(url: str) -> str:
    """The plain ``postgresql://`` address asyncpg connects to, from the bot's SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def listen(
    url: str,
    changed: Callable[[], Awaitable[None]],
    *,
    keep_running: Callable[[], bool],
    check_seconds: float = LISTEN_CHECK_SECONDS,
    connect: Callable[..., Awaitable[asyncpg.Connection]] = asyncpg.connect,
) -> None:
    """``LISTEN`` on :data:`CHANNEL` on a connection of its own and await ``changed()`` after each
    notification (several close together make one call); reconnect when the connection drops, and call
    ``changed()`` then too, as a notification may have been missed. Returns once ``keep_running()`` is
    false."""
    wake = asyncio.Event()
    pause = 1.0
    connected_once = False

    def notified(*_args: object) -> None:
        wake.set()

    while keep_running():
        try:
            connection = await connect(
                asyncpg_dsn(url),
                timeout=CONNECT_TIMEOUT_SECONDS,
                server_settings={"application_name": LISTENER_NAME},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("saved notes: cannot listen for changes (%s); trying again in %.0f s", exc, pause)
            await _sleep_while(keep_running, pause)
            pause = min(pause * 2, LONGEST_RECONNECT_PAUSE)
            continue
        pause = 1.0
        try:
            await connection.add_listener(CHANNEL, notified)
            if connected_once:
                log.info("saved notes: listening again")
                wake.set()
            connected_once = True
            await _serve(connection, wake, changed, keep_running, check_seconds)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("saved notes: the listening connection dropped (%s); reconnecting", exc)
        except Exception:
            log.exception("saved notes: listening failed; reconnecting in %.0f s", pause)
            await _sleep_while(keep_running, pause)
        finally:
            connection.terminate()


async def _serve(
    connection: asyncpg.Connection,
    wake: asyncio.Event,
    changed: Callable[[], Awaitable[None]],
    keep_running: Callable[[], bool],
    check_seconds: float,
) -> None:
    """Call ``changed()`` on every wake-up; check the connection every ``check_seconds``."""
    since_check = 0.0
    step = 0.5
    while keep_running():
        try:
            await asyncio.wait_for(wake.wait(), step)
        except TimeoutError:
            since_check += step
            if connection.is_closed():
                raise asyncpg.InterfaceError("connection closed") from None
            if since_check >= check_seconds:
                since_check = 0.0
                await connection.fetchval("SELECT 1", timeout=check_seconds)
            continue
        wake.clear()
        try:
            await changed()
        except Exception:
            log.exception("saved notes: reloading after a change failed")


async def _sleep_while(keep_running: Callable[[], bool], seconds: float) -> None:
    """Sleep up to ``seconds``, waking early once ``keep_running()`` turns false."""
    slept = 0.0
    while slept < seconds and keep_running():
        await asyncio.sleep(min(0.5, seconds - slept))
        slept += 0.5
