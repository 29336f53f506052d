"""/start and /help: a greeting by role with that role's commands; unknown deep links are plain /start."""

from __future__ import annotations

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import reply_to, staff


async def test_start_greets_by_role(bot: BotApplication, fake_bot_api: FakeBotAPI) -> None:
    api = fake_bot_api
    seeker = api.user(1101, "小陈")
    hello = await reply_to(api, seeker, "/start")
    assert hello.params["text"].startswith("你好，小陈！")
    assert "我是星站的助手" in hello.params["text"] and "/invite" not in hello.params["text"]

    worker = await staff(bot, api, 1102, "小周")
    hello = await reply_to(api, worker, "/start")
    assert "上班时有问题随时问我" in hello.params["text"] and "/invite" not in hello.params["text"]


async def test_an_unknown_deep_link_is_greeted_as_a_plain_start(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    seeker = api.user(1201, "小陈")
    plain = await reply_to(api, seeker, "/start")
    linked = await reply_to(api, seeker, "/start something_else")
    assert linked.params["text"] == plain.params["text"]


async def test_help_in_a_group_lists_the_group_commands(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    group = api.group(-1301, "三合村老乡群")
    villager = api.user(1301, "村民")
    answer = await reply_to(api, villager, "/help", chat=group)
    assert answer.params["text"].startswith("更多功能请私聊我。在群里可以用：")
    assert "/help — 我能做什么" in answer.params["text"] and "/lang" not in answer.params["text"]
