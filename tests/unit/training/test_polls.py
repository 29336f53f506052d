"""Quiz polls on their way out: in order per person, claimed once, retried a few times, and those a dead
process left ``sending`` sent again (flagged) — never those this process is sending."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.training import service
from bot.training.models import Enrolment, PollState, QuizPoll
from bot.training.service.polls import MAX_ATTEMPTS
from tests.unit.training.conftest import THURSDAY, at, person

NOW = at(THURSDAY, "09:00")


async def some_polls(session: AsyncSession, count: int = 3) -> list[QuizPoll]:
    """Review polls (they need no lesson) to 员工10, written in this order."""
    someone = await person(session, 10, "员工10")
    enrolment = Enrolment(person_id=someone.id or 0, plan_id="新员工")
    session.add(enrolment)
    await session.flush()
    polls = [
        QuizPoll(
            enrolment_id=enrolment.id or 0,
            review=True,
            note_id="refund",
            question_key=f"k{n}",
            question=f"问题{n}",
            options=["a", "b"],
            correct_option=1,
            chat_id=10,
            position=n,
        )
        for n in range(count)
    ]
    session.add_all(polls)
    await session.commit()
    return polls


async def test_each_poll_is_claimed_once(session: AsyncSession) -> None:
    polls = await some_polls(session)
    assert [p.question for p in await service.due_polls(session, now=NOW)] == ["问题0", "问题1", "问题2"]
    claimed = await service.claim(session, polls[0].id or 0, by="me")
    assert claimed is not None and claimed.state == PollState.SENDING and claimed.attempts == 1
    assert await service.claim(session, polls[0].id or 0, by="me") is None
    await service.mark_sent(session, polls[0].id or 0, "555", 7, now=NOW)
    assert [p.question for p in await service.due_polls(session, now=NOW)] == ["问题1", "问题2"]


async def test_only_polls_left_by_another_process_are_recovered(session: AsyncSession) -> None:
    polls = await some_polls(session)
    await service.claim(session, polls[0].id or 0, by="dead")
    await service.claim(session, polls[1].id or 0, by="me")
    assert await service.recover(session, "me") == 1
    session.expunge_all()
    first, second = await session.get(QuizPoll, polls[0].id), await session.get(QuizPoll, polls[1].id)
    assert first is not None and first.state == PollState.PENDING and first.maybe_duplicate
    assert second is not None and second.state == PollState.SENDING and not second.maybe_duplicate


async def test_a_poll_is_retried_later_then_given_up(session: AsyncSession) -> None:
    (poll,) = await some_polls(session, 1)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = await service.claim(session, poll.id or 0, by="me")
        assert claimed is not None and claimed.attempts == attempt
        await service.mark_retry(
            session, claimed, NOW + timedelta(minutes=attempt), "timed out", maybe_duplicate=True
        )
        assert await service.due_polls(session, now=NOW) == []
        session.expunge_all()
        if attempt < MAX_ATTEMPTS:
            later = await service.due_polls(session, now=NOW + timedelta(minutes=attempt))
            assert [p.id for p in later] == [poll.id] and later[0].maybe_duplicate
    given_up = await session.get(QuizPoll, poll.id)
    assert given_up is not None and given_up.state == PollState.FAILED and given_up.error == "timed out"
