"""Who a notice can go to: a small registry of audience kinds that other capabilities can extend.

An audience kind resolves to delivery targets. Kinds with ``choices`` are picked value by value (chosen
village groups; "staff of a shift" from attendance). A notice's audience is a dictionary
``{kind key: [chosen values]}``; its targets are the union of every kind, each chat once.

The running bot's registry is ``bot_data.notice_audiences``; attendance adds its kind in its own ``setup``
(see ``bot/attendance/audience.py``)::

    registry = application.bot_data.notice_audiences
    registry.add(AudienceKind("shift", N_("Staff of a shift"), resolve_shift, choices=shift_choices, order=15))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.models import ChatKind
from bot.delivery.service import Target
from bot.i18n import N_
from bot.people.models import GroupChat, Person, Role

Resolver = Callable[[AsyncSession, Sequence[str]], Awaitable[list[Target]]]
Choices = Callable[[AsyncSession], Awaitable[list[tuple[str, str]]]]


@dataclass(frozen=True, slots=True)
class AudienceKind:
    """One way to choose recipients: ``label`` is an untranslated message id."""

    key: str
    label: str
    resolve: Resolver
    choices: Choices | None = None
    order: int = 50

    @property
    def picked(self) -> bool:
        """Whether recipients are picked one by one from ``choices``."""
        return self.choices is not None


class AudienceRegistry:
    """The audience kinds a notice can use."""

    def __init__(self) -> None:
        self._kinds: dict[str, AudienceKind] = {}

    def add(self, kind: AudienceKind) -> None:
        """Add (or replace) an audience kind."""
        if ":" in kind.key or len(kind.key) > 12:
            raise ValueError("audience keys are short and contain no ':'")
        self._kinds[kind.key] = kind

    def get(self, key: str) -> AudienceKind | None:
        return self._kinds.get(key)

    def all(self) -> list[AudienceKind]:
        return sorted(self._kinds.values(), key=lambda k: (k.order, k.key))

    async def resolve(
        self, session: AsyncSession, selection: Mapping[str, Sequence[str]], *, exclude: Iterable[int] = ()
    ) -> list[Target]:
        """Every chat the selection reaches, each once, in the order of the kinds."""
        excluded = set(exclude)
        targets: dict[int, Target] = {}
        for kind in self.all():
            if kind.key not in selection:
                continue
            values = list(selection[kind.key])
            if kind.picked and not values:
                continue
            for target in await kind.resolve(session, values):
                if target.chat_id not in excluded:
                    targets.setdefault(target.chat_id, target)
        return list(targets.values())


async def _people(session: AsyncSession, roles: Sequence[Role]) -> list[Target]:
    result = await session.exec(
        select(Person).where(col(Person.role).in_(list(roles))).order_by(col(Person.id))
    )
    return [Target(p.telegram_id, p.display_name, ChatKind.PRIVATE) for p in result.all()]


async def all_staff(session: AsyncSession, _values: Sequence[str]) -> list[Target]:
    """Everyone who works here: staff and admins."""
    return await _people(session, [Role.STAFF, Role.ADMIN])


async def admins(session: AsyncSession, _values: Sequence[str]) -> list[Target]:
    return await _people(session, [Role.ADMIN])


def _group_target(group: GroupChat) -> Target:
    label = f"{group.village} · {group.title}" if group.village else group.title
    return Target(group.chat_id, label, ChatKind.GROUP)


async def all_groups(session: AsyncSession, _values: Sequence[str]) -> list[Target]:
    """Every group the bot is still in."""
    result = await session.exec(select(GroupChat).where(col(GroupChat.active)).order_by(col(GroupChat.id)))
    return [_group_target(g) for g in result.all()]


async def chosen_groups(session: AsyncSession, values: Sequence[str]) -> list[Target]:
    ids = [int(v) for v in values if v.lstrip("-").isdigit()]
    if not ids:
        return []
    result = await session.exec(
        select(GroupChat)
        .where(col(GroupChat.chat_id).in_(ids), col(GroupChat.active))
        .order_by(col(GroupChat.id))
    )
    return [_group_target(g) for g in result.all()]


async def group_choices(session: AsyncSession) -> list[tuple[str, str]]:
    """Active groups to pick from, by village then title."""
    result = await session.exec(
        select(GroupChat)
        .where(col(GroupChat.active))
        .order_by(col(GroupChat.village).is_(None), col(GroupChat.village), col(GroupChat.title))
    )
    return [(str(g.chat_id), _group_target(g).label) for g in result.all()]


def default_registry() -> AudienceRegistry:
    """All staff, admins, all village groups, chosen village groups."""
    registry = AudienceRegistry()
    registry.add(AudienceKind("staff", N_("All staff"), all_staff, order=10))
    registry.add(AudienceKind("admins", N_("Admins"), admins, order=20))
    registry.add(AudienceKind("groups", N_("All village groups"), all_groups, order=30))
    registry.add(AudienceKind("group", N_("Chosen groups"), chosen_groups, choices=group_choices, order=40))
    return registry
