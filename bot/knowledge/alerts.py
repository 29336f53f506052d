"""Alerts to admins about questions the notes could not answer, sent through the delivery outbox.

Every admin hears about an open question (no answer found, "none of these", or 👎 on an answer) except the
person who asked it. The admins of one language share a campaign (``kind="kb_alert"``,
``ref="kb_alert:<language>"``): the first alert goes at once; questions arriving within ``ALERT_WINDOW`` of
the last alert are gathered into one digest ("N questions are waiting … /unanswered") sent when the window
ends, the same scheme as the jobs capability's application alerts. A rush of unanswered questions therefore
costs each admin at most one message per window.

The payload holds question ids in ``extra``; the digest is rendered again from the question log whenever a
question joins it, so questions answered or dismissed meanwhile drop out. Nothing here talks to Telegram;
after queueing, the caller wakes the sender.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import utcnow
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, CampaignState, ChatKind
from bot.delivery.payload import Button, Payload
from bot.i18n import gettext_for, language_of
from bot.knowledge.buttons import AnswerQuestion
from bot.knowledge.models import Feedback, Question, QueueState
from bot.people.models import Person

ALERT_KIND = "kb_alert"
ALERT_WINDOW = timedelta(seconds=60)
"""Questions arriving this soon after an alert wait for one digest instead of one message each."""
MERGE_MARGIN = timedelta(seconds=1)
"""A digest due sooner than this is left alone: a new question starts the next one."""
ANSWER_BUTTONS = 5
DIGEST_LINES = 10
LINE_LENGTH = 80


@dataclass(frozen=True, slots=True)
class AlertItem:
    """An open question as the admins see it: the question and who asked it."""

    question: Question
    asker: str | None


def alert_ref(language: str) -> str:
    """The ``ref`` of the alert campaigns to the admins speaking ``language``."""
    return f"{ALERT_KIND}:{language}"


def _short(text: str, length: int = LINE_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def alert_payload(language: str, items: Sequence[AlertItem]) -> Payload:
    """One question with its answer button, or a digest of several with a button for each of the first."""
    _ = gettext_for(language)
    ids = [item.question.id for item in items]
    if len(items) == 1:
        item = items[0]
        name = item.asker or _("someone")
        if item.question.feedback == Feedback.DOWN:
            text = _("👎 The answer did not help {name}:\n{question}", name=name, question=item.question.text)
        else:
            text = _(
                "❓ New unanswered question from {name}:\n{question}", name=name, question=item.question.text
            )
        buttons: tuple[tuple[Button, ...], ...] = (
            (Button(_("✍️ Answer"), callback_data=AnswerQuestion(item.question.id).pack()),),
        )
        return Payload(text=text, buttons=buttons, extra={"questions": ids})
    lines = [_("❓ {count} questions are waiting for an answer:", count=len(items))]
    for item in items[:DIGEST_LINES]:
        mark = "👎 " if item.question.feedback == Feedback.DOWN else ""
        name = item.asker or _("someone")
        lines.append(f"• #{item.question.id} {mark}{name}: {_short(item.question.text)}")
    if len(items) > DIGEST_LINES:
        lines.append(_("… and {count} more", count=len(items) - DIGEST_LINES))
    lines.append("\n" + _("Answer them with the buttons or see them all with /unanswered"))
    buttons = tuple(
        (
            Button(
                _("✍️ Answer #{id}", id=item.question.id),
                callback_data=AnswerQuestion(item.question.id).pack(),
            ),
        )
        for item in items[:ANSWER_BUTTONS]
    )
    return Payload(text="\n".join(lines), buttons=buttons, extra={"questions": ids})


async def _open_items(session: AsyncSession, question_ids: Iterable[int]) -> list[AlertItem]:
    """The questions among these that are still open, in the order given, each once."""
    items: list[AlertItem] = []
    seen: set[int] = set()
    for question_id in question_ids:
        if question_id in seen:
            continue
        seen.add(question_id)
        question = await session.get(Question, question_id, populate_existing=True)
        if question is None or question.queue_state != QueueState.OPEN:
            continue
        asker = await session.get(Person, question.person_id) if question.person_id else None
        items.append(AlertItem(question, asker.display_name if asker else None))
    return items


def _waiting(campaign: Campaign | None, now: datetime) -> bool:
    """Whether a campaign is a digest that has not started and is not about to."""
    return (
        campaign is not None
        and campaign.state == CampaignState.ACTIVE
        and campaign.started_at is None
        and campaign.send_after is not None
        and campaign.send_after > now + MERGE_MARGIN
    )


def questions_in(campaign: Campaign) -> list[int]:
    """The questions an alert campaign tells about."""
    return [int(i) for i in campaign.payload.get("extra", {}).get("questions", [])]


def _by_language(persons: Iterable[Person], default: str) -> dict[str, list[Person]]:
    groups: dict[str, list[Person]] = defaultdict(list)
    for person in persons:
        groups[language_of(person, default)].append(person)
    return dict(groups)


async def alert_admins(
    session: AsyncSession,
    question: Question,
    *,
    admins: Sequence[Person],
    default_language: str,
    now: datetime | None = None,
    window: timedelta | None = None,
) -> list[Campaign]:
    """Queue an alert about an open question for every admin but its asker; returns the campaigns touched.

    Nothing is queued for a question that is no longer open.
    """
    now = now or utcnow()
    window = ALERT_WINDOW if window is None else window
    assert question.id is not None
    if not await _open_items(session, [question.id]):
        return []
    recipients = [a for a in admins if a.id != question.person_id]
    campaigns = []
    for language, persons in sorted(_by_language(recipients, default_language).items()):
        ref = alert_ref(language)
        targets = [
            delivery.Target(p.telegram_id, label=p.display_name, kind=ChatKind.PRIVATE) for p in persons
        ]
        recent = await delivery.list_campaigns(session, kind=ALERT_KIND, ref=ref, limit=1)
        latest = recent[0] if recent else None
        if latest is not None and latest.id is not None and _waiting(latest, now):
            campaigns.append(await _join_digest(session, latest, question.id, targets, language, now))
            continue
        send_after = delivery.spaced_send_after(latest, now, window)
        items = await _open_items(session, [question.id])
        campaigns.append(
            await delivery.create_campaign(
                session,
                ALERT_KIND,
                alert_payload(language, items),
                targets,
                ref=ref,
                title=f"question #{question.id}",
                send_after=send_after,
                now=now,
            )
        )
    return campaigns


async def _join_digest(
    session: AsyncSession,
    digest: Campaign,
    question_id: int,
    targets: Sequence[delivery.Target],
    language: str,
    now: datetime,
) -> Campaign:
    """Add a question to a waiting digest; an admin it did not include yet gets a fresh digest instead."""
    assert digest.id is not None
    payload = alert_payload(language, await _open_items(session, [*questions_in(digest), question_id]))
    rows = await delivery.list_deliveries(session, digest.id)
    have = {row.chat_id for row in rows}
    missing = [t for t in targets if t.chat_id not in have]
    if not missing:
        await delivery.edit_campaign_copies(session, digest.id, payload, now=now)
        return digest
    await delivery.cancel_campaign(session, digest.id, now=now)
    kept = [delivery.Target(r.chat_id, label=r.label, kind=ChatKind(r.chat_kind)) for r in rows]
    return await delivery.create_campaign(
        session,
        ALERT_KIND,
        payload,
        [*kept, *missing],
        ref=digest.ref,
        title=digest.title,
        send_after=digest.send_after,
        now=now,
    )
