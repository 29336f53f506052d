"""``python -m bot run`` as a process: long polling and webhook, against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.fakes.bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "ADMIN_"))
    }
    clean.update(env, PYTHONPATH=str(ROOT), KNOWLEDGE_DIR=str(ROOT / "knowledge"))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, env=clean,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip


async def _stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.stdout is not None
    return (await process.stdout.read()).decode(errors="replace")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_answers_start(fake_bot_api: FakeBotAPI, tmp_path: Path, mode: str) -> None:
    api = fake_bot_api
    env = {
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    if mode == "webhook":
        port = _free_port()
        env |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": "s3cret-for-tests",
        }
    process = await _start_bot(env, tmp_path)
    output = ""
    try:
        await api.wait_for("setMyCommands", timeout=30)
        if mode == "webhook":
            hook = await api.wait_for("setWebhook", timeout=30)
            assert hook.params["secret_token"] == "s3cret-for-tests"
        seeker = api.user(7001, "阿明")
        mark = api.mark()
        await api.send_text(seeker, "/start")
        reply = await api.wait_for("sendMessage", since=mark, chat_id=seeker.id, timeout=30)
        assert reply.params["text"].startswith("你好，阿明！")
        if mode == "webhook":
            assert api.webhook_deliveries, "the update went through the webhook"
    finally:
        output = await _stop(process)
    assert api.token not in output, "the token must never be logged"
    assert (tmp_path / "bot.db").exists()
