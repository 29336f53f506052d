"""The playground's people and village groups: fixed ids and Chinese names, registered with the local Bot API
server, and the bot added to the groups by the admin (so it knows them) and bound to their villages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from bot.playground.botapi import FakeBotAPI, FakeUser

Kind = Literal["admin", "employee", "seeker"]


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the page can act as."""

    id: int
    name: str
    kind: Kind
    username: str

    @property
    def phone(self) -> str:
        """A plausible mainland mobile number of their own, shared by the "share contact" button."""
        return f"+86 138 {self.id:04d} {self.id % 10_000:04d}"

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class Group:
    """A village group the bot is in."""

    id: int
    title: str
    village: str

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title}


ADMIN = Person(1001, "王经理", "admin", "wang_manager")
CAST: tuple[Person, ...] = (
    ADMIN,
    Person(2001, "李娜", "employee", "li_na"),
    Person(2002, "马晓梅", "employee", "ma_xiaomei"),
    Person(3001, "韩冬", "seeker", "han_dong"),
)
GROUPS: tuple[Group, ...] = (
    Group(-100101, "三合村群", "三合村"),
    Group(-100102, "古城村求职群", "古城村"),
)
BY_ID: dict[int, Person] = {person.id: person for person in CAST}
GROUP_BY_ID: dict[int, Group] = {group.id: group for group in GROUPS}


def register(api: FakeBotAPI) -> dict[int, FakeUser]:
    """Make the cast and the groups known to the server (everyone is in both groups); the users by id."""
    users = {
        person.id: api.user(person.id, person.name, username=person.username, started=False)
        for person in CAST
    }
    for group in GROUPS:
        api.group(group.id, group.title, bot_status="left")
        for person in CAST:
            api.set_member_status(group.id, person.id, "creator" if person is ADMIN else "member")
    return users


async def add_bot_to_groups(
    api: FakeBotAPI, users: dict[int, FakeUser], settle: Callable[[], Awaitable[None]]
) -> None:
    """The admin adds the bot to every group, then binds each to its village with ``/village`` (``settle``
    waits for the bot to have answered)."""
    admin = users[ADMIN.id]
    for group in GROUPS:
        await api.add_bot_to_group(admin, group.id)
        await settle()
        await api.send_text(admin, f"/village {group.village}", chat=group.id)
    await settle()


def can_see(person_id: int, chat_id: int) -> bool:
    """Whether this person sees this chat: their own private chat, and the groups."""
    return chat_id == person_id or chat_id in GROUP_BY_ID
