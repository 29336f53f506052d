"""What the jobs capability puts in the delivery outbox: announcements, their edits, alerts, notices."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, Delivery, DeliveryState
from bot.delivery.payload import Payload
from bot.jobs import outbox, service
from bot.jobs.buttons import ApplicantCard, Applicants, ViewPosting
from bot.jobs.models import ApplicationStatus, PostingState
from bot.people.models import Invite, Role
from tests.unit.jobs.conftest import World, form, open_posting, person

TZ = ZoneInfo("Asia/Shanghai")
BOT = "xingzhan_bot"


async def _send(session: AsyncSession, campaign_id: int, chats: set[int] | None = None) -> None:
    """Act as the sender: rows of the campaign (optionally only some chats) are sent."""
    for work in await delivery.due_work(session, limit=1000):
        mine = work.campaign_id == campaign_id and work.state == DeliveryState.PENDING
        if mine and (chats is None or work.chat_id in chats):
            await delivery.claim(session, work)
            await delivery.mark_sent(session, work, 5000 + work.delivery_id)


async def _announce(session: AsyncSession, world: World, posting, groups=None) -> Campaign | None:  # type: ignore[no-untyped-def]
    return await outbox.announce(
        session,
        posting,
        world.groups if groups is None else groups,
        bot_username=BOT,
        language="zh_CN",
        tz=TZ,
        created_by_id=world.admin.id,
    )


async def test_the_announcement_goes_to_each_village_group_once_with_the_apply_link(
    session: AsyncSession, world: World
) -> None:
    posting = await open_posting(session, world.admin)
    campaign = await _announce(session, world, posting, world.groups[:2])
    assert (
        campaign is not None and campaign.kind == outbox.ANNOUNCE_KIND and campaign.ref == f"job:{posting.id}"
    )
    payload = Payload.from_dict(campaign.payload)
    assert payload.parse_mode == "HTML" and "电商客服" in payload.text and "3000-4500元/月" in payload.text
    [[button]] = payload.buttons
    assert button.text == "✍️ 我要报名" and button.url == f"https://t.me/{BOT}?start=job_{posting.id}"
    rows = await delivery.list_deliveries(session, campaign.id)
    assert [(r.chat_id, r.chat_kind, r.label) for r in rows] == [
        (-1001, "group", "三合村"),
        (-1002, "group", "团结村"),
    ]

    # Publishing again reaches only the group that does not have it yet.
    more = await _announce(session, world, posting)
    assert more is not None
    assert [r.chat_id for r in await delivery.list_deliveries(session, more.id)] == [-1003]
    assert await _announce(session, world, posting) is None
    assert await outbox.announced_chats(session, posting.id) == {-1001, -1002, -1003}


async def test_filling_edits_every_sent_copy_and_stops_unsent_ones(
    session: AsyncSession, world: World
) -> None:
    posting = await open_posting(session, world.admin)
    campaign = await _announce(session, world, posting)
    assert campaign is not None
    await _send(session, campaign.id, {-1001, -1002})  # the third is still waiting
    await service.change_state(session, posting, PostingState.FILLED)
    edited = await outbox.refresh_announcements(session, posting, bot_username=BOT, language="zh_CN", tz=TZ)
    assert edited == 2
    fresh = await session.get(Campaign, campaign.id, populate_existing=True)
    assert fresh.state == CampaignState.CANCELLED and fresh.version == 2
    payload = Payload.from_dict(fresh.payload)
    assert "已招满" in payload.text and payload.buttons == ()
    rows = {r.chat_id: r for r in await delivery.list_deliveries(session, campaign.id)}
    assert rows[-1003].state == DeliveryState.CANCELLED
    assert rows[-1001].followup and rows[-1002].followup
    due = [w for w in await delivery.due_work(session) if w.campaign_id == campaign.id]
    assert {w.chat_id for w in due} == {-1001, -1002} and all(w.needs_edit for w in due)
    counts = await outbox.announcement_counts(session, posting.id)
    assert (counts.total, counts.sent, counts.cancelled) == (3, 2, 1)


async def test_closing_and_reopening_show_in_the_copies(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    campaign = await _announce(session, world, posting)
    await _send(session, campaign.id)
    await service.change_state(session, posting, PostingState.CLOSED)
    await outbox.refresh_announcements(session, posting, bot_username=BOT, language="zh_CN", tz=TZ)
    closed = Payload.from_dict((await session.get(Campaign, campaign.id, populate_existing=True)).payload)
    assert "已截止" in closed.text and not closed.buttons
    await service.change_state(session, posting, PostingState.OPEN)
    await outbox.refresh_announcements(session, posting, bot_username=BOT, language="zh_CN", tz=TZ)
    reopened = Payload.from_dict((await session.get(Campaign, campaign.id, populate_existing=True)).payload)
    assert "已截止" not in reopened.text and reopened.buttons


async def test_admin_alerts_are_gathered_when_applications_arrive_together(
    session: AsyncSession, world: World
) -> None:
    second_admin = await person(session, 2, "English boss", Role.ADMIN)
    second_admin.telegram_language = "en"
    session.add(second_admin)
    await session.commit()
    admins = [world.admin, second_admin]
    posting = await open_posting(session, world.admin)
    other = await open_posting(session, world.admin, title="仓库打包")
    now = utcnow()
    applications = []
    for number, seeker in enumerate(world.seekers):
        target = posting if number < 2 else other
        result = await service.submit_application(session, target.id, seeker, form(name=seeker.first_name))
        applications.append(result.application)

    first = await outbox.alert_admins(
        session, applications[0], updated=False, admins=admins, default_language="zh_CN", now=now
    )
    assert [c.send_after for c in first] == [None, None]  # the first goes at once, one campaign per language
    by_language = {c.ref: Payload.from_dict(c.payload) for c in first}
    assert "New application" in by_language["alerts:en"].text
    assert "新报名" in by_language["alerts:zh_CN"].text
    assert "小梅" not in by_language["alerts:zh_CN"].text and "138" not in by_language["alerts:zh_CN"].text
    assert by_language["alerts:zh_CN"].buttons[0][0].callback_data == ApplicantCard(applications[0].id).pack()

    later = now + timedelta(seconds=10)
    second = await outbox.alert_admins(
        session, applications[1], updated=False, admins=admins, default_language="zh_CN", now=later
    )
    assert all(c.send_after == now + outbox.ALERT_WINDOW for c in second)
    third = await outbox.alert_admins(
        session, applications[2], updated=True, admins=admins, default_language="zh_CN", now=later
    )
    assert [c.id for c in third] == [c.id for c in second]  # merged into the waiting digest
    digest = Payload.from_dict((await session.get(Campaign, third[1].id, populate_existing=True)).payload)
    assert digest.text.startswith("📝 2 条新报名")
    assert [b.callback_data for row in digest.buttons for b in row] == [
        Applicants(posting.id).pack(),
        Applicants(other.id).pack(),
    ]
    rows = (await session.exec(select(Delivery).where(Delivery.campaign_id == third[1].id))).all()
    assert [r.chat_id for r in rows] == [1]

    much_later = now + timedelta(minutes=5)
    fourth = await outbox.alert_admins(
        session, applications[0], updated=True, admins=admins, default_language="zh_CN", now=much_later
    )
    assert all(c.send_after is None for c in fourth)


async def test_hiring_sends_a_staff_invite_through_the_outbox(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin, headcount=1)
    seeker = world.seekers[0]
    application = (await service.submit_application(session, posting.id, seeker, form())).application
    result = await service.set_status(session, application, ApplicationStatus.HIRED, by=world.admin)
    invite = await outbox.send_staff_invite(
        session,
        application,
        result.posting,
        world.admin,
        bot_username=BOT,
        ttl=timedelta(hours=72),
        default_language="zh_CN",
        tz=TZ,
    )
    assert invite is not None and invite.created_by_id == world.admin.id
    assert (await session.exec(select(Invite))).all() == [invite]
    [campaign] = await delivery.list_campaigns(session, kind=outbox.NOTICE_KIND)
    payload = Payload.from_dict(campaign.payload)
    assert "恭喜" in payload.text and payload.buttons[0][0].url == f"https://t.me/{BOT}?start={invite.code}"
    assert [r.chat_id for r in await delivery.list_deliveries(session, campaign.id)] == [seeker.telegram_id]

    # Someone already on the staff gets no invite.
    seeker.role = Role.STAFF
    session.add(seeker)
    await session.commit()
    assert (
        await outbox.send_staff_invite(
            session,
            application,
            result.posting,
            world.admin,
            bot_username=BOT,
            ttl=timedelta(hours=1),
            default_language="zh_CN",
            tz=TZ,
        )
        is None
    )


async def test_status_notices_and_subscriber_alerts(session: AsyncSession, world: World) -> None:
    posting = await open_posting(session, world.admin)
    mei, ming, zhuoma = world.seekers
    application = (await service.submit_application(session, posting.id, mei, form())).application
    assert (
        await outbox.notify_status(session, application, posting, default_language="zh_CN") is None
    )  # still new
    await service.set_status(session, application, ApplicationStatus.REJECTED)
    notice = await outbox.notify_status(session, application, posting, default_language="zh_CN")
    assert notice is not None and "/jobs" in Payload.from_dict(notice.payload).text

    await service.subscribe(session, ming, "三合村")
    await service.subscribe(session, zhuoma, "红崖村")
    assert await outbox.alert_subscribers(session, posting, ["三合村"], default_language="zh_CN", tz=TZ) == 1
    [alert] = await delivery.list_campaigns(session, kind=outbox.NOTICE_KIND, ref=f"jobsub:{posting.id}")
    payload = Payload.from_dict(alert.payload)
    assert payload.buttons[0][0].callback_data == ViewPosting(posting.id).pack()
    assert [r.chat_id for r in await delivery.list_deliveries(session, alert.id)] == [ming.telegram_id]
