"""Form state in the database (``bot.persistence.store``): conversation steps, answers so far, one person's
forms in one query, and only JSON values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.persistence import store
from bot.persistence.models import ConversationState, ConversationUserData

MEI, LAN = 7001, 7002
WHEN = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)


async def test_a_step_is_written_moved_on_and_ended(session: AsyncSession) -> None:
    await store.save_state(session, "job_application_form", (MEI, MEI), 21, user_id=MEI, at=WHEN)
    await store.save_state(session, "notice_draft", (MEI, MEI), "content", user_id=MEI, at=WHEN)
    later = WHEN + timedelta(minutes=3)
    await store.save_state(session, "job_application_form", (MEI, MEI), 22, user_id=MEI, at=later)

    assert await store.conversations(session, "job_application_form") == {
        (MEI, MEI): store.StoredState(22, later)
    }
    assert await store.state_of(session, "notice_draft", (MEI, MEI)) == store.StoredState("content", WHEN)

    await store.delete_state(session, "job_application_form", (MEI, MEI))
    assert await store.conversations(session, "job_application_form") == {}
    assert await store.state_of(session, "job_application_form", (MEI, MEI)) is None
    rows = (await session.exec(select(ConversationState))).all()
    assert [(row.name, row.key, row.user_id) for row in rows] == [("notice_draft", f"[{MEI},{MEI}]", MEI)]


async def test_keys_come_back_as_the_same_tuples(session: AsyncSession) -> None:
    group = -1_001_234_567_890  # a supergroup id does not fit 32 bits
    await store.save_state(session, "c", (group, 8_123_456_789), "x", user_id=8_123_456_789)
    assert list(await store.conversations(session, "c")) == [(group, 8_123_456_789)]


async def test_answers_are_replaced_and_nothing_left_is_no_row(session: AsyncSession) -> None:
    form = {"job_form": {"posting_id": 3, "name": "张小梅", "villages": ["三合村"], "fixing": False}}
    await store.save_user_data(session, MEI, form)
    await store.save_user_data(session, LAN, {"kb_answering": 12})
    await store.save_user_data(session, MEI, {**form, "job_pick": {"3": [1, 2]}})
    assert await store.all_user_data(session) == {
        MEI: {**form, "job_pick": {"3": [1, 2]}},
        LAN: {"kb_answering": 12},
    }
    await store.save_user_data(session, LAN, {})
    await store.delete_user_data(session, MEI)
    assert (await session.exec(select(ConversationUserData))).all() == []


async def test_one_persons_forms_in_one_query(session: AsyncSession) -> None:
    await store.save_state(session, "job_application_form", (MEI, MEI), 22, user_id=MEI, at=WHEN)
    await store.save_state(session, "kb_answer", (MEI, MEI), 1, user_id=MEI, at=WHEN)
    await store.save_state(session, "job_application_form", (LAN, LAN), 20, user_id=LAN, at=WHEN)
    await store.save_user_data(session, MEI, {"job_form": {"name": "张小梅"}})

    forms = await store.forms_of(session, MEI)
    assert forms.user_data == {"job_form": {"name": "张小梅"}}
    assert forms.conversations == {
        "job_application_form": {(MEI, MEI): store.StoredState(22, WHEN)},
        "kb_answer": {(MEI, MEI): store.StoredState(1, WHEN)},
    }
    assert forms.conversations["kb_answer"][(MEI, MEI)].updated_at.tzinfo is not None

    nobody = await store.forms_of(session, 1)
    assert nobody.user_data is None and nobody.conversations == {}
    only_answers = await store.forms_of(session, LAN)
    assert only_answers.user_data is None and list(only_answers.conversations) == ["job_application_form"]


@pytest.mark.parametrize("value", [{1, 2}, {"when": WHEN}, float("nan"), object()])
def test_only_json_values_are_written(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        store.to_json({"x": value})


def test_values_that_change_in_json_are_told_apart() -> None:
    assert store.survives_json({"job_form": {"name": "张小梅", "villages": ["三合村"], "posting_id": 3}})
    assert store.survives_json({"job_pick": {"3": [1, 2]}})
    assert not store.survives_json({"job_pick": {3: [1, 2]}})  # the key would come back "3"
    assert not store.survives_json({"job_edit": (3, "title")})  # the tuple would come back a list
    assert not store.survives_json({"picked": {1, 2}})


async def test_forms_untouched_for_long_are_forgotten(session: AsyncSession) -> None:
    await store.save_state(session, "notice_draft", (MEI, MEI), "content", user_id=MEI, at=WHEN)
    await store.save_user_data(session, MEI, {"job_form": {"phone": "13800138000"}}, at=WHEN)
    later = WHEN + timedelta(days=40)
    await store.save_state(session, "notice_draft", (LAN, LAN), "content", user_id=LAN, at=later)
    await store.save_user_data(session, LAN, {"kb_answering": 3}, at=later)

    await store.forget_untouched(session, WHEN + timedelta(days=30))
    assert list(await store.conversations(session, "notice_draft")) == [(LAN, LAN)]
    assert await store.all_user_data(session) == {LAN: {"kb_answering": 3}}
