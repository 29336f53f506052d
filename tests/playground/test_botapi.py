"""Tests of the fake Telegram Bot API, driven by a real python-telegram-bot ``Bot``/``Application``."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
import warnings
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Poll,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from bot.playground.botapi import DEFAULT_TOKEN, FakeBotAPI, JSONDict, _api, _Params, parse_formatted_text
from tests.fakes.fixtures import fake_bot_api, running_application

__all__ = ["fake_bot_api"]  # the imported fixture is requested by the ``fake`` fixture below

TOKEN = DEFAULT_TOKEN

# PTB itself reads the deprecated int ``retry_after`` when building RetryAfter, and warns about the
# ``correct_option_id`` that Bot API 10.0 still sends beside ``correct_option_ids`` in a quiz with one answer.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Deprecated since version v22.2:telegram.warnings.PTBDeprecationWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore:.*`correct_option_id` is deprecated.*:telegram.warnings.PTBDeprecationWarning"
    ),
]


@pytest.fixture
def fake(fake_bot_api: FakeBotAPI) -> FakeBotAPI:
    return fake_bot_api


@pytest_asyncio.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with fake.make_bot() as plain_bot:
        yield plain_bot


def build_app(fake: FakeBotAPI) -> Application:  # type: ignore[type-arg]
    """A small real PTB application: /echo, /menu with a button, and a contact handler."""
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.base_url}/bot")
        .base_file_url(f"{fake.base_url}/file/bot")
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {' '.join(context.args or [])}")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="confirm:7")]])
        await update.effective_message.reply_text(
            "<b>请确认</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("已确认")
        await query.edit_message_text(f"已确认 {query.data}")

    async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.contact is not None
        await update.message.reply_text(f"phone {update.message.contact.phone_number}")

    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^confirm:"))
    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    return app


def seconds(obj: object, attribute: str) -> float:
    """A duration attribute in seconds: PTB 22 gives ints (deprecated) or timedeltas."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = getattr(obj, attribute)
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- real Application


async def test_polling_command_reply(fake: FakeBotAPI) -> None:
    user = fake.user(1001, "阿明", username="aming")
    async with running_application(build_app(fake)):
        update = await fake.send_text(user, "/echo 你好 世界")
        call = await fake.wait_for("sendMessage", chat_id=user.id)

    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert call.params["text"] == "echo: 你好 世界"
    assert "reply_parameters" not in call.params  # PTB only quotes by default in groups
    shown = fake.last_sent(user)
    assert shown["text"] == "echo: 你好 世界"
    assert shown["from"]["id"] == fake.bot_id
    assert shown["message_id"] == update["message"]["message_id"] + 1
    assert fake.calls_to("getMe") and fake.calls_to("deleteWebhook")
    assert fake.pending_updates == []  # confirmed through the getUpdates offset


async def test_a_second_poller_ends_the_first_with_409_conflict(fake: FakeBotAPI, bot: Bot) -> None:
    """As Telegram's server does (``Client::abort_long_poll``): a getUpdates arriving while another waits
    answers the waiting one 409, and the newcomer gets the updates; PTB's Updater logs it and polls on."""
    user = fake.user(1003, "阿强")
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)  # the first long poll is waiting
    async with fake.make_bot() as other:
        second = asyncio.create_task(other.get_updates(timeout=5))
        with pytest.raises(Conflict) as conflict:
            await first
        assert str(conflict.value) == (
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
        )
        await fake.send_text(user, "还在吗")
        updates = await second
    assert [u.message.text for u in updates if u.message] == ["还在吗"]
    assert [c.status for c in fake.calls if c.method == "getUpdates"] == [409, 200]

    # A running Application whose poll is ended by another poller goes on polling and answering.
    async with running_application(build_app(fake)) as app:
        assert app.updater is not None
        await asyncio.sleep(0.3)
        mark = fake.mark()
        async with fake.make_bot() as other:
            for _ in range(20):  # until one lands while the application's long poll waits
                await other.get_updates(timeout=0)
                if fake.calls_to("getUpdates", ok=False, since=mark):
                    break
                await asyncio.sleep(0.05)
        assert [c.status for c in fake.calls_to("getUpdates", ok=False, since=mark)] == [409]
        await fake.send_text(user, "/echo 又来了")
        call = await fake.wait_for("sendMessage", chat_id=user.id, timeout=10)
        assert call.params["text"] == "echo: 又来了"
        assert app.updater.running


async def test_command_addressed_to_bot_in_group(fake: FakeBotAPI) -> None:
    user = fake.user(1002, "小红")
    group = fake.group(-4001, "一号车间")
    async with running_application(build_app(fake)):
        update = await fake.send_text(user, f"/echo@{fake.bot_username} 早", chat=group)
        call = await fake.wait_for("sendMessage", chat_id=group.id)
    assert call.params["text"] == "echo: 早"
    assert call.params["reply_parameters"]["message_id"] == update["message"]["message_id"]
    assert fake.last_sent(group)["reply_to_message"]["text"] == f"/echo@{fake.bot_username} 早"
    assert fake.last_sent(group)["chat"] == {"id": -4001, "type": "group", "title": "一号车间"}


async def test_callback_button_press(fake: FakeBotAPI) -> None:
    user = fake.user(1003, "阿强")
    async with running_application(build_app(fake)):
        await fake.send_text(user, "/menu")
        await fake.wait_for("sendMessage", chat_id=user.id)
        shown = fake.last_sent(user)
        assert shown["text"] == "请确认"
        assert shown["entities"] == [{"type": "bold", "offset": 0, "length": 3}]
        assert shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "confirm:7"

        update = await fake.press_button(user, shown, text="确认")
        await fake.wait_for("answerCallbackQuery")
        await fake.wait_for("editMessageText")

    query_id = update["callback_query"]["id"]
    assert update["callback_query"]["data"] == "confirm:7"
    assert fake.callback_answers[query_id] == {"text": "已确认"}
    edited = fake.last_sent(user)
    assert edited["text"] == "已确认 confirm:7"
    assert "reply_markup" not in edited  # editing without reply_markup removes the keyboard
    assert "edit_date" in edited
    with pytest.raises(AssertionError, match="no button"):
        await fake.press_button(user, edited, "confirm:7")


async def test_shared_contact_reaches_handler(fake: FakeBotAPI) -> None:
    user = fake.user(1004, "阿芳")
    async with running_application(build_app(fake)):
        update = await fake.share_contact(user, "8613800138000")
        call = await fake.wait_for("sendMessage", chat_id=user.id)
    assert update["message"]["contact"] == {
        "phone_number": "8613800138000",
        "first_name": "阿芳",
        "user_id": 1004,
    }
    assert call.params["text"] == "phone 8613800138000"


async def test_webhook_delivery(fake: FakeBotAPI) -> None:
    port = free_port()
    app = build_app(fake)
    user = fake.user(1005, "阿伟")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="tg-hook",
            webhook_url=f"http://127.0.0.1:{port}/tg-hook",
            secret_token="s3cret-Token_1",
        )
        try:
            set_call = await fake.wait_for("setWebhook")
            assert set_call.params["secret_token"] == "s3cret-Token_1"
            with pytest.raises(Conflict, match="webhook is active"):
                await app.bot.get_updates()

            update = await fake.send_text(user, "/echo hook")
            call = await fake.wait_for("sendMessage", chat_id=user.id)
            assert call.params["text"] == "echo: hook"
            assert (update["update_id"], 200) in fake.webhook_deliveries
            info = await app.bot.get_webhook_info()
            assert info.url == f"http://127.0.0.1:{port}/tg-hook"
            assert info.pending_update_count == 0
        finally:
            await app.updater.stop()
            await app.stop()


async def test_webhook_failures_are_retried_and_reported(fake: FakeBotAPI, bot: Bot) -> None:
    port = free_port()  # nothing listens there
    user = fake.user(1006, "阿珍")
    await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="abc")
    await fake.send_text(user, "hello")
    await fake.wait_until(lambda: len(fake.webhook_deliveries) >= 2, message="two delivery attempts")
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message
    assert all(status != 200 for _, status in fake.webhook_deliveries)

    await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["hello"]


# --------------------------------------------------------------------------- errors


async def test_retry_after_surfaces_as_retry_after(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1010, "阿明")
    fake.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(user.id, "hi")
    assert seconds(info.value, "retry_after") == 3
    failed = fake.calls_to("sendMessage", ok=False)[0]
    assert failed.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert fake.sent_messages(user) == []
    await bot.send_message(user.id, "hi")  # only the next call failed
    assert [m["text"] for m in fake.sent_messages(user)] == ["hi"]


async def test_blocked_user_and_kicked_bot_are_forbidden(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1011, "阿明")
    update = await fake.block_bot(user)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hi")

    group = fake.group(-4002, "二号车间", type="supergroup")
    update = await fake.remove_bot_from_group(user, group)
    assert Update.de_json(update, bot).my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group.id, "hi")

    stranger = fake.user(1012, "路人", started=False)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(stranger.id, "hi")


async def test_migrated_group_raises_chat_migrated(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1013, "阿明")
    group = fake.group(-4003, "三号车间")
    new_chat = await fake.migrate_group(group, -1001234567890, by_user=user)
    assert new_chat.type == "supergroup"
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(group.id, "hi")
    assert info.value.new_chat_id == -1001234567890
    message = await bot.send_message(new_chat.id, "hi")
    assert message.chat.id == -1001234567890
    kinds = [Update.de_json(u, bot).effective_message for u in fake.updates[-2:]]
    assert kinds[0].migrate_to_chat_id == -1001234567890
    assert kinds[1].migrate_from_chat_id == group.id


async def test_unknown_method_and_wrong_token(fake: FakeBotAPI, bot: Bot) -> None:
    # Telegram answers unknown methods with 404 "Not Found"; PTB turns that into
    # EndPointNotFound for do_api_request.
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathicMessage")
    call = fake.calls_to("sendTelepathicMessage", ok=False)[0]
    assert call.response == {"ok": False, "error_code": 404, "description": "Not Found"}

    # A real Bot API method the fake lacks is a clear BadRequest, and can be added per test.
    user = fake.user(1015, "阿明")
    with pytest.raises(BadRequest, match=r"(?i)method sendgame is not implemented"):
        await bot.send_game(user.id, "snake")
    fake.set_handler(
        "sendGame", lambda params, files: {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
    )
    assert (await bot.send_game(user.id, "snake")).message_id == 1
    assert fake.calls_to("sendGame")[0].params["game_short_name"] == "snake"

    wrong = Bot("7000000001:WrongToken", base_url=f"{fake.base_url}/bot")
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    assert fake.calls[-1].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_api_methods_are_found_on_every_mixin_and_subclasses() -> None:
    # The implementations live on several mixins; the dispatch table sees all of them.
    table = FakeBotAPI._api_methods
    assert {"getupdates", "sendmessage", "editmessagetext", "getfile", "getchat", "getme"} <= set(table)
    assert table["sendmessage"] == ("sendMessage", "_m_send_message")

    class WithDice(FakeBotAPI):
        @_api("sendDice")
        def _m_send_dice(self, params: _Params) -> JSONDict:
            state = self._chat_for_send(params)
            dice = {"emoji": params.str("emoji", "🎲"), "value": 6}
            return self._send_bot_message(state, params, {"dice": dice})

    async with WithDice() as fake, fake.make_bot() as bot:
        user = fake.user(1016, "阿明")
        message = await bot.send_dice(user.id)
        assert message.dice is not None and message.dice.value == 6
        assert fake.last_sent(user)["dice"] == {"emoji": "🎲", "value": 6}

    class DiceA(FakeBotAPI):
        @_api("sendDice")
        def _m_dice_a(self, params: _Params) -> bool:
            return True

    class DiceB(FakeBotAPI):
        @_api("sendDice")
        def _m_dice_b(self, params: _Params) -> bool:
            return True

    with pytest.raises(TypeError, match="sendDice is implemented twice"):
        type("Both", (DiceA, DiceB), {})


async def test_bad_requests_use_telegram_descriptions(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1014, "阿明")
    cases = [
        (bot.send_message(user.id, "   "), "Message text is empty"),
        (bot.send_message(user.id, "长" * 4097), "Message is too long"),
        (bot.send_message(424242, "hi"), "Chat not found"),
        (bot.edit_message_text("x", chat_id=user.id, message_id=99), "Message to edit not found"),
        (bot.delete_message(user.id, 99), "Message to delete not found"),
        (
            bot.send_message(user.id, "1 < 2", parse_mode=ParseMode.HTML),
            'unsupported start tag "" at byte offset 2',
        ),
        (
            bot.send_message(user.id, "共 3.5 小时", parse_mode=ParseMode.MARKDOWN_V2),
            "character '.' is reserved",
        ),
        (
            bot.send_message(
                user.id,
                "x",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]]),
            ),
            "Button_data_invalid",
        ),
        (bot.set_my_commands([BotCommand("Start", "开始")]), "Bot_command_invalid"),
        (
            bot.set_my_commands([BotCommand("start", "开始")], language_code="zh-hans"),
            "Invalid language code",
        ),
        (bot.answer_callback_query("123"), "Query is too old"),
    ]
    for coroutine, expected in cases:
        with pytest.raises(BadRequest, match=expected):
            await coroutine
    assert fake.sent_messages(user) == []

    sent = await bot.send_message(user.id, "同样")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("同样", chat_id=user.id, message_id=sent.message_id)


# --------------------------------------------------------------------------- behaviour


async def test_messages_state_edits_deletes_and_ids(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1020, "阿明")
    other = fake.user(1021, "阿红")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok")]])
    first = await bot.send_message(user.id, "第一条", reply_markup=keyboard)
    second = await bot.send_message(user.id, "第二条")
    elsewhere = await bot.send_message(other.id, "别处")
    assert (first.message_id, second.message_id, elsewhere.message_id) == (1, 2, 1)
    assert first.reply_markup == keyboard
    assert first.from_user.id == fake.bot_id and first.chat.first_name == "阿明"

    await bot.edit_message_reply_markup(user.id, first.message_id, reply_markup=None)
    await bot.edit_message_text("第二条（改）", chat_id=user.id, message_id=second.message_id)
    await bot.delete_message(user.id, first.message_id)
    assert [m["text"] for m in fake.sent_messages(user)] == ["第二条（改）"]
    assert [m["text"] for m in fake.deleted_messages(user)] == ["第一条"]

    reply = await bot.send_message(user.id, "回复", reply_parameters={"message_id": second.message_id})
    assert reply.reply_to_message.text == "第二条（改）"
    copied = await bot.copy_message(other.id, user.id, second.message_id)
    assert fake.message(other, copied.message_id)["text"] == "第二条（改）"
    forwarded = await bot.forward_message(other.id, user.id, second.message_id)
    assert forwarded.forward_origin.sender_user.id == fake.bot_id


async def test_reply_keyboard_state(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1022, "阿明")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("分享手机号", request_contact=True)]], one_time_keyboard=True
    )
    message = await bot.send_message(user.id, "请分享手机号", reply_markup=keyboard)
    assert message.reply_markup is None  # Telegram only echoes inline keyboards
    assert fake.reply_keyboard(user)["keyboard"][0][0]["request_contact"] is True
    await bot.send_message(user.id, "谢谢", reply_markup=ReplyKeyboardRemove())
    assert fake.reply_keyboard(user) is None


async def test_one_time_keyboard_hides_once_a_button_is_used(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1024, "阿明")
    one_time = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 发送位置", request_location=True)], ["取消"]], one_time_keyboard=True
    )
    await bot.send_message(user.id, "请发送位置", reply_markup=one_time)
    await fake.send_text(user, "随便说点什么")
    assert fake.reply_keyboard(user) is not None  # typed text, not a button
    await fake.share_location(user, 36.5, 102.1)
    assert fake.reply_keyboard(user) is None
    await bot.send_message(user.id, "请选择", reply_markup=one_time)
    await fake.send_text(user, "取消")
    assert fake.reply_keyboard(user) is None
    lasting = ReplyKeyboardMarkup([["取消"]])
    await bot.send_message(user.id, "请选择", reply_markup=lasting)
    await fake.send_text(user, "取消")
    assert fake.reply_keyboard(user) is not None


async def test_document_upload_and_download(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1023, "阿明")
    payload = b"PK\x03\x04 fake xlsx bytes"
    message = await bot.send_document(
        user.id, payload, filename="考勤 3月.xlsx", caption="<i>报表</i>", parse_mode="HTML"
    )
    assert message.document.file_name == "考勤 3月.xlsx"
    assert message.document.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert message.caption == "报表" and message.caption_entities[0].type == "italic"
    assert fake.file_content(fake.last_sent(user)) == payload
    assert fake.uploads[-1].data == payload
    upload = fake.calls_to("sendDocument")[0].files["document"]
    assert upload.data == payload and upload.file_id == message.document.file_id

    update = await fake.send_document(user, b"user file", file_name="请假条.pdf", caption="请假")
    document = Update.de_json(update, bot).message.document
    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"user file"

    photo = await bot.send_photo(
        user.id, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00\x00\x00\x01\x00"
    )
    assert (photo.photo[-1].width, photo.photo[-1].height) == (512, 256)
    again = await bot.send_photo(user.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id


async def test_user_updates_parse_with_ptb(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1024, "阿明", username="aming", last_name="王")
    group = fake.group(-1009001, "工友群", type="supergroup")
    updates = [
        await fake.send_text(user, "hi @someone #打卡 /help"),
        await fake.send_photo(user, caption="照片"),
        await fake.send_voice(user, duration=5),
        await fake.share_location(user, 30.5, 114.3),
        await fake.inline_query(user, "报表"),
        await fake.forward_message(user, origin="匿名用户", text="转发"),
        await fake.add_bot_to_group(user, group, status="administrator"),
        await fake.join_group(fake.user(1025, "新人"), group),
    ]
    parsed = [Update.de_json(u, bot) for u in updates]
    assert [e.type for e in parsed[0].message.entities] == ["mention", "hashtag", "bot_command"]
    assert parsed[1].message.photo[-1].width == 1280 and parsed[1].message.caption == "照片"
    assert seconds(parsed[2].message.voice, "duration") == 5
    assert parsed[3].message.location.latitude == 30.5
    assert parsed[4].inline_query.query == "报表"
    assert parsed[5].message.forward_origin.sender_user_name == "匿名用户"
    assert parsed[6].my_chat_member.new_chat_member.status == "administrator"
    service = [u["message"] for u in fake.updates if "new_chat_members" in u.get("message", {})]
    assert service[0]["new_chat_members"][0]["id"] == fake.bot_id
    assert parsed[7].message.new_chat_members[0].first_name == "新人"
    ids = [u["update_id"] for u in fake.updates]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)

    assert await bot.answer_inline_query(updates[4]["inline_query"]["id"], results=[])
    member = await bot.get_chat_member(group.id, user.id)
    assert member.status == "member"


async def test_long_polling_waits_and_confirms(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1030, "阿明")
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25

    async def later() -> None:
        await asyncio.sleep(0.1)
        await fake.send_text(user, "来了")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    await task
    assert time.monotonic() - started < 4  # (answered on arrival, not at the 5 s timeout)
    assert updates[0].message.text == "来了"
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_allowed_updates_filtering(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1031, "阿明")
    group = fake.group(-4004, "四号车间", bot_status="administrator")
    await fake.join_group(user, group)  # chat_member is not delivered by default
    updates = await bot.get_updates(timeout=0)
    assert [u.message is not None for u in updates] == [True]
    assert fake.dropped_updates[0]["chat_member"]["new_chat_member"]["status"] == "member"

    await fake.send_text(user, "只要按钮")
    await fake.press_button(user, 1, "x", strict=False)
    updates = await bot.get_updates(
        offset=updates[-1].update_id + 1, timeout=0, allowed_updates=["callback_query"]
    )
    assert [u.callback_query is not None for u in updates] == [True]


async def test_group_privacy_mode() -> None:
    async with FakeBotAPI(group_privacy=True) as fake, fake.make_bot() as bot:
        user = fake.user(1032, "阿明")
        group = fake.group(-4005, "五号车间")
        await fake.send_text(user, "闲聊", chat=group)
        await fake.send_text(user, "/help", chat=group)
        await fake.send_text(user, f"@{fake.bot_username} 在吗", chat=group)
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates] == ["/help", f"@{fake.bot_username} 在吗"]
        assert fake.undelivered_updates[0]["message"]["text"] == "闲聊"
        assert (await bot.get_me()).can_read_all_group_messages is False


async def test_commands_per_scope_and_language(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1033, "阿明")
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")], language_code="zh")
    await bot.set_my_commands([BotCommand("admin", "管理")], scope=BotCommandScopeChat(user.id))
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "help"]
    assert await bot.get_my_commands() == ()
    assert fake.commands({"type": "chat", "chat_id": user.id})[0]["command"] == "admin"
    await bot.delete_my_commands(language_code="zh")
    assert fake.commands(language_code="zh") == []


async def test_concurrent_sends_get_unique_ids(fake: FakeBotAPI, bot: Bot) -> None:
    users = [fake.user(2000 + i, f"用户{i}") for i in range(5)]
    results = await asyncio.gather(*(bot.send_message(u.id, f"第{n}条") for u in users for n in range(8)))
    for user in users:
        ids = [m.message_id for m in results if m.chat.id == user.id]
        assert sorted(ids) == list(range(1, 9))
        assert len(fake.sent_messages(user)) == 8


async def test_wait_for_reports_recent_calls_on_timeout(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1034, "阿明")
    mark = fake.mark()
    with pytest.raises(BadRequest):
        await bot.send_message(user.id, "")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*sendMessage 400.*message text is empty"):
        await fake.wait_for("sendMessage", timeout=0.1, since=mark)


async def test_wait_idle(fake: FakeBotAPI) -> None:
    user = fake.user(1035, "阿明")
    async with running_application(build_app(fake)):
        for n in range(3):
            await fake.send_text(user, f"/echo {n}")
        await fake.wait_idle(quiet=0.15)
        assert [m["text"] for m in fake.sent_messages(user)] == ["echo: 0", "echo: 1", "echo: 2"]


# --------------------------------------------------------------------------- flood limits


async def test_group_limit_rejects_after_twenty(fake: FakeBotAPI, bot: Bot) -> None:
    group = fake.group(-4006, "六号车间")
    fake.enforce_limits()
    results = await asyncio.gather(
        *(bot.send_message(group.id, f"通知 {n}") for n in range(25)), return_exceptions=True
    )
    delivered = [r for r in results if not isinstance(r, BaseException)]
    rejected = [r for r in results if isinstance(r, RetryAfter)]
    assert len(delivered) == 20 and len(rejected) == 5
    assert all(1 <= seconds(r, "retry_after") <= 60 for r in rejected)
    assert fake.rejected_429 == 5 and fake.rejected_by_chat[group.id] == 5
    assert fake.accepted_sends[group.id] == 20
    assert len(fake.sent_messages(group)) == 20
    assert len({m["text"] for m in fake.sent_messages(group)}) == 20

    fake.disable_limits()
    await bot.send_message(group.id, "不限流")


async def test_private_limit_and_edits_count(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1036, "阿明")
    fake.enforce_limits(private_per_second=1)
    message = await bot.send_message(user.id, "一")
    with pytest.raises(RetryAfter) as info:
        await bot.edit_message_text("二", chat_id=user.id, message_id=message.message_id)
    assert seconds(info.value, "retry_after") == 1
    assert fake.last_sent(user)["text"] == "一"


def test_formatting_matches_telegram() -> None:
    text, entities = parse_formatted_text(
        "<b>粗</b> <a href='https://t.me'>链</a> &lt;ok&gt; 😀<i>斜</i>", "HTML"
    )
    assert text == "粗 链 <ok> 😀斜"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "text_link", "offset": 2, "length": 1, "url": "https://t.me"},
        {"type": "italic", "offset": 11, "length": 1},  # the emoji counts as two UTF-16 units
    ]
    text, entities = parse_formatted_text(
        "*加粗* _斜_ `code` 1\\.5 [链接](https://example.com)", "MarkdownV2"
    )
    assert text == "加粗 斜 code 1.5 链接"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]
    text, entities = parse_formatted_text("\n\n  你好 /start  \n")
    assert (text, entities) == ("你好 /start", [{"type": "bot_command", "offset": 3, "length": 6}])


# --------------------------------------------------------------------------- polls


async def test_quiz_poll_is_sent_as_the_bot_sees_it(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1040, "阿明")
    message = await bot.send_poll(
        user.id,
        "无理由退货的运费由谁出？",
        ["商家", "顾客", "快递"],
        is_anonymous=False,
        type=Poll.QUIZ,
        correct_option_ids=[1],
        explanation="一般由顾客承担。",
    )
    poll = message.poll
    assert poll is not None and poll.type == Poll.QUIZ and not poll.is_anonymous and not poll.is_closed
    assert [o.text for o in poll.options] == ["商家", "顾客", "快递"]
    assert poll.correct_option_ids == (1,) and poll.allows_revoting is False
    assert poll.explanation == "一般由顾客承担。" and poll.total_voter_count == 0
    assert fake.last_sent(user)["poll"]["id"] == poll.id
    assert fake.calls_to("sendPoll")[0].params["options"] == [
        {"text": "商家"},
        {"text": "顾客"},
        {"text": "快递"},
    ]
    other = await bot.send_poll(user.id, "午饭?", ["面", "饭"])
    assert other.poll is not None and other.poll.is_anonymous and other.poll.type == Poll.REGULAR
    assert other.poll.id != poll.id


async def test_poll_limits_use_telegram_descriptions(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1041, "阿明")
    cases = [
        (bot.send_poll(user.id, " ", ["a", "b"]), "Poll question must be non-empty"),
        (bot.send_poll(user.id, "问" * 301, ["a", "b"]), "Poll question length must not exceed 300"),
        (bot.send_poll(user.id, "问", ["a"]), "Poll must have at least 2 option"),
        (bot.send_poll(user.id, "问", [str(n) for n in range(13)]), "Poll can't have more than 12 options"),
        (bot.send_poll(user.id, "问", ["a", " "]), "Poll options must be non-empty"),
        (bot.send_poll(user.id, "问", ["a", "b" * 101]), "Poll options length must not exceed 100"),
        (bot.send_poll(user.id, "问", ["a", "b"], type=Poll.QUIZ, correct_option_ids=[2]), "correct option"),
        (
            bot.send_poll(
                user.id, "问", ["a", "b"], type=Poll.QUIZ, correct_option_ids=[0], explanation="长" * 201
            ),
            "Explanation length must not exceed 200",
        ),
        (bot.stop_poll(user.id, 99), "Message with poll to stop not found"),
    ]
    for coroutine, expected in cases:
        with pytest.raises(BadRequest, match=expected):
            await coroutine
    assert fake.sent_messages(user) == []


async def test_answers_arrive_as_telegram_sends_them(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1042, "阿明")
    sent = await bot.send_poll(
        user.id, "几天内？", ["3 天", "7 天"], is_anonymous=False, type=Poll.QUIZ, correct_option_ids=[1]
    )
    assert sent.poll is not None
    answer = await fake.answer_poll(user, fake.last_sent(user), [0])
    assert answer is not None
    assert answer["poll_answer"] == {
        "poll_id": sent.poll.id,
        "user": user.to_dict(),
        "option_ids": [0],
        "option_persistent_ids": ["0"],
    }
    parsed = Update.de_json(answer, bot)
    assert parsed.poll_answer is not None and parsed.effective_user is not None
    assert parsed.effective_user.id == user.id and parsed.effective_chat is None
    assert parsed.poll_answer.option_ids == (0,)
    state = Update.de_json(fake.updates[-1], bot).poll
    assert state is not None and state.id == sent.poll.id
    assert [o.voter_count for o in state.options] == [1, 0] and state.total_voter_count == 1

    # A real client answers a quiz once, and only a poll its user can see.
    with pytest.raises(AssertionError, match="one answer, once"):
        await fake.answer_poll(user, sent.poll.id, [1])
    stranger = fake.user(1043, "阿红")
    with pytest.raises(AssertionError, match="cannot see"):
        await fake.answer_poll(stranger, sent.poll.id, [1])
    # ... but an update can claim anything: a poll forwarded to someone else, or one that never existed.
    forged = await fake.answer_poll(stranger, sent.poll.id, [1], strict=False)
    assert forged is not None and forged["poll_answer"]["user"]["id"] == stranger.id
    unknown = await fake.answer_poll(stranger, "424242", [0], strict=False)
    assert unknown is not None and unknown["poll_answer"]["poll_id"] == "424242"

    anonymous = await bot.send_poll(user.id, "午饭?", ["面", "饭"])
    assert await fake.answer_poll(user, fake.last_sent(user), [1]) is None
    assert fake.updates[-1]["poll"]["id"] == anonymous.poll.id  # only the counts, nobody's answer


async def test_stopped_poll_is_closed_and_reported(fake: FakeBotAPI, bot: Bot) -> None:
    user = fake.user(1044, "阿明")
    sent = await bot.send_poll(user.id, "几天内？", ["3 天", "7 天"], is_anonymous=False)
    stopped = await bot.stop_poll(user.id, sent.message_id)
    assert stopped.is_closed and fake.last_sent(user)["poll"]["is_closed"]
    assert fake.updates[-1]["poll"]["is_closed"]
    with pytest.raises(BadRequest, match="Poll has already been closed"):
        await bot.stop_poll(user.id, sent.message_id)
    with pytest.raises(AssertionError, match="closed"):
        await fake.answer_poll(user, sent.message_id and fake.last_sent(user), [0])
    text = await bot.send_message(user.id, "不是投票")
    with pytest.raises(BadRequest, match="Message with poll to stop not found"):
        await bot.stop_poll(user.id, text.message_id)


async def test_poll_answers_reach_a_poll_answer_handler(fake: FakeBotAPI) -> None:
    user = fake.user(1045, "阿明")
    app = build_app(fake)
    heard: list[tuple[int, str, tuple[int, ...]]] = []

    async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.poll_answer is not None and update.poll_answer.user is not None
        heard.append((update.poll_answer.user.id, update.poll_answer.poll_id, update.poll_answer.option_ids))

    app.add_handler(PollAnswerHandler(on_answer))
    async with running_application(app):
        sent = await app.bot.send_poll(
            user.id, "几天内？", ["3 天", "7 天"], is_anonymous=False, type=Poll.QUIZ, correct_option_ids=[1]
        )
        assert sent.poll is not None
        await fake.answer_poll(user, sent.poll.id, [1])
        await fake.wait_until(lambda: bool(heard), message="the poll answer")
    assert heard == [(user.id, sent.poll.id, (1,))]
