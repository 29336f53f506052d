"""Notes saved from chat live in the database: a second instance on the same database answers with a note
saved through the first within seconds (LISTEN/NOTIFY on PostgreSQL, a periodic check on SQLite), and the
notes older versions saved as files are imported once at start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.knowledge import saved, scheduled
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import ROOT, bot_settings, press, reply_to, running_bot, staff

QUESTION = "公司有没有宿舍"
ASKED_AGAIN = "公司有宿舍吗"
ANSWER = "本站不提供宿舍，外村同事可以申请每月 300 元住房补贴。"
#: How long another instance may take to answer with a saved note.
BOUND_SECONDS = {"sqlite": scheduled.CHECK_SECONDS + 2.0, "postgresql": 2.0}


@contextlib.asynccontextmanager
async def second_instance(settings: Settings) -> AsyncIterator[BotApplication]:
    """Another instance of the bot on the same database, started as a process would be (scheduled work
    included) but not polling: one instance polls at a time."""
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()


def settings_for(api: FakeBotAPI, database_url: str, folder: Path, saved_dir: Path) -> Settings:
    return bot_settings(api, database_url, knowledge_dir=folder, saved_notes_dir=saved_dir)


async def answers_with(instance: BotApplication, text: str, *, within: float) -> tuple[str | None, float]:
    """The note ``instance`` answers ``text`` with once it has one (or None after ``within`` seconds), and
    how long that took."""
    kb = instance.bot_data.knowledge
    started = time.monotonic()
    while True:
        answer = (await kb.lookup(text, audience="staff")).result.answer
        waited = time.monotonic() - started
        if answer is not None or waited > within:
            return (answer.id if answer else None), waited
        await asyncio.sleep(0.1)


async def test_a_note_saved_through_one_instance_is_answered_by_the_other(
    fake_bot_api: FakeBotAPI, database_url: str, backend: str, tmp_path: Path
) -> None:
    api = fake_bot_api
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    first_settings = settings_for(api, database_url, folder, tmp_path / "first")
    other_settings = settings_for(api, database_url, folder, tmp_path / "other")
    async with running_bot(first_settings) as first, second_instance(other_settings) as other:
        admin = await staff(first, api, 900_001, "王经理", role="admin")
        asker = await staff(first, api, 8001, "小梅")
        await reply_to(api, asker, QUESTION, expect="不想乱猜")
        alert = await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: QUESTION in t)
        await press(api, admin, alert.result, text="✍️ 回答")
        await api.wait_for("sendMessage", chat_id=admin.id, text=lambda t: "请发送" in t)
        offer = await reply_to(api, admin, ANSWER, expect="已发给提问的人")
        assert (await answers_with(other, ASKED_AGAIN, within=0))[0] is None

        mark = api.mark()
        await press(api, admin, offer.result, text="💾 保存为资料")
        done = await api.wait_for("editMessageText", since=mark, chat_id=admin.id)
        note_id, waited = await answers_with(other, ASKED_AGAIN, within=BOUND_SECONDS[backend] + 5)
        assert note_id is not None and note_id.startswith("answers/q") and note_id in done.params["text"]
        assert waited <= BOUND_SECONDS[backend], f"{backend}: seen after {waited:.1f} s"

        again = await reply_to(api, asker, ASKED_AGAIN)
        assert "住房补贴" in again.params["text"]


async def test_notes_saved_as_files_are_imported_once_at_start(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A station upgraded from a version that saved answers as files keeps them, on every instance."""
    saved_dir = tmp_path / "data" / "notes"
    (saved_dir / "answers").mkdir(parents=True)
    old = (
        "---\ntitle: 公司有没有宿舍\nquestions:\n- 公司有没有宿舍\n---\n本站不提供宿舍，可以申请住房补贴。\n"
    )
    (saved_dir / "answers" / "q7.md").write_text(old, "utf-8")
    settings = settings_for(fake_bot_api, database_url, ROOT / "knowledge", saved_dir)

    with caplog.at_level(logging.INFO, logger="bot.knowledge"):
        async with running_bot(settings) as first:
            async with first.bot_data.db() as session:
                [note] = await saved.all_notes(session)
            assert (note.note_id, note.text, note.version) == ("answers/q7", old, 1)
            answer = (await first.bot_data.knowledge.lookup(ASKED_AGAIN, audience="staff")).result.answer
            assert (
                answer is not None and answer.id == "answers/q7" and first.bot_data.knowledge.is_saved(answer)
            )
    assert "imported 1 saved notes" in caplog.text
    assert (saved_dir / "answers" / "q7.md").read_text("utf-8") == old, "the file stays"

    caplog.clear()
    elsewhere = settings_for(fake_bot_api, database_url, ROOT / "knowledge", tmp_path / "empty")
    with caplog.at_level(logging.INFO, logger="bot.knowledge"):
        async with running_bot(settings) as again, second_instance(elsewhere) as other:
            async with again.bot_data.db() as session:
                assert len(await saved.all_notes(session)) == 1
            for instance in (again, other):
                answer = (
                    await instance.bot_data.knowledge.lookup(ASKED_AGAIN, audience="staff")
                ).result.answer
                assert answer is not None and answer.id == "answers/q7"
    assert "imported" not in caplog.text
