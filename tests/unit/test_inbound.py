"""Updates are cleaned where they come in: from getUpdates and from webhook posts."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from telegram import Bot, Update

from bot.inbound import CleanUpdatesRequest, clean_text
from bot.web import SECRET_HEADER, WEBHOOK_PATH, web_application

MESSAGE = {
    "update_id": 7,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "阿\u0000明"},
        "text": "退货\u0000怎么办\ud83d",
    },
}


def test_unstorable_characters_are_dropped_and_the_rest_kept() -> None:
    assert clean_text("退货\x00怎么办\x07\ud83d\n\tok") == "退货怎么办\n\tok"
    assert clean_text("😀 普通文字") == "😀 普通文字"


def test_get_updates_payloads_are_cleaned() -> None:
    payload = json.dumps({"ok": True, "result": [MESSAGE]}).encode()
    parsed = CleanUpdatesRequest.parse_json_payload(payload)
    message = parsed["result"][0]["message"]
    assert message["text"] == "退货怎么办" and message["from"]["first_name"] == "阿明"


async def _client(queue: asyncio.Queue[Any]) -> TestClient[Any, Any]:
    bot = Bot("123:abc")
    application = SimpleNamespace(bot=bot, update_queue=queue)
    client = TestClient(TestServer(web_application(application, webhook_secret="s3cret")))  # type: ignore[arg-type]
    await client.start_server()
    return client


async def test_the_webhook_takes_only_posts_with_the_secret() -> None:
    queue: asyncio.Queue[Any] = asyncio.Queue()
    client = await _client(queue)
    try:
        for headers in ({}, {SECRET_HEADER: "guess"}, {SECRET_HEADER: "s3cret-and-more"}):
            response = await client.post(WEBHOOK_PATH, json=MESSAGE, headers=headers)
            assert response.status == 403
        response = await client.post(WEBHOOK_PATH, data=b"not json", headers={SECRET_HEADER: "s3cret"})
        assert response.status == 400
        assert queue.empty()
        response = await client.post(WEBHOOK_PATH, json=MESSAGE, headers={SECRET_HEADER: "s3cret"})
        assert response.status == 200
        update = queue.get_nowait()
        assert isinstance(update, Update) and update.message is not None
        assert update.message.text == "退货怎么办"
    finally:
        await client.close()
