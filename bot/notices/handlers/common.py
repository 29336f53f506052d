"""What several notice flows share: admin-only buttons, loading the pressed notice, the lines of a panel."""

from __future__ import annotations

import html
from datetime import datetime, tzinfo
from typing import TypeVar

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.delivery import service as delivery
from bot.delivery.payload import PayloadKind
from bot.i18n import N_, Translate
from bot.notices import service
from bot.notices.audiences import AudienceRegistry
from bot.notices.models import Notice, NoticeState
from bot.replies import toast

B = TypeVar("B", bound=Button)

_KIND_NAMES = {
    PayloadKind.TEXT: N_("text"),
    PayloadKind.PHOTO: N_("photo"),
    PayloadKind.DOCUMENT: N_("document"),
    PayloadKind.VOICE: N_("voice message"),
    PayloadKind.VIDEO: N_("video"),
    PayloadKind.AUDIO: N_("audio"),
    PayloadKind.ANIMATION: N_("animation"),
    PayloadKind.COPY: N_("message"),
}


async def pressed_notice(update: Update, context: BotContext, notice_id: int) -> Notice | None:
    """The notice a button names; None (and the person is told) if it no longer exists."""
    async with context.session() as session:
        notice = await service.get_notice(session, notice_id)
    if notice is None:
        await toast(update, context.gettext("That notice no longer exists."), alert=True)
    return notice


async def pressed_draft(update: Update, context: BotContext, notice_id: int) -> Notice | None:
    """The draft a panel button names; None (and the person is told) if it was sent or discarded."""
    notice = await pressed_notice(update, context, notice_id)
    if notice is not None and notice.state != NoticeState.DRAFT:
        await toast(update, context.gettext("This notice was already sent or discarded."), alert=True)
        return None
    return notice


def local_time(tz: tzinfo, moment: datetime | None) -> str:
    """``2026-12-01 09:00`` in the bot's time zone ("" for no time)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def content_line(_: Translate, notice: Notice) -> str:
    """What a notice says, in one line: its summary, with the kind of file if it is one."""
    payload = service.content(notice)
    kind = _(_KIND_NAMES[PayloadKind(payload.kind)])
    summary = html.escape(notice.summary) if notice.summary else ""
    if payload.kind == PayloadKind.TEXT:
        return f"<i>{summary}</i>"
    return f"[{kind}] <i>{summary}</i>" if summary else f"[{kind}]"


def audience_line(_: Translate, notice: Notice, registry: AudienceRegistry) -> str:
    """Who a notice goes to: the chosen kinds, with the number of values picked one by one."""
    parts = []
    for kind in registry.all():
        if kind.key not in notice.audience:
            continue
        values = notice.audience[kind.key]
        if kind.picked:
            if values:
                parts.append(f"{_(kind.label)} ({len(values)})")
        else:
            parts.append(_(kind.label))
    return " · ".join(parts) or _("nobody yet")


def counts_line(_: Translate, counts: delivery.Counts) -> str:
    """Sent, failed, blocked and not sent, in one line."""
    line = _(
        "Sent {sent}/{total} · failed {failed}", sent=counts.sent, total=counts.total, failed=counts.failed
    )
    if counts.blocked:
        line += " · " + _("blocked {n}", n=counts.blocked)
    if counts.cancelled:
        line += " · " + _("not sent {n}", n=counts.cancelled)
    return line
