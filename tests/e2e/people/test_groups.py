"""Village groups: the bot joining and leaving, /village and /groups."""

from __future__ import annotations

from sqlmodel import select

from bot.app import BotApplication
from bot.people.models import GroupChat
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import reply_to


async def test_village_group_lifecycle(
    bot: BotApplication, fake_bot_api: FakeBotAPI, admin: FakeUser
) -> None:
    api = fake_bot_api
    group = api.group(-1001, "三合村老乡群")
    mark = api.mark()
    await api.add_bot_to_group(admin, group)
    hello = await api.wait_for("sendMessage", since=mark, chat_id=group.id)
    assert "/village" in hello.params["text"]

    villager = api.user(6001, "村民")
    refused = await reply_to(api, villager, "/village 三合村", chat=group)
    assert "只有管理员" in refused.params["text"]
    empty = await reply_to(api, admin, "/village", chat=group)
    assert "例如" in empty.params["text"]
    bound = await reply_to(api, admin, "/village 三合村", chat=group)
    assert "三合村" in bound.params["text"]

    listing = await reply_to(api, admin, "/groups")
    assert "三合村" in listing.params["text"] and "1 个在用" in listing.params["text"]

    await api.remove_bot_from_group(admin, group)

    async def inactive() -> bool:
        async with bot.bot_data.db() as session:
            row = (await session.exec(select(GroupChat).where(GroupChat.chat_id == group.id))).one()
            return not row.active and row.village == "三合村"

    for _ in range(50):
        if await inactive():
            break
        await api.wait_idle(quiet=0.05, timeout=1)
    assert await inactive()
    listing = await reply_to(api, admin, "/groups")
    assert "0 个在用，1 个已停用" in listing.params["text"]
