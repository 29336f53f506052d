"""``python -m bot run`` as a process: long polling and webhook, against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.playground.botapi import DEFAULT_TOKEN, FakeBotAPI

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


async def _read_until(process: asyncio.subprocess.Process, text: str, timeout: float = 30) -> str:  # noqa: ASYNC109
    """What the process printed up to (and including) the first line containing ``text``."""
    assert process.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(timeout):
        while True:
            line = (await process.stdout.readline()).decode(errors="replace")
            if not line:
                raise AssertionError(f"the bot ended before printing {text!r}:\n{''.join(seen)}")
            seen.append(line)
            if text in line:
                return "".join(seen)


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


def _clean_output(output: str, *secrets: str) -> None:
    """No traceback, no leaked connection, no secret: what a station's operator reads must be plain lines."""
    for bad in ("Traceback", "Unclosed client session", "Unclosed connector", *secrets):
        assert bad not in output, f"{bad!r} in the output:\n{output}"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("123456:AAF-this-token-was-mistyped", id="401"),
        pytest.param("123456:AAF.not.a.token.shape", id="404"),
    ],
)
async def test_a_rejected_token_is_one_line_and_never_shown(
    fake_bot_api: FakeBotAPI, tmp_path: Path, token: str
) -> None:
    env = {
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": fake_bot_api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    process = await _start_bot(env, tmp_path)
    await asyncio.wait_for(process.wait(), 30)
    output = await _stop(process)
    assert process.returncode == 2
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and "BOT_TOKEN" in errors[0] and "@BotFather" in errors[0], output
    _clean_output(output, token, token.split(":", 1)[1])


async def test_without_a_route_to_telegram_it_waits_and_starts_when_the_server_is_back(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    process = await _start_bot(env, tmp_path)
    output = ""
    try:
        output += await _read_until(process, "attempt 1,")
        output += await _read_until(process, "attempt 2,")
        async with FakeBotAPI(port=port) as api:
            try:
                await api.wait_for("setMyCommands", timeout=40)
                seeker = api.user(7001, "阿明")
                mark = api.mark()
                await api.send_text(seeker, "/start")
                reply = await api.wait_for("sendMessage", since=mark, chat_id=seeker.id, timeout=30)
                assert reply.params["text"].startswith("你好，阿明！")
            finally:
                output += await _stop(process)
    finally:
        if process.returncode is None:
            output += await _stop(process)
    waiting = [line for line in output.splitlines() if "cannot reach the Bot API" in line]
    assert len(waiting) >= 2, output
    _clean_output(output, DEFAULT_TOKEN)


async def test_a_server_that_never_answers_is_waited_for(tmp_path: Path) -> None:
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)  # read everything, answer nothing
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    env = {
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
    }
    process = await _start_bot(env, tmp_path)
    output = ""
    try:
        output += await _read_until(process, "cannot reach the Bot API", timeout=40)
    finally:
        output += await _stop(process)
        server.close()
    assert "Timed out" in output or "TimedOut" in output, output
    _clean_output(output, DEFAULT_TOKEN)


async def test_a_webhook_without_a_secret_gets_one_from_the_token_and_refuses_forged_posts(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Without WEBHOOK_SECRET, a post naming an admin must not be able to promote a stranger."""
    api = fake_bot_api
    port = _free_port()
    admin_id, stranger_id = 900_001, 424_242
    env = {
        "BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "ADMIN_IDS": str(admin_id),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = await _start_bot(env, tmp_path)
    try:
        hook = await api.wait_for("setWebhook", timeout=30)
        secret = hook.params.get("secret_token") or ""
        assert len(secret) >= 32
        forged = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": admin_id, "type": "private"},
                "from": {"id": admin_id, "is_bot": False, "first_name": "王经理"},
                "text": f"/promote {stranger_id}",
                "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
            },
        }
        async with aiohttp.ClientSession() as client:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                async with client.post(
                    f"http://127.0.0.1:{port}/telegram", json=forged, headers=headers
                ) as response:
                    assert response.status == 403
        await asyncio.sleep(0.5)
        assert not api.calls_to("sendMessage"), "a forged update was handled"
    finally:
        output = await _stop(process)
    assert "WEBHOOK_SECRET is not set" in output
    _clean_output(output, api.token, secret)
