"""Notes saved from chat in the database (``saved.py``): checked as files are, versions, the one-time import
of the files older versions saved, export, and a second KnowledgeBase on the same database seeing a save."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import create_engine, create_session_factory
from bot.knowledge import saved, service
from bot.knowledge.notes import load_notes
from tests.unit.knowledge.conftest import write_knowledge

NOTE = "---\ntitle: {title}\nquestions: [{question}]\n---\n{body}\n"
DORM = NOTE.format(title="公司有没有宿舍", question="公司有宿舍吗", body="本站不提供宿舍，可以申请住房补贴。")
LISTENING = f"datname = current_database() AND application_name = '{saved.LISTENER_NAME}'"
REFUND = NOTE.format(title="顾客要求退货退款", question="客户要退货怎么办", body="核对订单后在后台退款。")


def test_stored_notes_are_checked_as_files_and_come_after_the_folder(tmp_path: Path) -> None:
    write_knowledge(tmp_path / "kb", {"aftersales/refund.md": REFUND})
    stored = [
        ("answers/q1", DORM),
        ("aftersales/refund", DORM),  # the folder's id: the folder's note is used
        ("Answers/Q1", DORM),  # differs only in letter case
        ("answers/q2", "---\ntitle: 请假\naudience: all\n---\n找组长。\n"),  # a minor problem: still loads
        ("answers/q3", "no front matter"),
        ("../outside", DORM),
    ]
    loaded = load_notes(tmp_path / "kb", stored=stored)
    assert sorted(note.id for note in loaded.notes) == ["aftersales/refund", "answers/q1", "answers/q2"]
    assert [str(problem) for problem in loaded.problems] == [
        "[database]/../outside.md:1: not a usable note id; this note is left out",
        f"[database]/aftersales/refund.md:1: duplicate note id 'aftersales/refund' of {tmp_path}/kb/"
        "aftersales/refund.md; this note is left out",
        "[database]/Answers/Q1.md:1: note id differs only in letter case from 'answers/q1' of "
        "[database]/answers/q1.md; this note is left out",
        "[database]/answers/q2.md:3: 'audience' must be 'staff' or 'public', not 'all'",
        "[database]/answers/q3.md:1: missing front matter: the file must start with a '---' line",
    ]


def test_saved_files_the_database_holds_are_passed_over(tmp_path: Path) -> None:
    write_knowledge(tmp_path / "kb", {"aftersales/refund.md": REFUND})
    write_knowledge(tmp_path / "saved", {"answers/q1.md": "stale copy, never read", "answers/q9.md": DORM})
    loaded = load_notes(tmp_path / "kb", tmp_path / "saved", [("answers/q1", DORM)])
    assert loaded.problems == []
    paths = {note.id: str(note.path) for note in loaded.notes}
    assert paths["answers/q1"] == "[database]/answers/q1.md"
    assert paths["answers/q9"] == str(tmp_path / "saved" / "answers" / "q9.md"), (
        "not imported yet: still read"
    )


async def test_saving_again_counts_versions_and_moves_the_fingerprint(session: AsyncSession) -> None:
    empty = await saved.fingerprint(session)
    assert empty == (0, 0, None)
    first = await saved.save_note(session, "answers/q1", DORM, person_id=None)
    after_one = await saved.fingerprint(session)
    assert first.version == 1 and after_one[:2] == (1, 1) and after_one[2] is not None
    second = await saved.save_note(
        session, "answers/q1", DORM + "\n补充。", person_id=None, expected_version=1
    )
    assert second.version == 2 and (await saved.fingerprint(session))[:2] == (1, 2)
    with pytest.raises(saved.NoteConflict):
        await saved.save_note(session, "answers/q1", DORM, person_id=None, expected_version=1)
    with pytest.raises(ValueError, match="not a usable note id"):
        await saved.save_note(session, "../x", DORM, person_id=None)
    assert [note.text for note in await saved.all_notes(session)] == [DORM + "\n补充。"]


async def test_files_saved_by_older_versions_are_imported_once_and_kept(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = write_knowledge(
        tmp_path / "saved", {"answers/q1.md": DORM, "answers/q2.md": REFUND, "answers/.q3.md.partial": "x"}
    )
    await saved.save_note(session, "answers/q2", REFUND + "\n已在聊天里改过。", person_id=None)
    assert await saved.import_folder(session, folder) == 1
    assert await saved.import_folder(session, folder) == 0
    notes = {note.note_id: note for note in await saved.all_notes(session)}
    assert sorted(notes) == ["answers/q1", "answers/q2"]
    assert notes["answers/q1"].text == DORM and notes["answers/q1"].version == 1
    assert notes["answers/q2"].text.endswith("已在聊天里改过。"), "a note saved since is left as it is"
    assert (folder / "answers" / "q1.md").read_text("utf-8") == DORM, "the files stay"
    assert await saved.import_folder(session, tmp_path / "nothing_here") == 0


async def test_export_writes_the_notes_as_files_the_folder_loads(
    session: AsyncSession, tmp_path: Path
) -> None:
    await saved.save_note(session, "answers/q1", DORM, person_id=None)
    await saved.save_note(session, "answers/q2", REFUND, person_id=None)
    written = saved.export(await saved.all_notes(session), tmp_path / "out")
    assert [path.relative_to(tmp_path / "out").as_posix() for path in written] == [
        "answers/q1.md",
        "answers/q2.md",
    ]
    loaded = load_notes(tmp_path / "out")
    assert loaded.problems == [] and sorted(note.id for note in loaded.notes) == ["answers/q1", "answers/q2"]
    assert (tmp_path / "out" / "answers" / "q1.md").read_text("utf-8") == DORM


async def test_a_second_knowledge_base_on_the_database_sees_a_save(
    session: AsyncSession, session_factory: Callable[[], AsyncSession], tmp_path: Path
) -> None:
    folder = write_knowledge(tmp_path / "kb", {"aftersales/refund.md": REFUND})
    here = service.KnowledgeBase(folder, 70, 45, database=session_factory)
    there = service.KnowledgeBase(folder, 70, 45, database=session_factory)
    await here.load()
    await there.load()
    assert there.search("公司有宿舍吗", audience="staff").answer is None
    assert not await there.load_if_changed(), "nothing saved: nothing rebuilt"

    await saved.save_note(session, "answers/q1", DORM, person_id=None)
    await here.load()
    assert not await here.load_if_changed(), "the instance that saved has reloaded already"
    assert await there.load_if_changed()
    answer = there.search("公司有宿舍吗", audience="staff").answer
    assert answer is not None and answer.id == "answers/q1" and there.is_saved(answer)
    assert there.text_of(answer) == DORM


async def test_an_older_reading_finishing_late_does_not_replace_a_newer_one(
    session: AsyncSession, session_factory: Callable[[], AsyncSession], tmp_path: Path
) -> None:
    folder = write_knowledge(tmp_path / "kb", {"aftersales/refund.md": REFUND})
    kb = service.KnowledgeBase(folder, 70, 45, database=session_factory)
    await saved.save_note(session, "answers/q1", DORM, person_id=None)
    await asyncio.gather(kb.load(), kb.load(), kb.load())
    assert kb.note("answers/q1", audience="staff") is not None
    old = service._Stored({}, None, reading=0)
    kb.reload(old)
    assert kb.note("answers/q1", audience="staff") is not None, "the stale reading was passed over"


async def test_listening_survives_a_dropped_connection(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite is checked by a scheduled job")
    folder = write_knowledge(tmp_path / "kb", {"aftersales/refund.md": REFUND})
    engine = create_engine(database_url, poolclass=NullPool)
    factory = create_session_factory(engine)
    kb = service.KnowledgeBase(folder, 70, 45, database=factory)
    try:
        await kb.load()
        kb.watch(database_url)
        async with factory() as session:
            await _wait_for_listener(session)
            await saved.save_note(session, "answers/q1", DORM, person_id=None)
        await _wait_for(lambda: kb.note("answers/q1", audience="staff") is not None)

        async with factory() as session:
            await session.exec(  # type: ignore[call-overload]
                text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {LISTENING}")
            )
            await session.commit()
            await saved.save_note(session, "answers/q2", REFUND.replace("退货退款", "换货"), person_id=None)
        await _wait_for(lambda: kb.note("answers/q2", audience="staff") is not None, seconds=10)
    finally:
        await kb.stop_watching()
        await engine.dispose()


async def _wait_for_listener(session: AsyncSession, seconds: float = 10) -> None:
    query = text(f"SELECT count(*) FROM pg_stat_activity WHERE {LISTENING}")
    for _ in range(int(seconds * 10)):
        if (await session.exec(query)).one()[0]:  # type: ignore[call-overload]
            return
        # pg_stat_activity is read once per transaction: a new one sees a listener that connected since.
        await session.rollback()
        await asyncio.sleep(0.1)
    raise AssertionError("nobody listens")


async def _wait_for(condition: Callable[[], bool], seconds: float = 3) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")
