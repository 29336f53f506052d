"""No silence in a private chat, and edits are not new requests (``bot/unhandled.py``)."""

from __future__ import annotations

import pytest

from bot.app import BotApplication
from bot.playground.botapi import FakeBotAPI, FakeUser
from tests.e2e.conftest import reply_to, staff


@pytest.fixture
def seeker(fake_bot_api: FakeBotAPI) -> FakeUser:
    return fake_bot_api.user(7301, "小芳")


async def _answer_to(api: FakeBotAPI, user: FakeUser, send: object) -> str:
    mark = api.mark()
    await send  # type: ignore[misc]
    call = await api.wait_for("sendMessage", since=mark, chat_id=user.id)
    return str(call.params["text"])


async def test_a_voice_message_is_asked_to_be_typed(
    bot: BotApplication, fake_bot_api: FakeBotAPI, seeker: FakeUser
) -> None:
    text = await _answer_to(fake_bot_api, seeker, fake_bot_api.send_voice(seeker))
    assert "语音" in text and "文字" in text


async def test_a_picture_or_file_without_words_gets_a_short_answer(
    bot: BotApplication, fake_bot_api: FakeBotAPI, seeker: FakeUser
) -> None:
    api = fake_bot_api
    assert "只能看懂文字" in await _answer_to(api, seeker, api.send_photo(seeker))
    assert "只能看懂文字" in await _answer_to(
        api, seeker, api.send_document(seeker, b"%PDF-1.4", file_name="a.pdf")
    )


async def test_a_location_or_contact_outside_a_flow_is_explained(
    bot: BotApplication, fake_bot_api: FakeBotAPI, seeker: FakeUser
) -> None:
    api = fake_bot_api
    assert await _answer_to(api, seeker, api.share_location(seeker, 36.5, 102.1))
    assert "报名" in await _answer_to(api, seeker, api.share_contact(seeker, "13912345678"))


async def test_unknown_commands_and_cancel_with_nothing_to_cancel_are_answered(
    bot: BotApplication, fake_bot_api: FakeBotAPI, seeker: FakeUser
) -> None:
    api = fake_bot_api
    assert "/help" in (await reply_to(api, seeker, "/nosuchcommand")).params["text"]
    assert "没有要取消" in (await reply_to(api, seeker, "/cancel")).params["text"]
    assert "没有要取消" in (await reply_to(api, seeker, "取消")).params["text"]


async def test_an_old_message_edited_into_a_command_runs_nothing(
    bot: BotApplication, fake_bot_api: FakeBotAPI
) -> None:
    api = fake_bot_api
    worker = await staff(bot, api, 7302, "小李")
    mark = api.mark()
    question = await api.send_text(worker, "怎么退货")
    await api.wait_for("sendMessage", since=mark, chat_id=worker.id)
    mark = api.mark()
    await api.edit_text(worker, question["message"], "/forgetme")
    await api.wait_idle(quiet=0.3)
    assert not api.calls_to("sendMessage", since=mark), "an edit was taken as a new message"
