"""/lang: the interface language, chosen with a button."""

from __future__ import annotations

from bot.app import BotApplication
from bot.people.buttons import ChooseLanguage
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import buttons, reply_to
from tests.e2e.people.conftest import person_row


async def test_english_user_gets_english_and_can_switch(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    john = api.user(4001, "John", language_code="en")
    hello = await reply_to(api, john, "/start")
    assert hello.params["text"].startswith("Hello, John!")
    assert "/lang" in hello.params["text"] and "/invite" not in hello.params["text"]
    menu = await reply_to(api, john, "/lang")
    assert [b["callback_data"] for b in buttons(menu)] == [
        ChooseLanguage("zh_CN").pack(),
        ChooseLanguage("en").pack(),
    ]
    mark = api.mark()
    await api.press_button(john, menu.result, text="简体中文")
    await api.wait_for("editMessageText", since=mark, text="已切换为简体中文。")
    again = await reply_to(api, john, "/help")
    assert "我是星站的助手" in again.params["text"]


async def test_an_unsupported_language_changes_nothing(bot: BotApplication, fake_bot_api: FakeBotAPI) -> None:
    api = fake_bot_api
    john = api.user(4101, "John", language_code="en")
    menu = await reply_to(api, john, "/lang")
    mark = api.mark()
    await api.press_button(john, menu.result, ChooseLanguage("fr").pack(), strict=False)  # forged
    await api.wait_for("answerCallbackQuery", since=mark)
    await api.wait_idle(quiet=0.1)
    assert not api.calls_to("editMessageText", since=mark)
    assert (await person_row(bot, 4101)).language is None


async def test_a_choice_on_a_message_that_is_gone_is_confirmed_in_a_new_one(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    john = api.user(4201, "John", language_code="en")
    await reply_to(api, john, "/start")
    mark = api.mark()
    await api.press_button(john, 999_999, ChooseLanguage("zh_CN").pack(), strict=False)  # deleted long ago
    confirmed = await api.wait_for("sendMessage", since=mark, chat_id=john.id)
    assert confirmed.params["text"] == "已切换为简体中文。"
    assert (await person_row(bot, 4201)).language == "zh_CN"
