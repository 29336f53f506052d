"""A failing update: the user hears about it in their language, admins get a throttled report, the bot goes on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotContext
from bot.errors import AdminReportThrottle
from bot.playground.botapi import FakeBotAPI
from tests.e2e.conftest import ADMIN_ID, bot_settings, reply_to, running_bot


async def _boom(update: Update, context: BotContext) -> None:
    raise RuntimeError("disk on fire")


async def test_errors_are_reported_and_throttled(fake_bot_api: FakeBotAPI, database_url: str) -> None:
    api = fake_bot_api
    settings = bot_settings(api, database_url, error_report_interval_seconds=300)
    async with running_bot(settings) as application:
        application.add_handler(CommandHandler("boom", _boom), group=-1)  # before the unknown-command answer
        chinese, english = api.user(9101, "小红"), api.user(9102, "Tom", language_code="en")
        manager = api.user(ADMIN_ID, "王经理")
        await reply_to(api, manager, "/start")
        mark = api.mark()

        apology = await reply_to(api, chinese, "/boom")
        assert apology.params["text"] == "抱歉，系统出了点问题，请稍后再试。"
        report = await api.wait_for("sendMessage", since=mark, chat_id=ADMIN_ID)
        assert "RuntimeError: disk on fire" in report.params["text"] and "9101" in report.params["text"]

        apology = await reply_to(api, english, "/boom")
        assert (
            apology.params["text"] == "Sorry, something went wrong on our side. Please try again in a moment."
        )
        # Still working after the failures, and admins were told only once within the interval.
        hello = await reply_to(api, chinese, "/help")
        assert "我是星站的助手" in hello.params["text"]
        await api.wait_idle(quiet=0.2)
        assert len(api.calls_to("sendMessage", since=mark, chat_id=ADMIN_ID)) == 1


def test_throttle_counts_what_it_holds_back() -> None:
    throttle = AdminReportThrottle(interval=60)
    assert throttle.allow(0.0) == (True, 0)
    assert throttle.allow(10.0) == (False, 0)
    assert throttle.allow(20.0) == (False, 0)
    assert throttle.allow(61.0) == (True, 2)
    assert throttle.allow(62.0) == (False, 0)
