"""Admins' postings: ``/postings``, a posting's card, publishing it to the village groups (all or chosen),
filling, closing, reopening, deleting a draft; and the report on how an announcement went.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.access import admin_only
from bot.buttons import Button
from bot.context import BotApplication, BotContext
from bot.delivery import service as delivery
from bot.delivery.models import Campaign, DeliveryState
from bot.delivery.sender import Progress
from bot.i18n import N_, Translate, translator_for
from bot.jobs import outbox, render, service
from bot.jobs.buttons import (
    Applicants,
    ChangeState,
    DeleteDraft,
    EditPosting,
    NewState,
    PickGroups,
    PostingCard,
    PostingsPage,
    Publish,
)
from bot.jobs.handlers.common import POSTING_GONE, chat_id, edit_buttons, refresh_copies
from bot.jobs.models import JobPosting, PostingState
from bot.people.models import GroupChat, Person
from bot.replies import edit_or_reply, edit_query_message, on_button, page_buttons, reply, toast

log = logging.getLogger(__name__)

PAGE = 8
#: Per admin (``context.user_data``): the ids of the village groups ticked in the picker, by posting id as a
#: string (JSON keeps it so).
PICK_KEY = "job_pick"
ICONS = {
    PostingState.DRAFT: "📝",
    PostingState.OPEN: "📢",
    PostingState.FILLED: "🈵",
    PostingState.CLOSED: "⏹",
}
STATE_REFUSALS = {
    service.StateChange.UNCHANGED: N_("It already is so."),
    service.StateChange.IS_DRAFT: N_("Publish it first."),
    service.StateChange.DEADLINE_PASSED: N_(
        "Its deadline has passed: edit the deadline first, then reopen it."
    ),
}
STATE_DONE = {
    PostingState.FILLED: N_("Marked filled."),
    PostingState.CLOSED: N_("Closed."),
    PostingState.OPEN: N_("Reopened."),
}

# --- the list --------------------------------------------------------------------------------------


async def postings_page(
    context: BotContext, page: int, *, to_applicants: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of every posting; each opens its card (or, ``to_applicants``, its applicants)."""
    _ = context.gettext
    async with context.session() as session:
        postings, total = await service.all_postings(session, offset=page * PAGE, limit=PAGE)
        if not postings and page > 0:  # a page that is gone (postings deleted meanwhile): the first
            page = 0
            postings, total = await service.all_postings(session, limit=PAGE)
        counts = await service.posting_counts(session, [p.id for p in postings if p.id is not None])
    rows = []
    for posting in postings:
        assert posting.id is not None
        label = f"{ICONS[PostingState(posting.state)]} {posting.title} · {counts[posting.id].total}"
        target = Applicants(posting.id) if to_applicants else PostingCard(posting.id)
        rows.append([InlineKeyboardButton(label[:60], callback_data=target.pack())])
    pages = max(1, -(-total // PAGE))
    if nav := page_buttons(page, pages, PostingsPage):
        rows.append(nav)
    if not total:
        return _("No postings yet. Write one with /newjob."), InlineKeyboardMarkup(rows)
    return _(
        "Job postings: {total} (📝 draft · 📢 open · 🈵 filled · ⏹ closed). Numbers are applications.",
        total=total,
    ), InlineKeyboardMarkup(rows)


@admin_only
async def postings_command(update: Update, context: BotContext) -> None:
    """``/postings``: every posting, drafts and open ones first."""
    await reply(update, context, *await postings_page(context, 0))


@admin_only
async def show_postings_page(update: Update, context: BotContext, pressed: PostingsPage) -> None:
    await edit_or_reply(update, context, *await postings_page(context, pressed.page))


# --- a posting's card ------------------------------------------------------------------------------


async def admin_card(context: BotContext, posting_id: int) -> tuple[str, InlineKeyboardMarkup] | None:
    """A posting with its numbers, and the buttons of what can be done with it now."""
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, posting_id)
        if posting is None:
            return None
        counts = (await service.posting_counts(session, [posting_id]))[posting_id]
        sent = await outbox.announcement_counts(session, posting_id)
        groups = await service.village_groups(session)
        announced = await outbox.announced_chats(session, posting_id)
    text = render.admin_card(
        _,
        posting,
        counts,
        context.settings.tz,
        groups_sent=sent.sent,
        groups_total=sent.total - sent.cancelled,
    )
    remaining = len([g for g in groups if g.chat_id not in announced])
    rows = _card_rows(_, posting_id, PostingState(posting.state), counts.total, len(groups), remaining)
    return text, InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data.pack()) for label, data in row] for row in rows]
    )


def _card_rows(
    _: Translate, posting_id: int, state: PostingState, applications: int, groups: int, remaining: int
) -> list[list[tuple[str, Button]]]:
    """The card's buttons by the posting's state: publish or delete a draft; follow up a published one."""
    edit = (_("✏️ Edit"), EditPosting(posting_id))
    rows: list[list[tuple[str, Button]]] = []
    if state == PostingState.DRAFT:
        if groups:
            rows.append(
                [(_("📣 Publish to all village groups ({count})", count=groups), Publish(posting_id))]
            )
            rows.append([(_("🏘 Choose village groups"), PickGroups(posting_id))])
        else:
            rows.append([(_("📣 Publish (no village groups yet)"), Publish(posting_id))])
        rows.append([edit, (_("🗑 Delete draft"), DeleteDraft(posting_id))])
    else:
        rows.append([(_("👥 Applicants ({count})", count=applications), Applicants(posting_id))])
        if state == PostingState.OPEN:
            if remaining:
                rows.append(
                    [
                        (_("📣 All other groups ({count})", count=remaining), Publish(posting_id)),
                        (_("🏘 Choose"), PickGroups(posting_id)),
                    ]
                )
            rows.append(
                [
                    (_("🈵 Mark filled"), ChangeState(posting_id, NewState.FILLED)),
                    (_("⏹ Close"), ChangeState(posting_id, NewState.CLOSED)),
                ]
            )
        else:
            rows.append([(_("🔄 Reopen"), ChangeState(posting_id, NewState.OPEN))])
        rows.append([edit])
    rows.append([(_("« All postings"), PostingsPage(0))])
    return rows


async def send_admin_card(update: Update, context: BotContext, posting_id: int) -> None:
    """The card as a new message (after the posting form)."""
    card = await admin_card(context, posting_id)
    if card is not None:
        await reply(update, context, *card)


async def show_card(update: Update, context: BotContext, posting_id: int, *, answered: bool = False) -> None:
    """The card in place of the message under the pressed button (answering the press unless ``answered``)."""
    query = update.callback_query
    assert query is not None
    card = await admin_card(context, posting_id)
    if card is None:
        if not answered:
            await toast(update, context.gettext(POSTING_GONE), alert=True)
        return
    if not answered:
        await query.answer()
    text, markup = card
    await edit_query_message(
        query, text, reply_markup=markup, parse_mode=ParseMode.HTML, disable_web_page_preview=True
    )


@admin_only
async def posting_card(update: Update, context: BotContext, pressed: PostingCard) -> None:
    await show_card(update, context, pressed.posting_id)


@admin_only
async def delete_draft(update: Update, context: BotContext, pressed: DeleteDraft) -> None:
    _ = context.gettext
    async with context.session() as session:
        posting = await service.get_posting(session, pressed.posting_id)
        deleted = posting is not None and await service.delete_draft(session, posting)
    if not deleted:
        await toast(update, _("Only drafts can be deleted; close it instead."), alert=True)
        return
    await edit_or_reply(update, context, _("Draft deleted."))


# --- publishing ------------------------------------------------------------------------------------


@admin_only
async def publish(update: Update, context: BotContext, pressed: Publish) -> None:
    """Open the posting and queue it for the village groups (all that lack it, or the chosen ones)."""
    _ = context.gettext
    picks: dict[str, list[int]] = context.user_data.get(PICK_KEY, {})
    chosen = set(picks.get(str(pressed.posting_id), [])) if pressed.chosen else set()
    async with context.session() as session:
        posting = await service.get_posting(session, pressed.posting_id)
        if posting is None:
            await toast(update, _(POSTING_GONE), alert=True)
            return
        first = posting.state == PostingState.DRAFT
        if first and not await service.publish(session, posting):
            await toast(update, _("Its deadline has passed: edit the deadline first."), alert=True)
            return
        if posting.state != PostingState.OPEN:
            await toast(update, _("Reopen it first."), alert=True)
            return
        groups = await service.village_groups(session)
        if pressed.chosen:
            groups = [g for g in groups if g.id in chosen]
        campaign, alerted = await _queue(context, session, posting, groups)
    picks.pop(str(pressed.posting_id), None)
    if campaign is not None or alerted:
        context.bot_data.sender.wake()
    if campaign is not None:
        answer = _("Published. Sending to {count} village groups…", count=campaign.total)
    elif first:
        answer = _("Published. It is listed in /jobs.")
    else:
        answer = _("Every chosen group already has it.")
    assert update.callback_query is not None
    await update.callback_query.answer()
    await show_card(update, context, pressed.posting_id, answered=True)
    await context.bot.send_message(chat_id(update), answer)


async def _queue(
    context: BotContext, session: AsyncSession, posting: JobPosting, groups: list[GroupChat]
) -> tuple[Campaign | None, int]:
    """Queue the announcement for ``groups`` (those that lack it) and the alerts of the subscribers to their
    villages who were not told yet: the campaign (None if every group has it) and how many are alerted."""
    assert context.person
    settings = context.settings
    campaign = await outbox.announce(
        session,
        posting,
        groups,
        bot_username=context.bot.username,
        language=settings.default_language,
        tz=settings.tz,
        created_by_id=context.person.id,
    )
    alerted = await outbox.alert_subscribers(
        session,
        posting,
        [g.village for g in groups if g.village],
        default_language=settings.default_language,
        tz=settings.tz,
        created_by_id=context.person.id,
    )
    return campaign, alerted


@admin_only
async def pick_groups(update: Update, context: BotContext, pressed: PickGroups) -> None:
    """The village groups to publish to: tap to tick, then 📣 publish to the ticked ones."""
    query = update.callback_query
    assert query
    _ = context.gettext
    posting_id = pressed.posting_id
    async with context.session() as session:
        if await service.get_posting(session, posting_id) is None:
            await toast(update, _(POSTING_GONE), alert=True)
            return
        groups = await service.village_groups(session)
        announced = await outbox.announced_chats(session, posting_id)
    chosen: list[int] = context.user_data.setdefault(PICK_KEY, {}).setdefault(str(posting_id), [])
    if pressed.toggle in chosen:
        chosen.remove(pressed.toggle)
    elif pressed.toggle is not None:
        chosen.append(pressed.toggle)
    rows = []
    for group in groups:
        label = f"{group.village} · {group.title}"[:50]
        if group.chat_id in announced:
            rows.append([InlineKeyboardButton("✅ " + label, callback_data=PickGroups(posting_id).pack())])
        else:
            mark = "☑️ " if group.id in chosen else "⬜ "
            data = PickGroups(posting_id, group.id).pack()
            rows.append([InlineKeyboardButton(mark + label, callback_data=data)])
    count = len([g for g in groups if g.id in chosen and g.chat_id not in announced])
    if count:
        label = _("📣 Publish to {count} chosen", count=count)
        rows.append([InlineKeyboardButton(label, callback_data=Publish(posting_id, chosen=True).pack())])
    rows.append([InlineKeyboardButton(_("« Back"), callback_data=PostingCard(posting_id).pack())])
    await query.answer()
    await edit_buttons(update, InlineKeyboardMarkup(rows))


@admin_only
async def change_state(update: Update, context: BotContext, pressed: ChangeState) -> None:
    """🈵 Mark filled, ⏹ Close or 🔄 Reopen; the group copies follow."""
    _ = context.gettext
    state = PostingState(pressed.state)
    async with context.session() as session:
        posting = await service.get_posting(session, pressed.posting_id)
        if posting is None:
            await toast(update, _(POSTING_GONE), alert=True)
            return
        outcome = await service.change_state(session, posting, state)
        edited = await refresh_copies(context, session, posting) if outcome == service.StateChange.DONE else 0
    if outcome != service.StateChange.DONE:
        await toast(update, _(STATE_REFUSALS[outcome]), alert=True)
        return
    answer = _(STATE_DONE[state])
    if edited:
        context.bot_data.sender.wake()
        answer += " " + _("The copies in {count} village groups are being updated.", count=edited)
    await toast(update, answer)
    await show_card(update, context, pressed.posting_id, answered=True)


def announcement_report(application: BotApplication) -> Callable[[Progress], Awaitable[None]]:
    """An outbox listener: tell the admin who published a posting how its announcement went, once done."""

    async def report(progress: Progress) -> None:
        campaign = progress.campaign
        posting_id = outbox.posting_id_of(campaign.ref)
        if not progress.finished or posting_id is None or campaign.created_by_id is None:
            return
        assert campaign.id is not None
        async with application.bot_data.db() as session:
            posting = await service.get_posting(session, posting_id)
            admin = await session.get(Person, campaign.created_by_id)
            missed = await delivery.chats_by_campaign(
                session, campaign.id, [DeliveryState.FAILED, DeliveryState.BLOCKED]
            )
        if posting is None or admin is None:
            return
        _ = translator_for(admin, application.bot_data.settings.default_language)
        counts = progress.counts
        lines = [
            _(
                "📣 “{title}” reached {sent} of {total} village groups.",
                title=posting.title,
                sent=counts.sent,
                total=counts.total,
            )
        ]
        if missed:
            lines.append(_("Not delivered:"))
            lines += [f"• {label or chat_id} — {error or '?'}" for chat_id, label, error in missed[:10]]
        try:
            await application.bot.send_message(admin.telegram_id, "\n".join(lines))
        except TelegramError as exc:
            log.warning("could not report announcement %s: %s", campaign.id, exc)

    return report


def handlers() -> list[BaseHandler[Any, BotContext, Any]]:
    return [
        CommandHandler("postings", postings_command, filters.ChatType.PRIVATE),
        on_button(PostingsPage, show_postings_page),
        on_button(PostingCard, posting_card),
        on_button(Publish, publish),
        on_button(PickGroups, pick_groups),
        on_button(ChangeState, change_state),
        on_button(DeleteDraft, delete_draft),
    ]
