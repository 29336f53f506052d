"""Postings, applications, alerts and privacy, on the database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.jobs import service
from bot.jobs.models import ApplicationStatus, JobApplication, JobSubscription, PostingState
from bot.people.models import Person
from tests.unit.jobs.conftest import World, draft, form, open_posting


async def test_a_draft_is_published_then_listed(session: AsyncSession, world: World) -> None:
    posting = await service.create_posting(session, world.admin, draft())
    assert posting.state == PostingState.DRAFT
    assert await service.open_postings(session) == ([], 0)
    assert await service.publish(session, posting)
    assert not await service.publish(session, posting)  # once
    listed, total = await service.open_postings(session)
    assert total == 1 and [p.id for p in listed] == [posting.id]


async def test_a_draft_past_its_deadline_cannot_be_published(session: AsyncSession, world: World) -> None:
    posting = await service.create_posting(
        session, world.admin, draft(closes_at=utcnow() - timedelta(minutes=1))
    )
    assert not await service.publish(session, posting)
    assert posting.state == PostingState.DRAFT


async def test_open_postings_are_paged_newest_first(session: AsyncSession, world: World) -> None:
    ids = []
    for number in range(7):
        posting = await open_posting(session, world.admin, title=f"岗位{number}")
        posting.published_at = utcnow() + timedelta(seconds=number)
        session.add(posting)
        await session.commit()
        ids.append(posting.id)
    first, total = await service.open_postings(session, limit=5)
    second, _ = await service.open_postings(session, offset=5, limit=5)
    assert total == 7
    assert [p.id for p in first + second] == ids[::-1]


async def test_one_application_per_person_and_posting(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    seeker = world.seekers[0]
    first = await service.submit_application(session, posting.id, seeker, form())
    again = await service.submit_application(
        session, posting.id, seeker, form(phone="13900000000", note="只能白班")
    )
    assert first.outcome == service.SubmitOutcome.CREATED
    assert again.outcome == service.SubmitOutcome.UPDATED
    rows = (await session.exec(select(JobApplication))).all()
    assert [(a.person_id, a.phone, a.note) for a in rows] == [(seeker.id, "13900000000", "只能白班")]


async def test_closed_filled_and_expired_postings_refuse_applications(
    session: AsyncSession, world: World
) -> None:
    seeker = world.seekers[0]
    closed = await open_posting(session, world.admin)
    await service.change_state(session, closed, PostingState.CLOSED)
    expired = await open_posting(session, world.admin)
    expired.closes_at = utcnow() - timedelta(seconds=1)  # not yet closed by the tick
    session.add(expired)
    await session.commit()
    draft_only = await service.create_posting(session, world.admin, draft())
    for posting in (closed, expired, draft_only):
        result = await service.submit_application(session, posting.id, seeker, form())
        assert result.outcome == service.SubmitOutcome.CLOSED
    assert (
        await service.submit_application(session, 9999, seeker, form())
    ).outcome == service.SubmitOutcome.NOT_FOUND
    assert (await session.exec(select(JobApplication))).all() == []


async def test_a_seeker_only_gets_their_own_application(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    mei, ming = world.seekers[:2]
    result = await service.submit_application(session, posting.id, mei, form())
    assert result.application is not None
    assert await service.own_application(session, result.application.id, mei) is not None
    assert await service.own_application(session, result.application.id, ming) is None
    assert await service.applications_of(session, ming) == []


async def test_withdrawing_and_applying_again(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    seeker = world.seekers[0]
    application = (await service.submit_application(session, posting.id, seeker, form())).application
    assert application is not None
    assert await service.withdraw(session, application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert not await service.withdraw(session, application)
    counts = (await service.posting_counts(session, [posting.id]))[posting.id]
    assert counts == service.PostingCounts(active=0, hired=0, total=0)
    again = await service.submit_application(session, posting.id, seeker, form())
    assert (
        again.outcome == service.SubmitOutcome.UPDATED and again.application.status == ApplicationStatus.NEW
    )


async def test_the_hire_that_reaches_the_headcount_fills_the_posting(
    session: AsyncSession, world: World
) -> None:
    posting = await open_posting(session, world.admin, headcount=2)
    applications = []
    for seeker in world.seekers:
        result = await service.submit_application(session, posting.id, seeker, form(name=seeker.first_name))
        applications.append(result.application)
    contacted = await service.set_status(
        session, applications[0], ApplicationStatus.CONTACTED, by=world.admin
    )
    assert contacted.changed and not contacted.filled
    assert not (await service.set_status(session, applications[0], ApplicationStatus.CONTACTED)).changed
    first = await service.set_status(session, applications[0], ApplicationStatus.HIRED, by=world.admin)
    assert not first.filled and first.posting.state == PostingState.OPEN
    second = await service.set_status(session, applications[1], ApplicationStatus.HIRED, by=world.admin)
    assert second.filled and second.posting.state == PostingState.FILLED
    assert applications[1].status_changed_by_id == world.admin.id
    counts = (await service.posting_counts(session, [posting.id]))[posting.id]
    assert counts == service.PostingCounts(active=1, hired=2, total=3)
    # A hired applicant cannot apply again to the same job.
    again = await service.submit_application(session, posting.id, world.seekers[1], form())
    assert again.outcome == service.SubmitOutcome.ALREADY_HIRED


async def test_reopening_needs_a_deadline_ahead(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    assert await service.change_state(session, posting, PostingState.FILLED) == service.StateChange.DONE
    assert posting.ended_at is not None
    assert await service.change_state(session, posting, PostingState.FILLED) == service.StateChange.UNCHANGED
    posting.closes_at = utcnow() - timedelta(hours=1)
    assert (
        await service.change_state(session, posting, PostingState.OPEN) == service.StateChange.DEADLINE_PASSED
    )
    await service.update_posting(session, posting, "deadline", utcnow() + timedelta(days=3))
    assert await service.change_state(session, posting, PostingState.OPEN) == service.StateChange.DONE
    assert posting.state == PostingState.OPEN and posting.ended_at is None
    unpublished = await service.create_posting(session, world.admin, draft())
    assert (
        await service.change_state(session, unpublished, PostingState.CLOSED) == service.StateChange.IS_DRAFT
    )


async def test_the_deadline_closes_postings_by_itself(session: AsyncSession, world: World) -> None:
    now = utcnow()
    soon = await open_posting(session, world.admin, closes_at=now + timedelta(hours=1))
    later = await open_posting(session, world.admin, closes_at=now + timedelta(days=5))
    never = await open_posting(session, world.admin, closes_at=None)
    assert await service.close_expired(session, now=now) == []
    closed = await service.close_expired(session, now=now + timedelta(hours=2))
    assert [p.id for p in closed] == [soon.id]
    for posting, state in (
        (soon, PostingState.CLOSED),
        (later, PostingState.OPEN),
        (never, PostingState.OPEN),
    ):
        assert (await service.get_posting(session, posting.id)).state == state


async def test_only_admin_statuses_can_be_set(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    application = (
        await service.submit_application(session, posting.id, world.seekers[0], form())
    ).application
    try:
        await service.set_status(session, application, ApplicationStatus.WITHDRAWN)
    except ValueError:
        pass
    else:
        raise AssertionError("admins must not withdraw for the applicant")


async def test_subscriptions_match_villages(session: AsyncSession, world: World) -> None:
    mei, ming, zhuoma = world.seekers
    await service.subscribe(session, mei, "三合村")
    await service.subscribe(session, ming, None)
    await service.subscribe(session, zhuoma, "团结村")
    await service.subscribe(session, zhuoma, "红崖村")  # replaces the earlier choice
    assert len((await session.exec(select(JobSubscription))).all()) == 3

    async def names(villages: list[str]) -> list[str]:
        return [p.first_name for p in await service.subscribers_for(session, villages)]

    assert await names(["三合村"]) == ["小梅", "阿明"]
    assert await names(["团结村"]) == ["阿明"]
    assert await names(["红崖村", "三合村"]) == ["小梅", "阿明", "卓玛"]
    assert await names([]) == ["阿明"]
    assert await service.unsubscribe(session, ming)
    assert not await service.unsubscribe(session, ming)
    assert await names([]) == []


async def test_forget_deletes_applications_and_alerts(session: AsyncSession, world: World) -> None:
    first = await open_posting(session, world.admin)
    second = await open_posting(session, world.admin, title="仓库打包")
    mei, ming = world.seekers[:2]
    for posting in (first, second):
        await service.submit_application(session, posting.id, mei, form(phone="13811112222"))
    await service.submit_application(session, first.id, ming, form(name="阿明", phone="13933334444"))
    await service.subscribe(session, mei, None)
    forgotten = await service.forget_person(session, mei)
    assert (forgotten.applications, forgotten.subscriptions) == (2, 1)
    assert set(forgotten.posting_ids) == {first.id, second.id}
    rows = (await session.exec(select(JobApplication))).all()
    assert [a.phone for a in rows] == ["13933334444"]
    assert (await session.exec(select(JobSubscription))).all() == []
    assert (
        await session.get(Person, mei.id) is not None
    )  # the person stays; what they told the jobs capability goes


async def test_old_applications_are_purged(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    now = utcnow()
    old = (
        await service.submit_application(
            session, posting.id, world.seekers[0], form(), now=now - timedelta(days=200)
        )
    ).application
    fresh = (
        await service.submit_application(session, posting.id, world.seekers[1], form(), now=now)
    ).application
    assert old is not None and fresh is not None
    assert await service.purge_applications(session, older_than=now - timedelta(days=180)) == 1
    assert [a.id for a in (await session.exec(select(JobApplication))).all()] == [fresh.id]


async def test_last_form_is_offered_again_and_villages_come_from_groups(
    session: AsyncSession, world: World
) -> None:
    posting = await open_posting(session, world.admin)
    seeker = world.seekers[2]
    assert await service.last_form(session, seeker) is None
    await service.submit_application(session, posting.id, seeker, form(name="卓玛", village="红崖村"))
    previous = await service.last_form(session, seeker)
    assert previous is not None and (previous.name, previous.village) == ("卓玛", "红崖村")
    assert await service.known_villages(session) == ["三合村", "团结村", "红崖村"]
    assert [g.chat_id for g in await service.village_groups(session)] == [-1001, -1002, -1003]


async def test_admins_see_drafts_first(session: AsyncSession, world: World) -> None:
    published = await open_posting(session, world.admin, title="已发布")
    written = await service.create_posting(session, world.admin, draft(title="草稿"))
    closed = await open_posting(session, world.admin, title="已截止")
    await service.change_state(session, closed, PostingState.CLOSED)
    postings, total = await service.all_postings(session)
    assert total == 3 and [p.id for p in postings] == [written.id, published.id, closed.id]
    assert await service.delete_draft(session, written)
    assert not await service.delete_draft(session, published)
