"""Every API route × every kind of caller: served, or refused as it should be, and nothing else."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import init_data_py
import pytest
from aiohttp.test_utils import TestClient

from bot.app import BotApplication
from bot.clock import utcnow
from bot.dashboard import routes
from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import OTHER_BOT_TOKEN, Floor, sign_init_data, tampered

Client = TestClient[Any, Any]

#: Every API route, with a path for it (``{own}`` / ``{other}``: the caller's own person id, someone else's).
ROUTES = {
    ("POST", "/api/session"): ["/api/session"],
    ("GET", "/api/today"): ["/api/today"],
    ("GET", "/api/people/{person_id}/week"): ["/api/people/{own}/week", "/api/people/{other}/week"],
    ("GET", "/api/people/{person_id}/training"): [
        "/api/people/{own}/training",
        "/api/people/{other}/training",
    ],
    ("GET", "/api/training"): ["/api/training"],
    ("GET", "/api/requests"): ["/api/requests"],
    ("POST", "/api/requests/{request_id}/decision"): ["/api/requests/999/decision"],
    ("GET", "/api/month"): ["/api/month"],
    ("GET", "/api/month.xlsx"): ["/api/month.xlsx"],
    ("GET", "/api/applicants"): ["/api/applicants"],
    ("POST", "/api/applications/{application_id}/status"): ["/api/applications/999/status"],
    ("GET", "/api/notices"): ["/api/notices"],
    ("POST", "/api/notices/{notice_id}/remind"): ["/api/notices/999/remind"],
    ("GET", "/api/questions"): ["/api/questions"],
    ("POST", "/api/questions/{question_id}/answer"): ["/api/questions/999/answer"],
    ("POST", "/api/questions/{question_id}/note"): ["/api/questions/999/note"],
    ("GET", "/api/notes"): ["/api/notes"],
    ("GET", "/api/notes/{note_id}"): ["/api/notes/no/such-note"],
    ("PUT", "/api/notes/{note_id}"): ["/api/notes/no/such-note"],
}
#: The body sent to a route that takes one.
BODIES = {
    "/api/requests/999/decision": {"approve": True},
    "/api/questions/999/answer": {"text": "有宿舍。"},
    "/api/applications/999/status": {"status": "contacted"},
    "/api/notes/no/such-note": {"text": "---\ntitle: x\n---\nx\n"},
}
CALLERS = [
    "admin",
    "staff",
    "seeker",
    "no init data",
    "tampered hash",
    "other bot",
    "older than 24 h",
    "expired",
]

#: (route path, caller) → status, whatever the method (a path of several routes expects the same of each).
#: A seeker holds a session opened while they were staff (since demoted).
EXPECTED = {
    "/api/session": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/today": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/people/{own}/week": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/people/{other}/week": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/people/{own}/training": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/people/{other}/training": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/training": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/requests": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    # No request 999: the admin is told so, everyone else is refused before anything is looked up.
    "/api/requests/999/decision": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
    "/api/month": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/month.xlsx": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/applicants": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/applications/999/status": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
    "/api/notices": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 200, "seeker": 403},
    "/api/notices/999/remind": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
    "/api/questions": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/questions/999/answer": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
    "/api/questions/999/note": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
    "/api/notes": dict.fromkeys(CALLERS, 401) | {"admin": 200, "staff": 403, "seeker": 403},
    "/api/notes/no/such-note": dict.fromkeys(CALLERS, 401) | {"admin": 404, "staff": 403, "seeker": 403},
}


def test_the_matrix_covers_every_api_route(app: BotApplication) -> None:
    from aiohttp import web

    served = web.Application()
    routes.add_routes(served, app)
    found = set()
    for route in served.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("formatter") or info.get("path") or ""
        if path.startswith("/api/") and route.method != "HEAD":
            found.add((route.method, path))
    assert found == set(ROUTES)


async def _session_token(client: Client, fake_bot_api: FakeBotAPI, user: Any) -> str:
    response = await client.post(
        "/api/session",
        headers={"Authorization": f"tma {sign_init_data(fake_bot_api.token, user, signed_at=utcnow())}"},
    )
    assert response.status == 200, await response.text()
    return str((await response.json())["token"])


def _launch_data(caller: str, fake_bot_api: FakeBotAPI, floor: Floor) -> dict[str, str]:
    """What the page sends to sign in, for each caller; {} for no launch data at all."""
    token, now = fake_bot_api.token, utcnow()
    users = {"admin": floor.admin, "staff": floor.li, "seeker": floor.seeker}
    if caller in users:
        data = sign_init_data(token, users[caller], signed_at=now)
    elif caller == "tampered hash":
        data = tampered(sign_init_data(token, floor.admin, signed_at=now))
    elif caller == "other bot":
        data = sign_init_data(OTHER_BOT_TOKEN, floor.admin, signed_at=now)
    elif caller == "older than 24 h":
        data = sign_init_data(token, floor.admin, signed_at=now - timedelta(hours=24, minutes=1))
    else:
        return {}
    return {"Authorization": f"tma {data}"}


async def _session(caller: str, client: Client, fake_bot_api: FakeBotAPI, floor: Floor) -> dict[str, str]:
    """What the page sends to a data route, for each caller: its session, or whatever it has instead."""
    sessions, now = client.server.app[routes.SESSIONS], utcnow()
    if caller in ("admin", "staff"):
        token = await _session_token(client, fake_bot_api, floor.admin if caller == "admin" else floor.li)
    elif caller == "seeker":
        # Someone who signed in as staff and was made a job seeker since: the session outlives the role.
        token, _ = sessions.open(floor.ids["seeker"], floor.seeker.id, now)
    elif caller == "expired":
        token, _ = sessions.open(floor.ids["admin"], floor.admin.id, now - timedelta(hours=2))
    else:
        return _launch_data(caller, fake_bot_api, floor)  # launch data is no session
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("caller", CALLERS)
async def test_route_by_caller(caller: str, client: Client, fake_bot_api: FakeBotAPI, floor: Floor) -> None:
    own = {"admin": floor.ids["admin"], "staff": floor.ids["li"], "seeker": floor.ids["seeker"]}.get(
        caller, 1
    )
    for (method, _), paths in ROUTES.items():
        for template in paths:
            if template == "/api/session":
                headers = _launch_data(caller, fake_bot_api, floor)
                if caller == "expired":
                    headers = await _session(caller, client, fake_bot_api, floor)
            else:
                headers = await _session(caller, client, fake_bot_api, floor)
            path = template.format(own=own, other=floor.ids["wang"])
            body = BODIES.get(template) if method != "GET" else None
            response = await client.request(method, path, headers=headers, json=body)
            expected = EXPECTED[template][caller]
            assert response.status == expected, (caller, method, path, await response.text())
            if response.status >= 400:
                assert set(await response.json()) == {"error"}  # a short reason, never a traceback


async def test_admin_sees_the_whole_floor(client: Client, fake_bot_api: FakeBotAPI, floor: Floor) -> None:
    token = await _session_token(client, fake_bot_api, floor.admin)
    today = await (await client.get("/api/today", headers={"Authorization": f"Bearer {token}"})).json()
    assert today["day"] == "2025-10-09"
    shifts = {shift["name"]: shift for shift in today["shifts"]}
    assert set(shifts) == {"早班", "晚班"}
    morning = {entry["name"]: entry for entry in shifts["早班"]["people"]}
    assert morning["李娜"]["mark"] == "late" and morning["李娜"]["late_minutes"] == 30
    assert morning["李娜"]["checkin_at"] == "09:00"
    assert morning["王强"]["mark"] == "waiting"
    assert shifts["早班"]["counts"] == {"late": 1, "waiting": 1}
    assert [entry["mark"] for entry in shifts["晚班"]["people"]] == ["upcoming"]


async def test_staff_see_only_their_own_page(client: Client, fake_bot_api: FakeBotAPI, floor: Floor) -> None:
    token = await _session_token(client, fake_bot_api, floor.wang)
    headers = {"Authorization": f"Bearer {token}"}
    today = await (await client.get("/api/today", headers=headers)).json()
    names = {entry["name"] for shift in today["shifts"] for entry in shift["people"]}
    assert names == {"王强"} and len(today["shifts"]) == 2
    week = await (await client.get(f"/api/people/{floor.ids['wang']}/week", headers=headers)).json()
    assert week["name"] == "王强" and {s["name"] for s in week["shifts"]} == {"早班", "晚班"}
    refused = await client.get(f"/api/people/{floor.ids['li']}/week", headers=headers)
    assert refused.status == 403 and await refused.json() == {"error": "person"}


async def test_sign_in_answers_the_person_and_language(
    client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    for user, role, language in ((floor.admin, "admin", "zh_CN"), (floor.wang, "staff", "en")):
        data = sign_init_data(fake_bot_api.token, user, signed_at=utcnow())
        body = await (await client.post("/api/session", headers={"Authorization": f"tma {data}"})).json()
        assert (body["role"], body["language"], body["expires_in"]) == (role, language, 3600)


async def test_launch_data_from_init_data_py_is_accepted(
    client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    """A second implementation signs; the server accepts it, and it accepts what the fixtures sign."""
    user = floor.li.to_dict()
    theirs = init_data_py.sign(
        {"user": json.dumps(user, ensure_ascii=False)}, fake_bot_api.token, auth_date=utcnow()
    )
    response = await client.post("/api/session", headers={"Authorization": f"tma {theirs}"})
    assert response.status == 200
    ours = sign_init_data(fake_bot_api.token, floor.li, signed_at=utcnow())
    assert init_data_py.is_valid_by_hash(ours, fake_bot_api.token, now=utcnow())
    assert not init_data_py.is_valid_by_hash(tampered(ours), fake_bot_api.token, now=utcnow())
