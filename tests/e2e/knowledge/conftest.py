"""Fixtures of the knowledge base's end-to-end tests: the bot over a private copy of the notes, who asks."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.context import BotApplication
from bot.knowledge.models import Question
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ROOT, bot_settings, reply_to, running_bot, staff


@pytest.fixture
async def kb_bot(
    fake_bot_api: FakeBotAPI, database_url: str, tmp_path: Path
) -> AsyncIterator[BotApplication]:
    """The bot over a private copy of the notes and its own saved notes' folder, so that tests may add, save
    and break notes."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    settings = bot_settings(
        fake_bot_api, database_url, knowledge_dir=folder, saved_notes_dir=tmp_path / "saved"
    )
    async with running_bot(settings) as application:
        yield application


@pytest.fixture
async def asker(kb_bot: BotApplication, fake_bot_api: FakeBotAPI) -> FakeUser:
    """小梅, a member of staff with questions."""
    return await staff(kb_bot, fake_bot_api, 8001, "小梅")


@pytest.fixture
async def manager(kb_bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser) -> FakeUser:
    """The configured admin, known to the bot after /start."""
    await reply_to(fake_bot_api, admin, "/start")
    return admin


#: A question two notes fit equally well (:func:`write_twins`): the bot can only ask which one is meant.
TWIN_QUESTION = "工资能不能预支"
DAY, NIGHT = "白班同事预支工资", "晚班同事预支工资"
UNSURE = "我不太确定你的意思。你是想问："
_TWIN = "---\ntitle: {title}\nquestions:\n  - {question}\n---\n找组长填表，每月最多预支一千元。\n"


def write_twins(folder: Path) -> None:
    """Two notes, titled :data:`DAY` and :data:`NIGHT`, that answer :data:`TWIN_QUESTION` alike."""
    (folder / "workplace" / "advance_day.md").write_text(
        _TWIN.format(title=DAY, question=TWIN_QUESTION), "utf-8"
    )
    (folder / "workplace" / "advance_night.md").write_text(
        _TWIN.format(title=NIGHT, question=TWIN_QUESTION), "utf-8"
    )


@pytest.fixture
async def twins(kb_bot: BotApplication) -> BotApplication:
    """The bot with the two twin notes loaded: :data:`TWIN_QUESTION` always gets "did you mean"."""
    write_twins(kb_bot.bot_data.settings.knowledge_dir)
    await kb_bot.bot_data.knowledge.load()
    return kb_bot


async def logged_questions(bot: BotApplication) -> list[Question]:
    """Every question in the log, oldest first."""
    async with bot.bot_data.db() as session:
        return list((await session.exec(select(Question).order_by(Question.id))).all())
