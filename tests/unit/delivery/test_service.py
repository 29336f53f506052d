"""The outbox's row state machine, on the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service
from bot.delivery.models import Campaign, CampaignState, Delivery, DeliveryState
from bot.delivery.payload import Button, Payload, PayloadKind
from bot.people import service as people
from bot.people.models import GroupChat

TEXT = Payload(text="明天上午10点全员培训，请准时到")


async def _rows(session: AsyncSession, campaign_id: int) -> dict[int, Delivery]:
    query = select(Delivery).where(Delivery.campaign_id == campaign_id)
    rows = await session.exec(query.execution_options(populate_existing=True))
    return {row.chat_id: row for row in rows.all()}


async def test_campaign_writes_one_row_per_chat_before_sending(session: AsyncSession) -> None:
    targets = [service.Target(101, "小李"), service.Target(-200, "三合村群"), service.Target(101, "again")]
    campaign = await service.create_campaign(session, "notice", TEXT, targets, ref="notice:1")
    assert campaign.total == 2 and campaign.state == CampaignState.ACTIVE
    rows = await _rows(session, campaign.id)
    assert {chat: (r.chat_kind, r.state, r.label) for chat, r in rows.items()} == {
        101: ("private", "pending", "小李"),
        -200: ("group", "pending", "三合村群"),
    }
    assert Payload.from_dict(campaign.payload) == TEXT
    assert campaign.title == TEXT.text


async def test_payload_round_trip_and_validation() -> None:
    payload = Payload(
        kind=PayloadKind.PHOTO,
        file_id="AgAC",
        text="caption",
        entities=({"type": "bold", "offset": 0, "length": 3},),
        buttons=((Button("收到", callback_data="ntcack:1"), Button("link", url="https://t.me/x")),),
        buttons_in_groups=False,
        reply_to_campaign=4,
    )
    assert Payload.from_dict(payload.to_dict()) == payload
    with pytest.raises(ValueError):
        Payload(kind=PayloadKind.PHOTO)
    with pytest.raises(ValueError):
        Payload(text=" ")
    with pytest.raises(ValueError):
        Button("x")
    with pytest.raises(ValueError):
        Payload(text="x", parse_mode="HTML", entities=({"type": "bold", "offset": 0, "length": 1},))


async def test_claim_send_and_counts(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1), service.Target(2)])
    work = await service.due_work(session)
    assert [w.chat_id for w in work] == [1, 2]
    assert await service.claim(session, work[0])
    assert not await service.claim(session, work[0]), "a row is claimed once"
    assert [w.chat_id for w in await service.due_work(session)] == [2]
    await service.mark_sent(session, work[0], 77)
    counts = await service.campaign_counts(session, campaign.id)
    assert (counts.sent, counts.pending, counts.total) == (1, 1, 2)
    rows = await _rows(session, campaign.id)
    assert rows[1].message_id == 77 and rows[1].sent_version == 1 and rows[1].sent_at is not None
    assert not rows[1].followup
    assert await service.sent_copies(session, campaign.id) == [(1, 77)]
    assert await service.copy_in_chat(session, campaign.id, 1) == 77


async def test_interrupted_rows_are_resent_and_flagged(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1), service.Target(2)])
    first, _second = await service.due_work(session)
    claimed_at = utcnow()
    await service.claim(session, first, owner="dead-host:41:0a1b", now=claimed_at)
    # the process dies here: the row stays "sending" until its lease runs out
    assert await service.recover_interrupted(session, now=claimed_at + service.LEASE / 2) == 0
    assert await service.recover_interrupted(session, now=claimed_at + service.LEASE) == 1
    rows = await _rows(session, campaign.id)
    assert rows[1].state == DeliveryState.PENDING and rows[1].maybe_duplicate
    assert (rows[1].lease_owner, rows[1].lease_until) == (None, None)
    assert not rows[2].maybe_duplicate
    assert (await service.campaign_counts(session, campaign.id)).maybe_duplicate == 1


async def test_retry_waits_until_its_time(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1)])
    (work,) = await service.due_work(session)
    await service.claim(session, work)
    later = utcnow() + timedelta(seconds=30)
    await service.mark_retry(session, work, later, "flood control: retry in 30s")
    assert await service.due_work(session) == []
    assert abs((await service.next_due_at(session) - later).total_seconds()) < 1
    assert [w.chat_id for w in await service.due_work(session, now=later)] == [1]
    row = (await _rows(session, campaign.id))[1]
    assert row.state == DeliveryState.PENDING and row.error == "flood control: retry in 30s"


async def test_scheduled_campaign_waits(session: AsyncSession) -> None:
    at = utcnow() + timedelta(hours=2)
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1)], send_after=at)
    assert await service.due_work(session) == []
    assert await service.next_due_at(session) == at
    assert await service.completed_counts(session, campaign) is None
    assert len(await service.due_work(session, now=at)) == 1


async def test_priority_goes_first(session: AsyncSession) -> None:
    await service.create_campaign(session, "notice", TEXT, [service.Target(1), service.Target(2)])
    await service.create_campaign(session, "alert", TEXT, [service.Target(3)], priority=10)
    assert [w.chat_id for w in await service.due_work(session)] == [3, 1, 2]


async def test_cancel_stops_pending_rows_only(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(c) for c in (1, 2, 3)])
    first, second, _third = await service.due_work(session)
    await service.claim(session, first)
    await service.mark_sent(session, first, 5)
    await service.claim(session, second)  # in flight when the admin cancels
    assert await service.cancel_campaign(session, campaign.id) == 1
    assert await service.cancel_campaign(session, campaign.id) is None
    assert not await service.claim(session, _third)
    assert await service.completed_counts(session, campaign) is None, "waits for the request in flight"
    await service.mark_sent(session, second, 6)
    counts = await service.completed_counts(session, campaign)
    assert counts is not None and (counts.sent, counts.cancelled) == (2, 1)
    await service.mark_finished(session, campaign)
    stored = await session.get(Campaign, campaign.id)
    assert stored.state == CampaignState.CANCELLED and stored.finished_at is not None


async def test_blocked_group_turns_inactive(session: AsyncSession) -> None:
    await people.record_group(session, -300, title="三合村群", chat_type="group", active=True)
    campaign = await service.create_campaign(
        session, "notice", TEXT, [service.Target(-300), service.Target(9)]
    )
    group_work, person_work = await service.due_work(session)
    for work in (group_work, person_work):
        await service.claim(session, work)
        await service.mark_blocked(session, work, "Forbidden: bot was kicked from the group chat")
    rows = await _rows(session, campaign.id)
    assert {r.state for r in rows.values()} == {"blocked"}
    group = (await session.exec(select(GroupChat))).one()
    assert not group.active and group.left_at is not None


async def test_migrated_group_is_followed(session: AsyncSession) -> None:
    await people.record_group(session, -400, title="团结村群", chat_type="group", active=True)
    first = await service.create_campaign(session, "notice", TEXT, [service.Target(-400)])
    second = await service.create_campaign(session, "job", TEXT, [service.Target(-400)])
    work = (await service.due_work(session))[0]
    await service.claim(session, work)
    assert await service.mark_migrated(session, work, -100400)
    assert (await _rows(session, first.id))[-100400].state == DeliveryState.PENDING
    assert -100400 in await _rows(session, second.id), "other pending rows follow the group too"
    group = (await session.exec(select(GroupChat))).one()
    assert group.chat_id == -100400 and group.chat_type == "supergroup"


async def test_migration_into_a_chat_already_targeted_fails_the_row(session: AsyncSession) -> None:
    campaign = await service.create_campaign(
        session, "notice", TEXT, [service.Target(-500), service.Target(-100500)]
    )
    work = next(w for w in await service.due_work(session) if w.chat_id == -500)
    await service.claim(session, work)
    assert not await service.mark_migrated(session, work, -100500)
    assert (await _rows(session, campaign.id))[-500].state == DeliveryState.FAILED


async def test_pin_and_edit_follow_ups(session: AsyncSession) -> None:
    campaign = await service.create_campaign(
        session, "job", TEXT, [service.Target(-1), service.Target(2)], pin=True
    )
    group, person = await service.due_work(session)
    for work, message_id in ((group, 10), (person, 20)):
        await service.claim(session, work)
        await service.mark_sent(session, work, message_id)
    (pin,) = await service.due_work(session)
    assert pin.chat_id == -1 and pin.needs_pin and not pin.needs_edit
    await service.followup_done(session, pin, pinned=True)
    assert await service.due_work(session) == []

    edited = Payload(text="已招满")
    assert await service.edit_campaign_copies(session, campaign.id, edited) == 2
    work = await service.due_work(session)
    assert {w.chat_id for w in work} == {-1, 2} and all(w.needs_edit and w.version == 2 for w in work)
    for item in work:
        await service.followup_done(session, item, edited_version=item.version)
    assert await service.due_work(session) == []
    rows = await _rows(session, campaign.id)
    assert {r.sent_version for r in rows.values()} == {2} and rows[-1].pinned
    with pytest.raises(ValueError):
        await service.edit_campaign_copies(session, campaign.id, Payload(kind=PayloadKind.PHOTO, file_id="x"))


async def test_edit_before_sending_changes_what_is_sent(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "job", TEXT, [service.Target(1), service.Target(2)])
    first, _ = await service.due_work(session)
    await service.claim(session, first)
    await service.edit_campaign_copies(session, campaign.id, Payload(text="v2"))
    await service.mark_sent(session, first, 1)  # it was sent with version 1: an edit is due
    work = await service.due_work(session)
    assert [(w.chat_id, w.state, w.payload["text"]) for w in work] == [
        (1, "sent", "v2"),
        (2, "pending", "v2"),
    ]


async def test_failed_rows_keep_their_reason(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1)])
    (work,) = await service.due_work(session)
    await service.claim(session, work)
    await service.mark_failed(session, work, "Bad Request: " + "x" * 400)
    counts = await service.completed_counts(session, campaign)
    assert counts is not None and counts.failed == 1
    (row,) = await service.list_deliveries(session, campaign.id, ["failed"])
    assert row.error.startswith("Bad Request: x") and len(row.error) == 255
    assert await service.chats_by_campaign(session, campaign.id, ["failed"]) == [(1, "", row.error)]


async def test_claimed_rows_of_a_cancelled_campaign_are_dropped(session: AsyncSession) -> None:
    campaign = await service.create_campaign(session, "notice", TEXT, [service.Target(1), service.Target(2)])
    other = await service.create_campaign(session, "notice", TEXT, [service.Target(3)])
    first, *_ = await service.due_work(session)
    await service.claim(session, first)
    await service.cancel_campaign(session, campaign.id)
    assert await service.cancelled_among(session, [campaign.id, other.id]) == [campaign.id]
    assert await service.cancelled_among(session, []) == []
    await service.drop_claimed(session, first)
    rows = await _rows(session, campaign.id)
    assert {r.state for r in rows.values()} == {"cancelled"}
