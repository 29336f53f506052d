"""Learned phrasings (``learned.py``, and the KnowledgeBase searching with them in its worker thread)."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.knowledge import learned, service
from bot.knowledge.learned import ADMIN_SCORE, MAX_SCORE, PICK_SCORE, Learned, LearnedSet
from bot.knowledge.models import Feedback, LearnedFrom, LearnedPhrasing, Outcome, Question, QueueState
from bot.knowledge.search import KnowledgeIndex, SearchResult
from bot.people.models import Person

ADVANCE = "工资能不能预支"


def test_close_variants_match_and_other_questions_do_not() -> None:
    phrasings = LearnedSet([Learned(1, "workplace/payday", learned.comparable(ADVANCE) or "", PICK_SCORE)])
    seen = lambda note_id: True  # noqa: E731
    for same in (ADVANCE, "工资能不能预支啊？", "工資可以預支嗎", "请问工资能预支吗"):
        hit = phrasings.match(learned.comparable(same) or "", seen)
        assert hit is not None and hit.learned.id == 1, same
    for other in ("工资几号发", "预支", "奖金能不能预支", "工资"):
        assert phrasings.match(learned.comparable(other) or "", seen) is None, other


def test_the_best_visible_phrasing_wins() -> None:
    phrasings = LearnedSet(
        [
            Learned(1, "staff/note", "工资预支", MAX_SCORE),
            Learned(2, "public/a", "工资预支", PICK_SCORE),
            Learned(3, "public/b", "工资预支", PICK_SCORE + 1),
        ]
    )
    hit = phrasings.match("工资预支", lambda note_id: True)
    assert hit is not None and hit.learned.id == 1 and hit.similarity == 100
    public = phrasings.match("工资预支", lambda note_id: note_id.startswith("public/"))
    assert public is not None and public.learned.id == 3
    fewer = phrasings.without(3).match("工资预支", lambda note_id: note_id.startswith("public/"))
    assert fewer is not None and fewer.learned.id == 2
    raised = phrasings.with_(Learned(2, "public/a", "工资预支", MAX_SCORE))
    again = raised.match("工资预支", lambda note_id: note_id != "staff/note")
    assert len(raised) == 3 and again is not None and again.learned.id == 2


def test_nothing_to_learn_in_greetings_or_pasted_texts() -> None:
    assert learned.comparable("在吗？？") is None
    assert learned.comparable("退款" * 101) is None
    assert learned.comparable(" 工資  能不能 預支？ ") == learned.comparable(ADVANCE)


async def _person(session: AsyncSession, telegram_id: int = 1) -> int:
    person = Person(telegram_id=telegram_id, first_name="小梅")
    session.add(person)
    await session.commit()
    assert person.id is not None
    return person.id


async def test_learning_again_raises_and_feedback_lowers_until_gone(session: AsyncSession) -> None:
    person_id = await _person(session)

    async def teach(text: str, source: LearnedFrom = LearnedFrom.PICK) -> LearnedPhrasing:
        phrasing = await learned.learn(
            session,
            text=text,
            note_id="workplace/payday",
            audience="staff",
            source=source,
            person_id=person_id,
        )
        assert phrasing is not None
        return phrasing

    first = await teach("工资能不能预支？")
    assert (first.score, first.text, first.normalized, first.created_by_id) == (
        PICK_SCORE,
        "工资能不能预支？",
        "工资预支",
        person_id,
    )
    again = await teach("工资可以预支吗")  # the same comparable form: the same pairing
    assert again.id == first.id and again.score == PICK_SCORE + 1 and again.text == "工资能不能预支？"
    for _ in range(5):
        again = await teach(ADVANCE)
    assert again.score == MAX_SCORE
    admin = await teach("哪天发工资", LearnedFrom.ADMIN)
    assert admin.score == ADMIN_SCORE and admin.source == LearnedFrom.ADMIN
    assert (
        await learned.learn(
            session, text="在吗", note_id="x", audience="staff", source=LearnedFrom.PICK, person_id=None
        )
        is None
    )

    assert first.id is not None
    lowered = await learned.adjust(session, first.id, -1)
    assert lowered is not None and lowered.score == MAX_SCORE - 1
    raised = await learned.adjust(session, first.id, +3)
    assert raised is not None and raised.score == MAX_SCORE
    assert await learned.adjust(session, first.id, -MAX_SCORE) is None
    assert await session.get(LearnedPhrasing, first.id) is None
    assert await learned.adjust(session, first.id, -1) is None  # gone already: nothing happens
    assert len(await learned.load(session)) == 1


async def test_pages_are_most_recent_first_and_export_is_by_note(session: AsyncSession) -> None:
    for number, (text, note_id) in enumerate(
        [("工资能不能预支", "workplace/payday"), ("哪天发钱", "workplace/payday"), ("底薪多少", "public/pay")]
    ):
        phrasing = await learned.learn(
            session, text=text, note_id=note_id, audience="staff", source=LearnedFrom.PICK, person_id=None
        )
        assert phrasing is not None and phrasing.id == number + 1
    rows, total = await learned.recent(session, page=0, size=2)
    assert total == 3 and [r.text for r in rows] == ["底薪多少", "哪天发钱"]
    rows, _ = await learned.recent(session, page=1, size=2)
    assert [r.text for r in rows] == ["工资能不能预支"]
    assert [r.text for r in await learned.of_notes(session)] == ["底薪多少", "工资能不能预支", "哪天发钱"]
    assert [r.text for r in await learned.of_notes(session, "workplace/payday")] == [
        "工资能不能预支",
        "哪天发钱",
    ]


def _kb(knowledge_dir: Path) -> service.KnowledgeBase:
    kb = service.KnowledgeBase(knowledge_dir, 50, 40)
    kb.reload()
    return kb


async def _ask(
    session: AsyncSession,
    kb: service.KnowledgeBase,
    text: str,
    audience: str = "staff",
    person_id: int | None = None,
) -> tuple[Question, service.Found]:
    found = await kb.lookup(text, audience=audience)
    question = await service.log_question(
        session,
        person_id=person_id,
        chat_id=1,
        text=text,
        audience=audience,
        result=found.result,
        learned_id=found.learned_id,
    )
    return question, found


async def test_a_picked_suggestion_answers_the_same_question_next_time(
    session: AsyncSession, knowledge_dir: Path
) -> None:
    kb = _kb(knowledge_dir)
    person_id = await _person(session)
    payday = kb.note("workplace/payday", audience="staff")
    assert payday is not None
    suggested = SearchResult(ADVANCE, None, [], Outcome.SUGGEST)
    question = await service.log_question(
        session, person_id=person_id, chat_id=1, text=ADVANCE, audience="staff", result=suggested
    )
    phrasing = await service.pick_suggestion(session, kb, question, payday)
    assert phrasing is not None and question.learned_id == phrasing.id and question.outcome == Outcome.ANSWER
    assert await service.pick_suggestion(session, kb, question, payday) is None  # reading on teaches nothing

    answered, found = await _ask(session, kb, "请问工资能预支吗？")
    assert found.result.outcome == "answer" and found.result.answer == payday
    assert found.result.matches[0].note == payday and found.result.matches[0].score >= learned.MATCH_THRESHOLD
    assert answered.learned_id == phrasing.id and answered.note_id == payday.id
    public, found = await _ask(session, kb, ADVANCE, audience="public")
    assert found.learned is None and public.learned_id is None, "a staff note never answers a job seeker"
    assert all(m.note.audience == "public" for m in found.result.matches)

    kb.reload()  # learned phrasings live beside the notes: a reload keeps them
    assert kb.find(ADVANCE, audience="staff").learned is not None


async def _score(session: AsyncSession, phrasing_id: int) -> int | None:
    phrasing = await session.get(LearnedPhrasing, phrasing_id, populate_existing=True)
    return phrasing.score if phrasing else None


async def test_thumbs_lower_a_learned_answer_until_it_is_gone(
    session: AsyncSession, knowledge_dir: Path
) -> None:
    kb = _kb(knowledge_dir)
    pay = kb.note("public/pay", audience="public")
    assert pay is not None
    phrasing = await learned.learn(
        session,
        text="底薪到底多少",
        note_id=pay.id,
        audience="public",
        source=LearnedFrom.PICK,
        person_id=None,
    )
    assert phrasing is not None and phrasing.id is not None
    kb.remember(phrasing)

    first, found = await _ask(session, kb, "底薪到底多少呀", audience="public")
    assert found.learned_id == phrasing.id
    await service.rate_answer(session, kb, first, Feedback.DOWN)
    assert await _score(session, phrasing.id) == PICK_SCORE - 1
    assert first.queue_state == QueueState.OPEN
    await service.rate_answer(session, kb, first, Feedback.DOWN)  # the same verdict again counts once
    assert await _score(session, phrasing.id) == PICK_SCORE - 1
    await service.rate_answer(session, kb, first, Feedback.UP)  # changed its mind: -1 undone, +1
    assert await _score(session, phrasing.id) == PICK_SCORE + 1

    for _ in range(PICK_SCORE + 1):
        question, found = await _ask(session, kb, "底薪到底多少", audience="public")
        assert found.learned_id == phrasing.id
        await service.rate_answer(session, kb, question, Feedback.DOWN)
    assert await _score(session, phrasing.id) is None and len(kb.learned) == 0
    await session.refresh(question)
    assert question.learned_id is None
    assert (await _ask(session, kb, "底薪到底多少", audience="public"))[1].learned is None


async def test_an_admin_answer_with_a_note_teaches_and_removing_forgets(
    session: AsyncSession, knowledge_dir: Path
) -> None:
    kb = _kb(knowledge_dir)
    admin_id = await _person(session, 2)
    leave = kb.note("workplace/leave", audience="staff")
    assert leave is not None
    question, _ = await _ask(session, kb, "家里有事明天来不了")
    phrasing = await service.answer_with_note(session, kb, question, leave, admin_id=admin_id)
    assert phrasing is not None and phrasing.score == ADMIN_SCORE and phrasing.source == LearnedFrom.ADMIN
    assert question.queue_state == QueueState.ANSWERED and question.saved_note_id == leave.id
    assert question.answered_by_id == admin_id and question.learned_id == phrasing.id
    assert kb.find("家里有事明天来不了！", audience="staff").result.answer == leave

    assert phrasing.id is not None
    removed = await service.forget_phrasing(session, kb, phrasing.id)
    assert removed is not None and removed.text == "家里有事明天来不了"
    assert await service.forget_phrasing(session, kb, phrasing.id) is None
    assert kb.find("家里有事明天来不了", audience="staff").learned is None
    assert (await session.exec(select(LearnedPhrasing))).all() == []


async def test_a_phrasing_of_a_note_gone_answers_nothing_until_it_is_back(
    session: AsyncSession, knowledge_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir, folder)
    kb = _kb(folder)
    phrasing = await learned.learn(
        session,
        text=ADVANCE,
        note_id="workplace/payday",
        audience="staff",
        source=LearnedFrom.PICK,
        person_id=None,
    )
    assert phrasing is not None
    await kb.load_learned(session)
    assert kb.find(ADVANCE, audience="staff").learned is not None
    moved = (folder / "workplace" / "payday.md").rename(tmp_path / "payday.md")
    assert await kb.load() == []
    assert kb.find(ADVANCE, audience="staff").learned is None and len(kb.learned) == 1
    moved.rename(folder / "workplace" / "payday.md")
    await kb.load()
    assert kb.find(ADVANCE, audience="staff").result.answer == kb.note("workplace/payday", audience="staff")


async def test_searching_and_loading_run_off_the_event_loop(
    knowledge_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _kb(knowledge_dir)
    threads: list[str] = []
    search = KnowledgeIndex.search

    def recording(self: KnowledgeIndex, *args: object, **kwargs: object) -> SearchResult:
        threads.append(threading.current_thread().name)
        return search(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeIndex, "search", recording)
    first, second = await asyncio.gather(
        kb.lookup("退货流程", audience="staff"), kb.lookup("快递不动", audience="staff")
    )
    assert first.result.answer is not None and second.result.matches
    assert len(threads) == 2 and all(name.startswith("kb-search") for name in threads)

    before = kb.current()
    built: list[str] = []
    build = KnowledgeIndex.build

    def recording_build(*args: object, **kwargs: object) -> KnowledgeIndex:
        built.append(threading.current_thread().name)
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeIndex, "build", recording_build)
    await kb.load()
    assert built and built[0] != threading.current_thread().name
    assert kb.current() is not before, "a reload swaps in a new index"
