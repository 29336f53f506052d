"""The playground's HTTP API, driven as the page drives it (aiohttp's client): menus per role, an invite link
opened, a question answered with its copy button, the clock moved to the check-in window, the tour and the
reset, the change events, files, and ``python -m bot playground --help``."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot import clock
from bot.attendance import service as attendance
from bot.attendance.schedule import ShiftDraft, local_date, parse_shift
from bot.jobs.models import JobPosting
from bot.people import service as people
from bot.people.models import Role
from bot.playground import Playground
from bot.playground.cast import ADMIN, GROUPS
from tests.e2e.playground.conftest import ROOT, before_work_tomorrow

#: Bot API 10.0 still sends ``correct_option_id`` beside ``correct_option_ids`` in a quiz, and PTB 22.8 warns
#: when it reads it (the training lessons send quizzes).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*`correct_option_id` is deprecated.*:telegram.warnings.PTBDeprecationWarning"
)

LI_NA = 2001
HAN_DONG = 3001
SANHE = GROUPS[0].id
Message = dict[str, Any]


async def post(client: aiohttp.ClientSession, path: str, body: dict[str, Any], status: int = 200) -> Any:
    async with client.post(f"/api/{path}", json=body) as response:
        answer = await response.json()
        assert response.status == status, answer
        return answer


async def chat(client: aiohttp.ClientSession, person: int, chat_id: int) -> dict[str, Any]:
    async with client.get(f"/api/chats/{chat_id}", params={"as": str(person)}) as response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def bot_says(
    client: aiohttp.ClientSession,
    person: int,
    chat_id: int,
    words: str,
    *,
    where: Callable[[Message], bool] = lambda message: True,
    timeout: float = 15.0,  # noqa: ASYNC109
) -> Message:
    """The chat's latest bot message containing ``words`` (and matching ``where``), once it is there."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        shown = await chat(client, person, chat_id)
        for message in reversed(shown["messages"]):
            if message["from"] == "bot" and words in message["html"] and where(message):
                return message
        if loop.time() > deadline:
            raise AssertionError(f"no bot message with {words!r} in chat {chat_id}: {shown['messages']}")
        await asyncio.sleep(0.1)


async def say(
    client: aiohttp.ClientSession, person: int, text: str, words: str, chat_id: int | None = None
) -> Message:
    """``person`` writes ``text``; the bot's answer containing ``words``."""
    chat_id = person if chat_id is None else chat_id
    await post(client, "send", {"as": person, "chat_id": chat_id, "text": text})
    return await bot_says(client, person, chat_id, words)


def menu(shown: dict[str, Any]) -> set[str]:
    return {command["command"] for command in shown["commands"]}


async def join_as_staff(client: aiohttp.ClientSession, person: int) -> None:
    """The admin makes an invite with ``/invite``; ``person`` opens its link."""
    invite = await say(client, ADMIN.id, "/invite", "t.me/")
    link = re.search(r"https://t\.me/\w+\?start=[\w-]+", invite["html"])
    assert link is not None, invite
    opened = await post(client, "open", {"as": person, "url": link.group(0)})
    assert opened == {"ok": True, "chat_id": person}
    await bot_says(client, person, person, "欢迎加入")


def buttons(message: Message) -> list[dict[str, Any]]:
    return [button for row in (message["reply_markup"] or {}).get("inline_keyboard", []) for button in row]


async def test_state_names_the_bot_the_cast_and_the_groups(client: aiohttp.ClientSession) -> None:
    async with client.get("/api/state") as response:
        state = await response.json()
    assert state["bot"]["name"] == "星站" and state["bot"]["username"].endswith("bot")
    assert state["clock"]["offset_minutes"] == 0
    assert {(p["id"], p["kind"]) for p in state["cast"]} == {
        (1001, "admin"),
        (2001, "employee"),
        (2002, "employee"),
        (3001, "seeker"),
    }
    assert state["groups"] == [{"id": -100101, "title": "三合村群"}, {"id": -100102, "title": "古城村求职群"}]


async def test_the_bot_is_in_both_groups_bound_to_their_villages(client: aiohttp.ClientSession) -> None:
    for group in GROUPS:
        shown = await chat(client, HAN_DONG, group.id)
        assert shown["chat"] == {"id": group.id, "type": "group", "title": group.title}
        assert any(group.village in m["html"] and m["from"] == "bot" for m in shown["messages"])
        assert "help" in menu(shown) and "invite" not in menu(shown)


async def test_admin_start_gets_the_admin_menu_and_a_seeker_does_not(client: aiohttp.ClientSession) -> None:
    hello = await say(client, ADMIN.id, "/start", "管理员")
    assert hello["html"].startswith("你好，王经理")
    admin = await chat(client, ADMIN.id, ADMIN.id)
    assert admin["chat"] == {"id": ADMIN.id, "type": "private", "title": "星站"}
    assert {"invite", "newshift", "notice", "postings", "jobs"} <= menu(admin)
    await say(client, HAN_DONG, "/start", "星站")
    seeker = await chat(client, HAN_DONG, HAN_DONG)
    assert "jobs" in menu(seeker) and not {"invite", "checkin", "notice"} & menu(seeker)


async def test_an_invite_link_opened_makes_staff(
    client: aiohttp.ClientSession, playground: Playground
) -> None:
    assert playground.application is not None
    await join_as_staff(client, LI_NA)
    async with playground.application.bot_data.db() as session:
        person = await people.get_person(session, LI_NA)
    assert person is not None and person.role == Role.STAFF
    shown = await chat(client, LI_NA, LI_NA)
    assert {"checkin", "leave", "learn"} <= menu(shown) and "invite" not in menu(shown)


async def test_pinyin_question_gets_the_return_note_with_a_copy_button(client: aiohttp.ClientSession) -> None:
    await join_as_staff(client, LI_NA)
    answer = await say(client, LI_NA, "tuihuo zenme ban", "退货")
    copy = [button for button in buttons(answer) if "copy_text" in button]
    assert copy and copy[0]["copy_text"].startswith("亲"), answer
    rate = next(button for button in buttons(answer) if "callback_data" in button)
    pressed = await post(
        client,
        "press",
        {
            "as": LI_NA,
            "chat_id": LI_NA,
            "message_id": answer["message_id"],
            "callback_data": rate["callback_data"],
        },
    )
    assert pressed["ok"] is True and isinstance(pressed["toast"], str) and pressed["alert"] is False


def _shift(text: str) -> ShiftDraft:
    draft = parse_shift(text.split())
    assert isinstance(draft, ShiftDraft)
    return draft


async def test_the_clock_moves_to_check_in_and_the_reminder_appears(
    client: aiohttp.ClientSession, playground: Playground
) -> None:
    assert playground.application is not None
    refused = await post(client, "clock", {"to": "checkin"}, status=400)
    assert "shift" in refused["error"]
    before_work_tomorrow(playground)
    await join_as_staff(client, LI_NA)
    async with playground.application.bot_data.db() as session:
        shift, _ = await attendance.save_shift(session, _shift("早班 09:00 17:30 holidays"))
        person = await people.get_person(session, LI_NA)
        assert person is not None
        today = local_date(clock.utcnow(), playground.tz)
        await attendance.assign(session, shift, person, today)
    before = clock.utcnow()
    moved = await post(client, "clock", {"to": "checkin"})
    assert moved["now"].endswith("08:30:00+08:00")
    assert clock.utcnow() - before > timedelta(minutes=1)
    reminder = await bot_says(client, LI_NA, LI_NA, "可以签到", where=lambda m: bool(buttons(m)))
    assert reminder["date"].startswith(moved["now"][:16])
    async with client.get("/api/state") as response:
        assert (await response.json())["clock"]["offset_minutes"] > 0
    later = await post(client, "clock", {"to": "minutes", "minutes": 30})
    assert later["now"][11:16] == "09:00"  # real time goes on too
    await post(client, "clock", {"to": "minutes", "minutes": -5}, status=400)
    await post(client, "clock", {"to": "yesterday"}, status=400)


async def test_a_check_in_window_open_already_is_not_passed_by(
    client: aiohttp.ClientSession, playground: Playground
) -> None:
    # 08:40: 李娜's shift, put on today, opened for check-in at 08:30 and starts at 09:00.
    before_work_tomorrow(playground)
    clock.advance(timedelta(minutes=100))
    await join_as_staff(client, LI_NA)
    assert playground.application is not None
    async with playground.application.bot_data.db() as session:
        shift, _ = await attendance.save_shift(session, _shift("早班 09:00 17:30 holidays"))
        person = await people.get_person(session, LI_NA)
        assert person is not None
        await attendance.assign(session, shift, person, local_date(clock.utcnow(), playground.tz))
    moved = await post(client, "clock", {"to": "checkin"})
    assert moved["now"][11:16] == "08:40"  # the clock stays: this window is the next check-in
    reminder = await bot_says(client, LI_NA, LI_NA, "可以签到", where=lambda m: bool(buttons(m)))
    assert reminder["date"][11:16] == "08:40"
    # Reminded now, the next move goes to tomorrow's window, not past today's shift to mark her absent.
    moved = await post(client, "clock", {"to": "checkin"})
    assert moved["now"].endswith("08:30:00+08:00") and moved["now"][:10] > reminder["date"][:10]


async def test_tour_then_reset_leaves_an_empty_playground(
    client: aiohttp.ClientSession, playground: Playground
) -> None:
    before_work_tomorrow(playground)
    assert await post(client, "tour", {}) == {"ok": True}
    notice = await bot_says(client, LI_NA, LI_NA, "开会")
    assert notice["reply_markup"] is not None
    await bot_says(client, HAN_DONG, SANHE, "招聘")
    await bot_says(client, ADMIN.id, ADMIN.id, "新报名")
    await post(client, "clock", {"to": "checkin"})
    await bot_says(client, LI_NA, LI_NA, "可以签到")
    # The day's lesson came too, then its quiz: answering shows the right option.
    quiz = await bot_says(client, LI_NA, LI_NA, "", where=lambda m: m["poll"] is not None, timeout=30)
    assert quiz["poll"]["type"] == "quiz" and quiz["poll"]["chosen"] == []
    await post(
        client, "poll", {"as": LI_NA, "chat_id": LI_NA, "message_id": quiz["message_id"], "option_ids": [0]}
    )
    answered = next(
        m for m in (await chat(client, LI_NA, LI_NA))["messages"] if m["message_id"] == quiz["message_id"]
    )
    assert answered["poll"]["chosen"] == [0] and "correct_option_id" in answered["poll"]
    # The daily summary goes to the admin once, however often the clock moves past its time.
    await post(client, "clock", {"to": "tomorrow_0900"})
    await bot_says(client, ADMIN.id, ADMIN.id, "每日考勤汇总")
    await post(client, "clock", {"to": "minutes", "minutes": 90})
    summaries = [
        m for m in (await chat(client, ADMIN.id, ADMIN.id))["messages"] if "每日考勤汇总" in m["html"]
    ]
    assert len(summaries) == 1

    assert await post(client, "reset", {}) == {"ok": True}
    assert playground.application is not None
    assert clock.offset() == timedelta(0)
    for person in (ADMIN.id, LI_NA, 2002, HAN_DONG):
        assert (await chat(client, person, person))["messages"] == []
    group = await chat(client, HAN_DONG, SANHE)
    assert not any("招聘" in m["html"] for m in group["messages"])
    async with playground.application.bot_data.db() as session:
        assert (await session.exec(select(JobPosting))).all() == []
        assert await attendance.list_shifts(session) == []
        assert await people.list_people(session, [Role.STAFF]) == []


async def test_events_tell_which_chat_changed(client: aiohttp.ClientSession) -> None:
    async with client.get("/api/events", params={"as": str(HAN_DONG)}) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await post(client, "send", {"as": HAN_DONG, "chat_id": HAN_DONG, "text": "/start"})
        seen: list[int] = []
        while HAN_DONG not in seen:
            line = (await asyncio.wait_for(stream.content.readline(), 10)).decode().strip()
            if line.startswith("data: "):
                event = json.loads(line.removeprefix("data: "))
                assert isinstance(event["seq"], int)
                seen.append(event["chat_id"])
        # Only chats this person sees: never someone else's private chat.
        assert ADMIN.id not in seen


async def test_refusals(client: aiohttp.ClientSession) -> None:
    async with client.get("/api/chats/1001", params={"as": "9999"}) as response:
        assert response.status == 400 and "cast" in (await response.json())["error"]
    async with client.get("/api/chats/1001", params={"as": str(LI_NA)}) as response:
        assert response.status == 404
    await post(client, "send", {"chat_id": LI_NA, "text": "hi"}, status=400)
    await post(client, "send", {"as": LI_NA, "chat_id": LI_NA, "text": "  "}, status=400)
    await post(client, "open", {"as": LI_NA, "url": "https://t.me/some_other_bot?start=x"}, status=400)
    await post(
        client, "press", {"as": LI_NA, "chat_id": LI_NA, "message_id": 99, "callback_data": "x"}, status=400
    )
    async with client.post("/api/send", data="as=2001&chat_id=2001&text=hi") as response:
        assert response.status == 415  # a form another site could post: refused
    async with client.get("/api/state", headers={"Host": "evil.example:8765"}) as response:
        assert response.status == 403


async def test_contact_and_location_are_shared(client: aiohttp.ClientSession) -> None:
    await post(client, "contact", {"as": HAN_DONG})
    await post(client, "location", {"as": HAN_DONG, "chat_id": HAN_DONG})
    shown = await chat(client, HAN_DONG, HAN_DONG)
    contact = next(m["contact"] for m in shown["messages"] if m["contact"])
    assert re.fullmatch(r"\+86 1[3-9]\d \d{4} \d{4}", contact["phone_number"])
    location = next(m["location"] for m in shown["messages"] if m["location"])
    assert abs(location["latitude"] - 36.5) < 0.1 and abs(location["longitude"] - 102.1) < 0.1


async def test_a_workbook_downloads_as_a_file(client: aiohttp.ClientSession) -> None:
    await say(client, ADMIN.id, "/start", "管理员")
    await post(client, "send", {"as": ADMIN.id, "chat_id": ADMIN.id, "text": "/monthreport"})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        shown = await chat(client, ADMIN.id, ADMIN.id)
        document = next((m["document"] for m in shown["messages"] if m["document"]), None)
        if document is not None or loop.time() > deadline:
            break
        await asyncio.sleep(0.1)
    assert document is not None and document["file_name"].endswith(".xlsx"), shown["messages"]
    async with client.get(document["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert (await response.read())[:2] == b"PK" and document["size"] > 0


def test_playground_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "playground", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout and "--no-browser" in result.stdout and "--data" in result.stdout
