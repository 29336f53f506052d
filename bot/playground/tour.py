"""The guided tour: a demo station, seeded the way it would come about — through the services, and through the
chats where a person would act — so every capability has something to show within five minutes.

* the admin opens the bot; the two employees become staff through invite links they open (welcome, staff
  menu, training enrolment, as for anyone);
* two shifts, 早班 and 晚班, every day (public holidays too), with both employees on 早班 from today and
  马晓梅 on 晚班 as well;
* a posting published and announced in both village groups through the outbox, as the publish button does;
* two applicants (not in the cast, so 韩冬 can still apply himself), the admins alerted;
* a notice to all staff through the outbox, acknowledged by 李娜 with its button.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot import clock
from bot.attendance import service as attendance
from bot.attendance.schedule import ShiftDraft, local_date, parse_shift
from bot.delivery.payload import Payload
from bot.i18n import gettext_for
from bot.jobs import outbox as job_outbox
from bot.jobs import service as jobs
from bot.notices import service as notices
from bot.notices.buttons import ACK_LABEL
from bot.people import service as people
from bot.people.models import Person, Role
from bot.playground import cast
from bot.playground.botapi import FakeBotAPI

if TYPE_CHECKING:
    from bot.context import BotApplication
    from bot.playground.core import Playground

log = logging.getLogger(__name__)

EMPLOYEES = (2001, 2002)
SHIFTS = {"早班": "早班 09:00 17:30 holidays", "晚班": "晚班 13:00 21:30 holidays"}
ROSTER = {2001: ("早班",), 2002: ("早班", "晚班")}
APPLICANTS = (
    (3101, "祁小燕", "13909721356", "三合村", "下个月起，白天都可以"),
    (3102, "马建国", "15597213378", "古城村", "周一到周五"),
)
POSTING = jobs.PostingDraft(
    title="跨境电商售后客服",
    description="在星站用电脑回复海外买家的售后消息：查物流、办退货退款、安抚情绪。有培训，会打字就能学。",
    headcount=5,
    pay="3000–4000 元/月",
    hours="早班 9:00–17:30 或 晚班 13:00–21:30，做六休一",
    location="平安区服务星站",
    requirements="18 岁以上，会用手机和电脑打字",
)
NOTICE = (
    "📢 本周五下午 4 点在星站二楼开会，讲新的退货流程和双十二排班。请准时参加，不能来的提前用 /leave 请假。"
)
POSTING_DAYS = 14
CLICK_SECONDS = 10.0


async def seed(playground: Playground) -> None:
    """Seed the demo station (on a playground that may already hold some of it: nothing is made twice)."""
    api, application = playground.require_running()
    if not api.chat_history(cast.ADMIN.id):
        # The admin opens the bot first: until then it cannot write to him (applicants, the summary).
        await api.send_text(playground.users[cast.ADMIN.id], "/start")
        await playground.settle()
    async with application.bot_data.db() as session:
        admin = await people.get_person(session, cast.ADMIN.id)
    assert admin is not None, "the bot records whoever writes to it"
    await _make_staff(playground, api, application, admin)
    await _roster(application)
    await _posting(application, admin)
    await playground.settle()
    await _notice(playground, api, application, admin)
    await playground.settle()


async def _make_staff(
    playground: Playground, api: FakeBotAPI, application: BotApplication, admin: Person
) -> None:
    ttl = timedelta(hours=application.bot_data.settings.invite_ttl_hours)
    for user_id in EMPLOYEES:
        async with application.bot_data.db() as session:
            person = await people.get_person(session, user_id)
            if person is not None and person.is_staff:
                continue
            invite = await people.create_invite(session, admin, ttl=ttl, note=cast.BY_ID[user_id].name)
        await api.send_text(playground.users[user_id], f"/start {invite.code}")
        await playground.settle()


def _shift_draft(definition: str) -> ShiftDraft:
    draft = parse_shift(definition.split())
    assert isinstance(draft, ShiftDraft), draft
    return draft


async def _roster(application: BotApplication) -> None:
    tz = application.bot_data.settings.tz
    today = local_date(clock.utcnow(), tz)
    async with application.bot_data.db() as session:
        shifts = {
            name: (await attendance.save_shift(session, _shift_draft(text)))[0]
            for name, text in SHIFTS.items()
        }
        for user_id, names in ROSTER.items():
            person = await people.get_person(session, user_id)
            assert person is not None, "staff by now"
            for name in names:
                await attendance.assign(session, shifts[name], person, today)


async def _posting(application: BotApplication, admin: Person) -> None:
    data = application.bot_data
    settings = data.settings
    async with data.db() as session:
        existing, _count = await jobs.all_postings(session, limit=100)
        if any(p.title == POSTING.title for p in existing):
            return
        today = local_date(clock.utcnow(), settings.tz)
        closes_at = jobs.closing_moment(today + timedelta(days=POSTING_DAYS), settings.tz)
        draft = dataclasses.replace(POSTING, closes_at=closes_at)
        posting = await jobs.create_posting(session, admin, draft)
        await jobs.publish(session, posting)
        groups = await jobs.village_groups(session)
        await job_outbox.announce(
            session,
            posting,
            groups,
            bot_username=application.bot.username,
            language=settings.default_language,
            tz=settings.tz,
            created_by_id=admin.id,
        )
        await job_outbox.alert_subscribers(
            session,
            posting,
            [g.village for g in groups if g.village],
            default_language=settings.default_language,
            tz=settings.tz,
            created_by_id=admin.id,
        )
        assert posting.id is not None
        await _applicants(application, posting.id)
    data.sender.wake()


async def _applicants(application: BotApplication, posting_id: int) -> None:
    data = application.bot_data
    for telegram_id, name, phone, village, availability in APPLICANTS:
        async with data.alert_lock(job_outbox.ALERT_KIND), data.db() as session:
            person = await people.record_person(
                session, people.Profile(telegram_id, name, None, None, "zh-hans")
            )
            form = jobs.ApplicationForm(name=name, phone=phone, village=village, availability=availability)
            result = await jobs.submit_application(session, posting_id, person, form)
            if result.application is None or result.outcome != jobs.SubmitOutcome.CREATED:
                continue
            await job_outbox.alert_admins(
                session,
                result.application,
                updated=False,
                admins=await people.list_people(session, [Role.ADMIN]),
                default_language=data.settings.default_language,
            )


async def _notice(
    playground: Playground, api: FakeBotAPI, application: BotApplication, admin: Person
) -> None:
    data = application.bot_data
    async with data.db() as session:
        if await notices.count_notices(session):
            return
        notice = await notices.create_draft(session, admin, Payload(text=NOTICE))
        campaign = await notices.confirm(
            session,
            notice,
            data.notice_audiences,
            ack_label=gettext_for(data.settings.default_language)(ACK_LABEL),
            creator_telegram_id=cast.ADMIN.id,
        )
    if isinstance(campaign, notices.ConfirmError):
        return
    data.sender.wake()
    label = gettext_for(data.settings.default_language)(ACK_LABEL)
    reader = playground.users[EMPLOYEES[0]]
    with contextlib.suppress(AssertionError):
        await api.wait_until(
            lambda: _ack_button(api, reader.id, label) is not None,
            timeout=CLICK_SECONDS,
            message="the notice",
        )
    found = _ack_button(api, reader.id, label)
    if found is None:
        log.warning("the tour's notice did not reach %s in time: nobody acknowledged it", reader.first_name)
        return
    message, callback_data = found
    await api.press_button(reader, message, callback_data)


def _ack_button(api: FakeBotAPI, chat_id: int, label: str) -> tuple[dict[str, Any], str] | None:
    """The notice in a private chat and the callback data of its acknowledgement button, while it has one."""
    for message in reversed(api.sent_messages(chat_id)):
        if NOTICE[:12] not in str(message.get("text", "")):
            continue
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label and "callback_data" in button:
                    return message, button["callback_data"]
    return None
