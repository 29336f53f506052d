"""Who is writing: everyone is recorded on their first update; menus follow each person's role."""

from __future__ import annotations

from bot.app import BotApplication
from bot.people.models import Role
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import ADMIN_ID, reply_to
from tests.e2e.people.conftest import person_row


async def test_a_new_writer_is_recorded_as_a_job_seeker(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    newcomer = api.user(1001, "阿明", username="aming", language_code="en")
    await reply_to(api, newcomer, "/help")
    person = await person_row(bot, 1001)
    assert (person.role, person.first_name, person.username) == (Role.SEEKER, "阿明", "aming")
    assert person.telegram_language == "en" and person.language is None


async def test_menus_are_published_per_scope_and_language(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    await reply_to(api, admin, "/start")
    await api.wait_for(
        "setMyCommands", lambda c: c.params.get("scope", {}).get("chat_id") == ADMIN_ID, count=2
    )
    seeker_zh = api.commands({"type": "all_private_chats"})
    seeker_en = api.commands({"type": "all_private_chats"}, "en")
    admin_zh = api.commands({"type": "chat", "chat_id": ADMIN_ID})
    group_zh = api.commands({"type": "all_group_chats"})
    names = {c["command"] for c in seeker_zh}
    assert {"start", "help", "lang"} <= names and "invite" not in names
    assert {c["command"] for c in admin_zh} >= {"invite", "staff", "groups", "unanswered"}
    assert any(c["description"] == "What I can do" for c in seeker_en)
    assert any(c["description"] == "我能做什么" for c in seeker_zh)
    assert {c["command"] for c in group_zh} >= {"help", "ask"}
