"""Fixtures of the knowledge base's end-to-end tests: the bot over a private copy of the notes, who asks."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import select

from bot.context import BotApplication
from bot.knowledge.models import Question
from tests.e2e.conftest import ROOT, bot_settings, reply_to, running_bot, staff
from tests.fakes.bot_api import FakeBotAPI, FakeUser


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


async def logged_questions(bot: BotApplication) -> list[Question]:
    """Every question in the log, oldest first."""
    async with bot.bot_data.db() as session:
        return list((await session.exec(select(Question).order_by(Question.id))).all())
