"""People, roles, staff invites and village groups: domain logic, no Telegram."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.people.models import GroupChat, Invite, Person, Role

INVITE_PREFIX = "inv_"
LAST_SEEN_PRECISION = timedelta(minutes=10)
VILLAGE_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Profile:
    """What Telegram tells us about a user on every update."""

    telegram_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


async def record_person(
    session: AsyncSession, profile: Profile, *, admin_ids: Iterable[int] = (), now: datetime | None = None
) -> Person:
    """Create or refresh the person behind ``profile``; configured admin ids are made admins."""
    now = now or utcnow()
    admin = profile.telegram_id in set(admin_ids)
    person = await get_person(session, profile.telegram_id)
    if person is None:
        person = Person(telegram_id=profile.telegram_id, created_at=now)
    elif is_unchanged(person, profile, admin) and now - person.last_seen_at < LAST_SEEN_PRECISION:
        return person  # nothing new to write: most updates end here, without a write
    person.first_name = (profile.first_name or "")[:128]
    person.last_name = profile.last_name[:128] if profile.last_name else None
    person.username = profile.username
    person.telegram_language = profile.language_code
    person.last_seen_at = now
    if admin:
        person.role = Role.ADMIN
    session.add(person)
    await session.commit()
    return person


def is_unchanged(person: Person, profile: Profile, admin: bool) -> bool:
    """Whether ``person`` already says what ``profile`` says (and is an admin if configured as one)."""
    return (
        person.first_name == (profile.first_name or "")[:128]
        and person.last_name == (profile.last_name[:128] if profile.last_name else None)
        and person.username == profile.username
        and person.telegram_language == profile.language_code
        and (person.role == Role.ADMIN or not admin)
    )


async def get_person(session: AsyncSession, telegram_id: int) -> Person | None:
    """The person with this Telegram id, if they ever wrote to the bot."""
    result = await session.exec(select(Person).where(Person.telegram_id == telegram_id))
    return result.first()


async def find_person(session: AsyncSession, reference: str) -> Person | None:
    """Find a person by Telegram id or ``@username``."""
    reference = reference.strip()
    if reference.lstrip("-").isdigit():
        return await get_person(session, int(reference))
    username = reference.removeprefix("@")
    if not username:
        return None
    result = await session.exec(select(Person).where(func.lower(Person.username) == username.lower()))
    return result.first()


async def set_language(session: AsyncSession, person: Person, language: str) -> Person:
    """Remember the interface language a person chose."""
    person.language = language
    session.add(person)
    await session.commit()
    return person


# --- roles -----------------------------------------------------------------------------------


class RoleChange(StrEnum):
    """Outcome of a role change asked for by an admin."""

    DONE = "done"
    UNCHANGED = "unchanged"
    PROTECTED = "protected"  # configured admins cannot be demoted from the chat
    SELF = "self"  # an admin cannot demote or remove themselves


async def change_role(
    session: AsyncSession, person: Person, role: Role, *, acting: Person, admin_ids: Iterable[int] = ()
) -> RoleChange:
    """Give ``person`` a new role on behalf of the admin ``acting``."""
    if person.role == role:
        return RoleChange.UNCHANGED
    if person.id == acting.id and role != Role.ADMIN:
        return RoleChange.SELF
    if person.telegram_id in set(admin_ids) and role != Role.ADMIN:
        return RoleChange.PROTECTED
    person.role = role
    session.add(person)
    await session.commit()
    return RoleChange.DONE


async def list_people(session: AsyncSession, roles: Sequence[Role]) -> list[Person]:
    """People holding one of ``roles``, admins first, then by name."""
    result = await session.exec(
        select(Person).where(col(Person.role).in_(list(roles))).order_by(Person.role, Person.first_name)
    )
    return list(result.all())


async def count_by_role(session: AsyncSession) -> dict[str, int]:
    """How many people hold each role."""
    result = await session.exec(select(Person.role, func.count()).group_by(Person.role))
    return {role: count for role, count in result.all()}


# --- invites ---------------------------------------------------------------------------------


BecameStaff = Callable[[AsyncSession, Person, datetime], Awaitable[None]]
"""Told that someone became staff, inside the transaction that made them staff (before it commits): other
capabilities react without people knowing them (training enrols new staff). It must not commit."""


class InviteOutcome(StrEnum):
    """Why an invite did or did not make someone staff."""

    JOINED = "joined"
    ALREADY_STAFF = "already_staff"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


async def create_invite(
    session: AsyncSession,
    created_by: Person,
    *,
    ttl: timedelta,
    note: str | None = None,
    now: datetime | None = None,
) -> Invite:
    """A new one-time staff invite that expires after ``ttl``."""
    now = now or utcnow()
    invite = Invite(
        code=INVITE_PREFIX + secrets.token_urlsafe(12),
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + ttl,
        note=(note or None) and note[:200],
    )
    session.add(invite)
    await session.commit()
    return invite


def is_invite_code(payload: str) -> bool:
    """Whether a ``/start`` payload looks like a staff invite."""
    return payload.startswith(INVITE_PREFIX)


async def redeem_invite(
    session: AsyncSession,
    code: str,
    person: Person,
    *,
    now: datetime | None = None,
    became_staff: Sequence[BecameStaff] = (),
) -> InviteOutcome:
    """Use an invite: makes ``person`` staff once, refuses used, expired and unknown codes. Each of
    ``became_staff`` is told in the same transaction, so what it does is committed with the new role."""
    now = now or utcnow()
    result = await session.exec(select(Invite).where(Invite.code == code).with_for_update())
    invite = result.first()
    if invite is None:
        return InviteOutcome.UNKNOWN
    if invite.used_at is not None:
        return InviteOutcome.USED
    if invite.expires_at <= now:
        return InviteOutcome.EXPIRED
    if person.is_staff:
        return InviteOutcome.ALREADY_STAFF
    invite.used_at = now
    invite.used_by_id = person.id
    person.role = Role.STAFF
    session.add_all([invite, person])
    for observer in became_staff:
        await observer(session, person, now)
    await session.commit()
    return InviteOutcome.JOINED


# --- groups ----------------------------------------------------------------------------------


async def get_group(session: AsyncSession, chat_id: int) -> GroupChat | None:
    """The group with this chat id, if the bot was ever in it."""
    result = await session.exec(select(GroupChat).where(GroupChat.chat_id == chat_id))
    return result.first()


async def record_group(
    session: AsyncSession,
    chat_id: int,
    *,
    title: str,
    chat_type: str,
    active: bool,
    by_telegram_id: int | None = None,
    now: datetime | None = None,
) -> GroupChat:
    """Record that the bot joined (``active``) or left a group."""
    now = now or utcnow()
    group = await get_group(session, chat_id)
    if group is None:
        group = GroupChat(chat_id=chat_id, joined_at=now, added_by_telegram_id=by_telegram_id)
    elif active and not group.active:
        group.joined_at = now
        group.added_by_telegram_id = by_telegram_id or group.added_by_telegram_id
    group.title = (title or "")[:255]
    group.chat_type = chat_type
    group.active = active
    group.left_at = None if active else now
    session.add(group)
    await session.commit()
    return group


class VillageError(StrEnum):
    """Why a village name was refused."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


def clean_village_name(raw: str) -> str | VillageError:
    """Validate a village name typed by an admin."""
    name = " ".join(raw.split())
    if not name:
        return VillageError.EMPTY
    if len(name) > VILLAGE_MAX_LENGTH:
        return VillageError.TOO_LONG
    return name


async def bind_village(
    session: AsyncSession, chat_id: int, village: str, *, title: str, chat_type: str
) -> GroupChat:
    """Bind a group to a village (recording the group if the join was missed)."""
    group = await get_group(session, chat_id)
    if group is None:
        group = GroupChat(chat_id=chat_id, title=title[:255], chat_type=chat_type)
    group.village = village
    group.active = True
    group.left_at = None
    session.add(group)
    await session.commit()
    return group


async def list_groups(session: AsyncSession, *, active_only: bool = False) -> list[GroupChat]:
    """Groups, active ones first, then by village and title."""
    query = select(GroupChat)
    if active_only:
        query = query.where(GroupChat.active)
    result = await session.exec(
        query.order_by(
            col(GroupChat.active).desc(), col(GroupChat.village).is_(None), GroupChat.village, GroupChat.title
        )
    )
    return list(result.all())


async def migrate_group(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> GroupChat | None:
    """Follow a group that Telegram upgraded to a supergroup with a new id."""
    group = await get_group(session, old_chat_id)
    if group is None:
        return None
    existing = await get_group(session, new_chat_id)
    if existing is not None and existing.id != group.id:
        existing.village = existing.village or group.village
        await session.delete(group)
        group = existing
    group.chat_id = new_chat_id
    group.chat_type = "supergroup"
    group.active = True
    session.add(group)
    await session.commit()
    return group
