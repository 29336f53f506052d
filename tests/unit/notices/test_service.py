"""Notices: drafts, confirmation into a campaign, acknowledgements, reminders, on the database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, Delivery
from bot.delivery.payload import Payload
from bot.notices import service
from bot.notices.audiences import default_registry
from bot.notices.buttons import Ack
from bot.notices.models import NoticeAck, NoticeState
from bot.people.models import Person, Role
from tests.unit.notices.conftest import TEXT, deliver, person, world


async def test_draft_options_and_audience_toggles(session: AsyncSession) -> None:
    boss, _ = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    assert (notice.state, notice.audience, notice.needs_ack) == (NoticeState.DRAFT, {"staff": []}, True)
    assert (notice.remind_every_minutes, notice.remind_times) == service.DEFAULT_REMINDERS
    await service.toggle_audience(session, notice, "groups")
    await service.toggle_audience(session, notice, "staff")
    await service.toggle_audience(session, notice, "group", "-100")
    await service.toggle_audience(session, notice, "group", "-200")
    await service.toggle_audience(session, notice, "group", "-100")
    assert notice.audience == {"groups": [], "group": ["-200"]}
    await service.set_options(session, notice, needs_ack=False, pin=True, reminders=(0, 0))
    stored = await service.get_notice(session, notice.id)
    assert (stored.needs_ack, stored.pin, stored.remind_times) == (False, True, 0)
    assert service.next_reminder_preset((120, 2)) == (240, 1)
    assert service.next_reminder_preset((1440, 1)) == (0, 0)
    assert service.next_reminder_preset((7, 7)) == (0, 0)


async def test_confirm_creates_one_campaign_with_the_ack_button(session: AsyncSession) -> None:
    boss, _ = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    await service.toggle_audience(session, notice, "groups")
    registry = default_registry()
    campaign = await service.confirm(session, notice, registry, ack_label="收到", creator_telegram_id=1)
    assert isinstance(campaign, Campaign)
    again = await service.confirm(session, notice, registry, ack_label="收到", creator_telegram_id=1)
    assert again == service.ConfirmError.NOT_DRAFT
    assert (await session.exec(select(Campaign))).all() == [campaign]

    rows = await delivery.list_deliveries(session, campaign.id)
    assert [r.chat_id for r in rows] == [2, 10, 11, 12, -100, -200], "the sender does not get a copy"
    payload = Payload.from_dict(campaign.payload)
    assert payload.text == TEXT.text and not payload.buttons_in_groups
    assert payload.buttons[0][0].callback_data == Ack(notice.id).pack()
    assert (campaign.kind, campaign.ref, campaign.created_by_id) == ("notice", f"notice:{notice.id}", boss.id)
    stored = await service.get_notice(session, notice.id)
    assert stored.state == NoticeState.CONFIRMED and stored.campaign_id == campaign.id
    assert timedelta(minutes=119) < stored.next_reminder_at - utcnow() <= timedelta(minutes=120)


async def test_confirm_refuses_empty_audiences_and_bad_times(session: AsyncSession) -> None:
    boss, _ = await world(session)
    registry = default_registry()
    notice = await service.create_draft(session, boss, TEXT)
    await service.toggle_audience(session, notice, "staff")
    result = await service.confirm(session, notice, registry, ack_label="收到", creator_telegram_id=1)
    assert result == service.ConfirmError.NO_RECIPIENTS
    await service.toggle_audience(session, notice, "admins")
    await service.set_options(session, notice, send_at=utcnow() - timedelta(hours=1))
    result = await service.confirm(session, notice, registry, ack_label="收到", creator_telegram_id=1)
    assert result == service.ConfirmError.IN_THE_PAST
    await service.set_options(session, notice, send_at=utcnow() + timedelta(days=90))
    result = await service.confirm(session, notice, registry, ack_label="收到", creator_telegram_id=1)
    assert result == service.ConfirmError.TOO_FAR
    assert (await service.get_notice(session, notice.id)).state == NoticeState.DRAFT
    assert await service.discard(session, notice)
    assert not await service.discard(session, notice)


async def test_scheduled_notice_waits_and_reminds_after_its_time(session: AsyncSession) -> None:
    boss, _ = await world(session)
    at = utcnow() + timedelta(hours=3)
    notice = await service.create_draft(session, boss, TEXT)
    await service.set_options(session, notice, send_at=at, reminders=(30, 2))
    campaign = await service.confirm(
        session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    assert campaign.send_after == at
    assert await delivery.due_work(session) == []
    assert (await service.get_notice(session, notice.id)).next_reminder_at == at + timedelta(minutes=30)


async def test_acknowledgements_and_who_is_missing(session: AsyncSession) -> None:
    boss, staff = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    campaign = await service.confirm(
        session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    await deliver(session, campaign.id)
    assert [n.id for n in await service.unacknowledged_for(session, staff[1])] == [notice.id]

    assert await service.acknowledge(session, notice.id, staff[1]) == service.AckOutcome.RECORDED
    assert await service.acknowledge(session, notice.id, staff[1]) == service.AckOutcome.ALREADY
    assert await service.acknowledge(session, 999, staff[1]) == service.AckOutcome.UNKNOWN
    assert await service.unacknowledged_for(session, staff[1]) == []

    status = await service.ack_status(session, notice)
    assert [p.telegram_id for p, _ in status.acknowledged] == [10]
    assert sorted(p.telegram_id for p in status.missing) == [2, 11, 12]
    assert status.expected == 4
    assert await service.ack_counts(session, [notice.id]) == {notice.id: service.AckCount(1, 4)}


async def test_only_those_a_private_copy_reached_can_acknowledge(session: AsyncSession) -> None:
    boss, (other_admin, *staff) = await world(session)
    seeker = (await session.exec(select(Person).where(Person.telegram_id == 99))).one()
    villager = await person(session, 500, Role.SEEKER, "村民")
    notice = await service.create_draft(session, boss, TEXT)
    await service.toggle_audience(session, notice, "groups")
    await service.confirm(session, notice, default_registry(), ack_label="收到", creator_telegram_id=1)
    for work in await delivery.due_work(session, limit=100):
        await delivery.claim(session, work)
        if work.chat_id == staff[2].telegram_id:
            await delivery.mark_blocked(session, work, "Forbidden: bot was blocked by the user")
        else:
            await delivery.mark_sent(session, work, 1000 + work.delivery_id)

    for outsider in (seeker, villager, staff[2]):
        assert await service.acknowledge(session, notice.id, outsider) == service.AckOutcome.NOT_RECEIVED
    assert (await session.exec(select(NoticeAck))).all() == [], "a refused press records nothing"
    assert await service.acknowledge(session, notice.id, staff[0]) == service.AckOutcome.RECORDED
    assert await service.acknowledge(session, notice.id, other_admin) == service.AckOutcome.RECORDED
    # An acknowledgement by someone it never reached (written before this check existed) is not counted.
    session.add(NoticeAck(notice_id=notice.id, person_id=seeker.id))
    await session.commit()

    status = await service.ack_status(session, notice)
    assert sorted(p.telegram_id for p, _ in status.acknowledged) == [2, 10]
    assert [p.telegram_id for p in status.missing] == [11], "not the groups, not the blocked one"
    assert status.expected == 3
    assert await service.ack_counts(session, [notice.id]) == {notice.id: service.AckCount(2, 3)}
    assert await service.unacknowledged_for(session, seeker) == []
    assert await service.unacknowledged_for(session, staff[2]) == []
    reminder = await service.send_reminder(session, notice, text="请确认", ack_label="收到", scheduled=False)
    assert [r.chat_id for r in await delivery.list_deliveries(session, reminder.id)] == [11]


async def test_acknowledging_what_needs_no_acknowledgement_or_was_stopped(session: AsyncSession) -> None:
    boss, staff = await world(session)
    quiet = await service.create_draft(session, boss, TEXT)
    await service.set_options(session, quiet, needs_ack=False)
    campaign = await service.confirm(
        session, quiet, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    await deliver(session, campaign.id)
    assert await service.acknowledge(session, quiet.id, staff[1]) == service.AckOutcome.NOT_NEEDED
    assert await service.unacknowledged_for(session, staff[1]) == []

    later = await service.create_draft(session, boss, Payload(text="下周的通知"))
    await service.set_options(session, later, send_at=utcnow() + timedelta(hours=3))
    await service.confirm(session, later, default_registry(), ack_label="收到", creator_telegram_id=1)
    assert await service.acknowledge(session, later.id, staff[1]) == service.AckOutcome.NOT_RECEIVED

    stopped = await service.create_draft(session, boss, Payload(text="取消的通知"))
    campaign = await service.confirm(
        session, stopped, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    await deliver(session, campaign.id)
    await service.cancel(session, stopped, by_id=boss.id)
    assert await service.acknowledge(session, stopped.id, staff[1]) == service.AckOutcome.STOPPED

    draft = await service.create_draft(session, boss, Payload(text="草稿"))
    assert await service.acknowledge(session, draft.id, staff[1]) == service.AckOutcome.UNKNOWN
    assert (await session.exec(select(NoticeAck))).all() == []
    counts = await service.ack_counts(session, [quiet.id, later.id, stopped.id, draft.id])
    assert counts == {
        quiet.id: service.AckCount(0, 4),
        later.id: service.AckCount(0, 0),
        stopped.id: service.AckCount(0, 4),
        draft.id: service.AckCount(0, 0),
    }


async def test_reminders_go_only_to_those_who_have_not_acknowledged(session: AsyncSession) -> None:
    boss, staff = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    await service.set_options(session, notice, reminders=(30, 2))
    campaign = await service.confirm(
        session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    await deliver(session, campaign.id)
    await service.acknowledge(session, notice.id, staff[0])
    await service.acknowledge(session, notice.id, staff[2])

    assert await service.due_reminders(session) == []
    later = utcnow() + timedelta(minutes=31)
    (due,) = await service.due_reminders(session, now=later)
    reminder = await service.send_reminder(session, due, text="请确认", ack_label="收到", now=later)
    rows = await delivery.list_deliveries(session, reminder.id)
    assert sorted(r.chat_id for r in rows) == [10, 12]
    payload = Payload.from_dict(reminder.payload)
    assert (
        payload.reply_to_campaign == campaign.id
        and payload.buttons[0][0].callback_data == Ack(notice.id).pack()
    )
    stored = await service.get_notice(session, notice.id)
    assert stored.reminders_sent == 1 and stored.next_reminder_at == later + timedelta(minutes=30)

    await service.acknowledge(session, notice.id, staff[1])
    last = later + timedelta(minutes=31)
    (due,) = await service.due_reminders(session, now=last)
    second = await service.send_reminder(session, due, text="请确认", ack_label="收到", now=last)
    assert [r.chat_id for r in await delivery.list_deliveries(session, second.id)] == [12]
    stored = await service.get_notice(session, notice.id)
    assert stored.reminders_sent == 2 and stored.next_reminder_at is None, "no more than remind_times"
    assert await service.due_reminders(session, now=last + timedelta(days=1)) == []
    assert len(await service.reminders_of(session, notice)) == 2


async def test_no_reminder_when_everyone_acknowledged(session: AsyncSession) -> None:
    boss, staff = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    await service.toggle_audience(session, notice, "staff")
    await service.toggle_audience(session, notice, "admins")
    campaign = await service.confirm(
        session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    await deliver(session, campaign.id)
    await service.acknowledge(session, notice.id, staff[0])
    later = utcnow() + timedelta(hours=3)
    (due,) = await service.due_reminders(session, now=later)
    assert await service.send_reminder(session, due, text="请确认", ack_label="收到", now=later) is None
    assert (await service.get_notice(session, notice.id)).next_reminder_at is None


async def test_cancel_stops_sending_and_reminders(session: AsyncSession) -> None:
    boss, staff = await world(session)
    notice = await service.create_draft(session, boss, TEXT)
    campaign = await service.confirm(
        session, notice, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    first = (await delivery.due_work(session))[0]
    await delivery.claim(session, first)
    await delivery.mark_sent(session, first, 5)
    assert await service.cancel(session, notice, by_id=boss.id) == 3
    assert await service.cancel(session, notice) is None
    stored = await service.get_notice(session, notice.id)
    assert stored.next_reminder_at is None
    rows = (await session.exec(select(Delivery).where(Delivery.campaign_id == campaign.id))).all()
    assert sorted(r.state for r in rows) == ["cancelled", "cancelled", "cancelled", "sent"]
    assert await service.unacknowledged_for(session, staff[0]) == []


async def test_notice_list_and_lookup_by_campaign(session: AsyncSession) -> None:
    boss, _ = await world(session)
    first = await service.create_draft(session, boss, TEXT)
    await service.confirm(session, first, default_registry(), ack_label="收到", creator_telegram_id=1)
    await service.create_draft(session, boss, Payload(text="草稿"))
    second = await service.create_draft(session, boss, Payload(text="第二条"))
    campaign = await service.confirm(
        session, second, default_registry(), ack_label="收到", creator_telegram_id=1
    )
    assert [n.id for n in await service.list_notices(session)] == [second.id, first.id]
    assert await service.count_notices(session) == 2
    assert (await service.notice_for_campaign(session, campaign)).id == second.id


def test_send_times_typed_by_admins() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 29, 10, 0, tzinfo=tz).astimezone(UTC)

    def parse(text: str) -> str | None:
        moment = service.parse_send_time(text, now=now, tz=tz)
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None

    assert parse("18:30") == "2026-11-29 18:30"
    assert parse("9:00") == "2026-11-30 09:00", "a time already past today means tomorrow"
    assert parse("明天 9:00") == "2026-11-30 09:00"
    assert parse("明天9点") == "2026-11-30 09:00"
    assert parse("tomorrow 07：45") == "2026-11-30 07:45"
    assert parse("12-01 09:00") == "2026-12-01 09:00"
    assert parse("2027-01-05 8:15") == "2027-01-05 08:15"
    assert parse("1月3日 8:00") == "2027-01-03 08:00", "a date already past this year means next year"
    for bad in ("", "soon", "25:00", "13-45 10:00", "10:61"):
        assert parse(bad) is None, bad
    assert service.check_send_at(now - timedelta(minutes=5), now) == service.ConfirmError.IN_THE_PAST
    assert service.check_send_at(now + timedelta(days=61), now) == service.ConfirmError.TOO_FAR
    assert service.check_send_at(now + timedelta(hours=1), now) is None
