"""Questions on the dashboard: the unanswered queue, answered as in chat (the asker gets the same words)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import select

from bot.app import BotApplication
from bot.delivery.models import Campaign
from bot.knowledge import saved as saved_notes
from bot.knowledge.models import Question, QueueState, SavedNote
from bot.playground.botapi import FakeBotAPI
from tests.e2e.dashboard.conftest import Floor, bearer, queued_question

Client = TestClient[Any, Any]
ANSWER = "本站不提供宿舍，外村同事可以申请每月 300 元住房补贴。"


async def question_row(app: BotApplication) -> Question:
    async with app.bot_data.db() as session:
        return (await session.exec(select(Question).where(Question.text == "公司有没有宿舍"))).one()


async def test_answering_on_the_dashboard_reaches_the_asker(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    api = fake_bot_api
    await queued_question(app, floor.seeker)
    headers = await bearer(client, api, floor.admin)
    queue = await (await client.get("/api/questions", headers=headers)).json()
    question = await question_row(app)
    assert queue == {
        "total": 1,
        "questions": [
            {
                "id": question.id,
                "asked_at": "10-09 09:00",
                "text": "公司有没有宿舍",
                "disliked": False,
                "asker": "赵求职",
            }
        ],
    }

    mark = api.mark()
    answered = await client.post(
        f"/api/questions/{question.id}/answer", headers=headers, json={"text": ANSWER}
    )
    assert await answered.json() == {"outcome": "done"}
    delivered = await api.wait_for("sendMessage", since=mark, chat_id=floor.seeker.id)
    assert delivered.params["text"] == f"管理员回答了你的问题“公司有没有宿舍”：\n\n{ANSWER}"
    stored = await question_row(app)
    assert stored.queue_state == QueueState.ANSWERED and stored.answer_text == ANSWER
    assert stored.answered_by_id == floor.ids["admin"]
    async with app.bot_data.db() as session:
        (campaign,) = (await session.exec(select(Campaign).where(Campaign.kind == "dashboard"))).all()
    assert (
        campaign.ref == f"dashboard:question:{question.id}" and campaign.created_by_id == floor.ids["admin"]
    )

    again = await client.post(
        f"/api/questions/{question.id}/answer", headers=headers, json={"text": "再答一次"}
    )
    assert await again.json() == {"outcome": "already"}
    assert (await (await client.get("/api/questions", headers=headers)).json())["total"] == 0


async def test_an_answer_must_be_words(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    await queued_question(app, floor.seeker)
    question = await question_row(app)
    headers = await bearer(client, fake_bot_api, floor.admin)
    for body in ({}, {"text": "   "}, {"text": 3}, {"text": "字" * 3501}):
        answer = await client.post(f"/api/questions/{question.id}/answer", headers=headers, json=body)
        assert answer.status == 400, body
    assert (await question_row(app)).queue_state == QueueState.OPEN


async def test_an_answer_saved_as_a_note(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    question = await queued_question(app, floor.seeker)
    headers = await bearer(client, fake_bot_api, floor.admin)
    early = await client.post(f"/api/questions/{question.id}/note", headers=headers)
    assert early.status == 409 and await early.json() == {"error": "unanswered"}
    await client.post(f"/api/questions/{question.id}/answer", headers=headers, json={"text": ANSWER})
    saved = await (await client.post(f"/api/questions/{question.id}/note", headers=headers)).json()
    assert saved == {"note": f"answers/q{question.id}", "loaded": True}
    kb = app.bot_data.knowledge
    note = kb.note(saved["note"], audience="public")
    assert note is not None and ANSWER in note.body
    assert (await question_row(app)).saved_note_id == saved["note"]


async def test_editing_a_note_is_checked_before_it_is_written(
    app: BotApplication, client: Client, fake_bot_api: FakeBotAPI, floor: Floor
) -> None:
    question = await queued_question(app, floor.seeker)
    headers = await bearer(client, fake_bot_api, floor.admin)
    await client.post(f"/api/questions/{question.id}/answer", headers=headers, json={"text": ANSWER})
    note_id = (await (await client.post(f"/api/questions/{question.id}/note", headers=headers)).json())[
        "note"
    ]
    listed = (await (await client.get("/api/notes", headers=headers)).json())["notes"]
    assert {"id": note_id, "title": "公司有没有宿舍", "audience": "public"} in listed
    shown = await (await client.get(f"/api/notes/{note_id}", headers=headers)).json()
    assert (
        shown["id"] == note_id
        and shown["text"].startswith("---\ntitle: 公司有没有宿舍")
        and ANSWER in shown["text"]
    )

    async def stored() -> SavedNote:
        async with app.bot_data.db() as session:
            note = await saved_notes.get_note(session, note_id)
        assert note is not None
        return note

    before = (await stored()).text

    broken = await client.put(f"/api/notes/{note_id}", headers=headers, json={"text": "no front matter"})
    assert broken.status == 400
    refused = await broken.json()
    assert refused["error"] == "invalid" and "front matter" in refused["problems"][0]
    assert (await stored()).text == before

    edited = before.replace("300 元", "400 元")
    saved = await client.put(f"/api/notes/{note_id}", headers=headers, json={"text": edited})
    assert await saved.json() == {"id": note_id, "title": "公司有没有宿舍"}
    assert ((await stored()).text, (await stored()).version) == (edited, 2)
    note = app.bot_data.knowledge.note(note_id, audience="public")
    assert note is not None and "400 元" in note.body
