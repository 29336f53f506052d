"""People, roles, invites and groups, on the database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.people import service
from bot.people.models import GroupChat, Invite, Person, Role


def profile(telegram_id: int = 1001, **fields: str) -> service.Profile:
    return service.Profile(
        telegram_id, fields.get("first_name", "小李"), None, fields.get("username"), "zh-hans"
    )


async def test_record_person_creates_then_refreshes(session: AsyncSession) -> None:
    first = await service.record_person(session, profile(username="li"))
    again = await service.record_person(session, profile(first_name="李华", username="lihua"))
    assert first.id == again.id
    rows = (await session.exec(select(Person))).all()
    assert [(p.telegram_id, p.first_name, p.username, p.role) for p in rows] == [
        (1001, "李华", "lihua", "seeker")
    ]


async def test_configured_admin_ids_are_admins(session: AsyncSession) -> None:
    person = await service.record_person(session, profile(42), admin_ids={42})
    assert person.role == Role.ADMIN


async def test_invite_is_one_time(session: AsyncSession) -> None:
    admin = await service.record_person(session, profile(1), admin_ids={1})
    newcomer = await service.record_person(session, profile(2))
    other = await service.record_person(session, profile(3))
    invite = await service.create_invite(session, admin, ttl=timedelta(hours=1))
    assert invite.code.startswith("inv_") and service.is_invite_code(invite.code)

    assert await service.redeem_invite(session, invite.code, newcomer) == service.InviteOutcome.JOINED
    assert newcomer.role == Role.STAFF
    assert await service.redeem_invite(session, invite.code, other) == service.InviteOutcome.USED
    assert other.role == Role.SEEKER
    stored = (await session.exec(select(Invite))).one()
    assert stored.used_by_id == newcomer.id and stored.used_at is not None


async def test_expired_and_unknown_invites_are_refused(session: AsyncSession) -> None:
    admin = await service.record_person(session, profile(1), admin_ids={1})
    seeker = await service.record_person(session, profile(2))
    past = utcnow() - timedelta(days=5)
    invite = await service.create_invite(session, admin, ttl=timedelta(hours=1), now=past)
    assert await service.redeem_invite(session, invite.code, seeker) == service.InviteOutcome.EXPIRED
    assert await service.redeem_invite(session, "inv_nope", seeker) == service.InviteOutcome.UNKNOWN
    assert seeker.role == Role.SEEKER


async def test_timestamps_come_back_aware_utc(session: AsyncSession) -> None:
    admin = await service.record_person(session, profile(1), admin_ids={1})
    invite = await service.create_invite(session, admin, ttl=timedelta(hours=2))
    session.expunge_all()
    stored = (await session.exec(select(Invite))).one()
    assert stored.expires_at.tzinfo is not None
    assert timedelta(hours=1, minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=2)
    assert stored.expires_at == invite.expires_at


async def test_role_changes_guard_self_and_configured_admins(session: AsyncSession) -> None:
    boss = await service.record_person(session, profile(1), admin_ids={1})
    other_admin = await service.record_person(session, profile(2))
    worker = await service.record_person(session, profile(3))
    await service.change_role(session, other_admin, Role.ADMIN, acting=boss)
    assert await service.change_role(session, worker, Role.STAFF, acting=boss) == service.RoleChange.DONE
    assert await service.change_role(session, worker, Role.STAFF, acting=boss) == service.RoleChange.UNCHANGED
    assert (
        await service.change_role(session, other_admin, Role.STAFF, acting=other_admin)
        == service.RoleChange.SELF
    )
    assert (
        await service.change_role(session, boss, Role.STAFF, acting=other_admin, admin_ids={1})
        == service.RoleChange.PROTECTED
    )
    staff = await service.list_people(session, [Role.ADMIN, Role.STAFF])
    assert [p.telegram_id for p in staff] == [1, 2, 3]
    assert await service.change_role(session, worker, Role.SEEKER, acting=boss) == service.RoleChange.DONE
    assert await service.count_by_role(session) == {"admin": 2, "seeker": 1}


async def test_find_person_by_id_or_username(session: AsyncSession) -> None:
    await service.record_person(session, profile(7, username="XiaoLi"))
    assert (await service.find_person(session, "@xiaoli")).telegram_id == 7
    assert (await service.find_person(session, "7")).telegram_id == 7
    assert await service.find_person(session, "@nobody") is None
    assert await service.find_person(session, "@") is None


async def test_group_lifecycle(session: AsyncSession) -> None:
    group = await service.record_group(
        session, -100, title="三合村群", chat_type="group", active=True, by_telegram_id=1
    )
    assert group.active and group.village is None
    bound = await service.bind_village(session, -100, "三合村", title="三合村群", chat_type="group")
    assert bound.id == group.id and bound.village == "三合村"
    left = await service.record_group(session, -100, title="三合村群", chat_type="group", active=False)
    assert not left.active and left.left_at is not None
    moved = await service.migrate_group(session, -100, -100200)
    assert moved is not None and moved.chat_id == -100200 and moved.village == "三合村"
    groups = await service.list_groups(session)
    assert [(g.chat_id, g.village) for g in groups] == [(-100200, "三合村")]
    assert len((await session.exec(select(GroupChat))).all()) == 1


def test_village_names_are_validated() -> None:
    assert service.clean_village_name("  三合村  ") == "三合村"
    assert service.clean_village_name("   ") == service.VillageError.EMPTY
    assert service.clean_village_name("村" * 65) == service.VillageError.TOO_LONG


async def test_unchanged_profile_is_not_rewritten_within_ten_minutes(session: AsyncSession) -> None:
    start = utcnow()
    first = await service.record_person(session, profile(9), now=start)
    again = await service.record_person(session, profile(9), now=start + timedelta(minutes=5))
    assert again.last_seen_at == start
    later = await service.record_person(session, profile(9), now=start + timedelta(minutes=11))
    assert later.last_seen_at == start + timedelta(minutes=11)
    renamed = await service.record_person(
        session, profile(9, first_name="小梅"), now=start + timedelta(minutes=12)
    )
    assert renamed.first_name == "小梅" and renamed.id == first.id
