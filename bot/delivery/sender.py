"""The outbox's Telegram side: one asyncio task that works through due rows under the flood limits.

The sender claims rows right before their requests, as many at once as it has requests free, under a lease
for this instance that it renews while they are in flight (see ``bot.delivery.service`` for the guarantees and
the lease's length); it sends them, and records the outcome per row, which ends the lease:

* ``RetryAfter`` — wait as told (that chat, or everything if the overall limit was hit), then retry the row;
* ``Forbidden`` — the user blocked the bot or the bot left the group: ``blocked``, and the group inactive;
* ``ChatMigrated`` — follow the group to its new id and send again;
* ``BadRequest`` — ``failed`` with Telegram's reason;
* timeouts and network errors — retried with exponential backoff, a bounded number of times; when the
  request may have reached Telegram (a read timeout) the retry is flagged ``maybe_duplicate``.

Pins and edits of copies already sent are done the same way. Rows another instance was sending and stopped
renewing (it died) are taken back and sent again, flagged ``maybe_duplicate``: at start, and every
``lease / 5`` while running. Every request, the sender's and every handler's,
goes through one ``Limiter`` (``TelegramRateLimiter`` plugs it into PTB), so the limits hold across campaigns
and interactive replies alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter

from bot.clock import utcnow
from bot.db import SessionFactory
from bot.delivery import service
from bot.delivery.instance import instance_id
from bot.delivery.limiter import Limiter
from bot.delivery.models import Campaign, ChatKind, DeliveryState
from bot.delivery.payload import Payload, PayloadKind
from bot.http import request_was_not_sent

log = logging.getLogger(__name__)

RESERVED = "reserved"
"""``rate_limit_args`` of a request whose slot the caller has already taken from the limiter."""

RECOVERED = "%d deliveries were interrupted by a restart or a failover and are sent again (flagged)"


# --- the limiter inside PTB ------------------------------------------------------------------------


def retry_after_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_key(chat_id: Any) -> int | str | None:
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


class TelegramRateLimiter(BaseRateLimiter[str]):
    """PTB's hook for the shared ``Limiter``: every request naming a chat waits for its slot.

    Handlers' requests are ``interactive`` (see ``Limiter.acquire``): the overall and group limits hold,
    a private chat's own window does not delay them, but it counts them.

    Requests that hit ``RetryAfter`` are retried ``max_retries`` times after waiting as told (and, being
    retries, also for the chat's own window, so they do not collide with the outbox again). The outbox
    takes its slots itself and passes ``rate_limit_args=RESERVED``; those requests go straight through and
    their errors go back to the sender.
    """

    def __init__(self, limiter: Limiter | None = None, *, max_retries: int = 2) -> None:
        self.limiter = limiter or Limiter()
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Release the shared budget's connections, if the limiter has one."""
        if self.limiter.shared is not None:
            await self.limiter.shared.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args == RESERVED:
            return await callback(*args, **kwargs)
        chat = _chat_key(data.get("chat_id"))
        for attempt in range(self.max_retries + 1):
            if chat is not None:
                # A retry after a flood-limit answer waits its turn in the chat's own window as well.
                await self.limiter.acquire(chat, interactive=attempt == 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.limiter.on_retry_after(chat, retry_after_seconds(exc))
                if attempt >= self.max_retries:
                    raise
                log.info("%s to %s: flood limit, retrying in %ss", endpoint, chat, retry_after_seconds(exc))
        raise AssertionError("unreachable")


# --- the sender ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SenderConfig:
    """How hard the sender works and how patient it is."""

    concurrency: int = 16
    batch: int = 60
    idle_poll: float = 2.0
    progress_interval: float = 3.0
    max_network_attempts: int = 5
    max_attempts: int = 15
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    read_timeout: float | None = None
    lease: float = service.LEASE.total_seconds()

    @property
    def lease_upkeep(self) -> float:
        """Seconds between renewals of this instance's leases (and looks for expired ones)."""
        return self.lease / 5


@dataclass(frozen=True, slots=True)
class Progress:
    """What listeners hear about a campaign: its counts, and whether this is the final report."""

    campaign: Campaign
    counts: service.Counts
    finished: bool


Listener = Callable[[Progress], Awaitable[None]]


class Sender:
    """Works through the outbox: ``await sender.run()`` until ``stop()`` (or ``keep_running`` says no).

    ``instance`` names the owner of the leases this sender takes (this process's id by default).
    """

    def __init__(
        self,
        bot: Any,
        session_factory: SessionFactory,
        limiter: Limiter | None = None,
        config: SenderConfig | None = None,
        *,
        instance: str | None = None,
    ) -> None:
        self.bot = bot
        self.db = session_factory
        self.instance = instance or instance_id()
        rate_limiter = getattr(bot, "rate_limiter", None)
        if limiter is None and isinstance(rate_limiter, TelegramRateLimiter):
            limiter = rate_limiter.limiter
        self.limiter = limiter or Limiter()
        self._reserved = (
            isinstance(rate_limiter, TelegramRateLimiter) and rate_limiter.limiter is self.limiter
        )
        self.config = config or SenderConfig()
        self._listeners: dict[str, list[Listener]] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._inflight_items: dict[int, service.Work] = {}
        self._cancelled: set[int] = set()
        self._started: set[int] = set()
        self._deferred: dict[int, float] = {}
        self._last_counts: dict[int, service.Counts] = {}
        self._task: asyncio.Task[None] | None = None
        self.running = False

    # --- life cycle ---------------------------------------------------------------------------

    def listen(self, kind: str, listener: Listener) -> None:
        """Call ``listener`` with the progress of every campaign of ``kind`` (``"*"`` for all)."""
        self._listeners.setdefault(kind, []).append(listener)

    def wake(self) -> None:
        """Look for work now (call after queueing a campaign)."""
        self._wake.set()

    def cancelled(self, campaign_id: int) -> None:
        """A campaign was cancelled: rows already claimed but not yet sent are dropped, not sent."""
        self._cancelled.add(campaign_id)
        self._wake.set()

    def start(self, keep_running: Callable[[], bool] | None = None) -> asyncio.Task[None]:
        """Run in a background task (once); returns it."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(keep_running), name="delivery-sender")
        return self._task

    async def stop(self) -> None:
        """Stop taking rows, let requests in flight finish and record them."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self, keep_running: Callable[[], bool] | None = None) -> None:
        """The sender's loop; resumes whatever a previous process left unfinished."""
        keep = keep_running or (lambda: True)
        self._stopping.clear()
        self.running = True
        async with self.db() as session:
            recovered = await service.recover_interrupted(session, every_lease=service.single_writer(session))
        if recovered:
            log.warning(RECOVERED, recovered)
        ticker = asyncio.create_task(self._tick_forever(keep), name="delivery-progress")
        upkeep = asyncio.create_task(self._keep_leases_forever(), name="delivery-leases")
        slots = asyncio.Semaphore(self.config.concurrency)
        try:
            while keep() and not self._stopping.is_set():
                try:
                    dispatched = await self._pass(slots, keep)
                except Exception:
                    log.exception("delivery pass failed; retrying shortly")
                    dispatched = 0
                if not dispatched:
                    await self._idle(keep)
        finally:
            self.running = False
            if self._inflight:
                await asyncio.gather(*self._inflight.values(), return_exceptions=True)
            for task in (ticker, upkeep):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            with contextlib.suppress(Exception):
                await self.tick()

    async def _idle(self, keep: Callable[[], bool]) -> None:
        async with self.db() as session:
            due = await service.next_due_at(session)
        wait = self.config.idle_poll
        if due is not None:
            wait = min(wait, max(0.0, (due - utcnow()).total_seconds()))
        if self._deferred:
            wait = min(wait, max(0.01, min(self._deferred.values()) - time.monotonic()))
        deadline = time.monotonic() + wait
        while keep() and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(remaining, 0.5))
            except TimeoutError:
                continue
            break
        self._wake.clear()

    async def _pass(self, slots: asyncio.Semaphore, keep: Callable[[], bool]) -> int:
        """Claim due rows whose chat is ready and start a task for each.

        Rows are claimed as soon as a request slot is free, as many in one statement as there are free slots,
        the first still claimable in the list (rows another instance took meanwhile are skipped).
        A task waits for its slot in the limiter itself, right before its request, so that nothing (a
        database write, a busy event loop) comes between the slot and the request reaching Telegram.
        Returns how many rows were dispatched or found taken by another instance; either way the outbox is
        worth reading again at once.
        """
        now = time.monotonic()
        self._deferred = {k: v for k, v in self._deferred.items() if v > now}
        async with self.db() as session:
            work = await service.due_work(
                session, limit=self.config.batch, exclude=[*self._inflight, *self._deferred]
            )
            busy = {item.campaign_id for item in self._inflight_items.values()}
            self._cancelled |= set(await service.cancelled_among(session, busy))
        ready: list[service.Work] = []
        chosen: set[int] = set()
        for item in work:
            delay = self.limiter.chat_delay(item.chat_id)
            if not delay and item.chat_id in chosen:
                delay = 0.01  # one request per chat at a time; the limiter spaces the next one
            if delay > 0:
                self._deferred[item.delivery_id] = time.monotonic() + delay
                continue
            chosen.add(item.chat_id)
            ready.append(item)
        handled = 0
        for item in [item for item in ready if item.state != DeliveryState.PENDING]:  # pins and edits
            if not keep() or self._stopping.is_set():
                return handled
            await slots.acquire()
            self._dispatch(item, slots)
            handled += 1
        sends = [item for item in ready if item.state == DeliveryState.PENDING]
        while sends and keep() and not self._stopping.is_set():
            await slots.acquire()
            room = 1
            while room < len(sends) and not slots.locked():
                await slots.acquire()  # free: returns at once
                room += 1
            try:
                async with self.db() as session:
                    claimed = await service.claim_batch(
                        session,
                        sends,
                        limit=room,
                        owner=self.instance,
                        lease=timedelta(seconds=self.config.lease),
                        started=self._started,
                    )
            except BaseException:
                for _ in range(room):
                    slots.release()
                raise
            for _ in range(room - len(claimed)):
                slots.release()
            for item in claimed:
                self._started.add(item.campaign_id)
                self._dispatch(item, slots)
            handled += len(claimed)
            if len(claimed) < room:
                # Nothing claimable is left in this list: another instance (or a cancel) took the rest.
                return handled + len(sends) - len(claimed)
            sends = sends[sends.index(claimed[-1]) + 1 :]
        return handled

    def _dispatch(self, item: service.Work, slots: asyncio.Semaphore) -> None:
        """Start the task of one row (its request slot already taken)."""
        task = asyncio.create_task(self._process(item, slots))
        self._inflight[item.delivery_id] = task
        self._inflight_items[item.delivery_id] = item

    async def _keep_leases_forever(self) -> None:
        while True:
            await asyncio.sleep(self.config.lease_upkeep)
            try:
                await self.keep_leases()
            except Exception:
                log.exception("outbox lease upkeep failed; trying again shortly")

    async def keep_leases(self) -> int:
        """Renew the leases of this instance's rows in flight, then take back rows whose lease ran out.

        Renewing first means this instance never takes back its own live rows. Returns how many rows were
        taken back.
        """
        async with self.db() as session:
            if any(item.state == DeliveryState.PENDING for item in self._inflight_items.values()):
                await service.renew_leases(session, self.instance, lease=timedelta(seconds=self.config.lease))
            recovered = await service.recover_interrupted(session)
        if recovered:
            log.warning(RECOVERED, recovered)
            self._wake.set()
        return recovered

    async def _process(self, item: service.Work, slots: asyncio.Semaphore) -> None:
        try:
            if item.state == DeliveryState.PENDING:
                await self._send(item)
            else:
                await self._followup(item)
        except Exception as exc:
            log.exception("delivery %s to %s failed unexpectedly", item.delivery_id, item.chat_id)
            with contextlib.suppress(Exception):
                async with self.db() as session:
                    if item.state == DeliveryState.PENDING:
                        await service.mark_failed(session, item, f"{type(exc).__name__}: {exc}")
                    else:
                        await service.followup_done(
                            session, item, pinned=False if item.needs_pin else None, error=str(exc)
                        )
        finally:
            slots.release()
            self._inflight.pop(item.delivery_id, None)
            self._inflight_items.pop(item.delivery_id, None)
            self._wake.set()

    # --- one request --------------------------------------------------------------------------

    def _backoff(self, attempts: int) -> float:
        base = min(self.config.backoff_max, self.config.backoff_base * 2 ** max(0, attempts - 1))
        return base * (0.8 + 0.4 * random.random())

    async def _send(self, item: service.Work) -> None:
        payload = Payload.from_dict(item.payload)
        request = await self._prepare_send(item, payload)
        await self.limiter.acquire(item.chat_id)
        if item.campaign_id in self._cancelled:
            async with self.db() as session:
                await service.drop_claimed(session, item)
            return
        try:
            message_id = await request()
        except Exception as exc:
            await self._failed_request(item, exc)
            return
        async with self.db() as session:
            await service.mark_sent(session, item, message_id)

    async def _failed_request(self, item: service.Work, exc: Exception) -> None:
        """Record why a request did not go through, and whether and when to try again."""
        now = utcnow()
        async with self.db() as session:
            if isinstance(exc, RetryAfter):
                seconds = retry_after_seconds(exc)
                self.limiter.on_retry_after(item.chat_id, seconds)
                if item.attempts >= self.config.max_attempts:
                    await self._give_up(session, item, f"flood control: {exc}")
                    return
                await service.mark_retry(
                    session,
                    item,
                    now + timedelta(seconds=seconds + 0.05),
                    f"flood control: retry in {seconds:g}s",
                )
            elif isinstance(exc, ChatMigrated):
                if item.state == DeliveryState.PENDING:
                    if item.attempts >= self.config.max_attempts:
                        await service.mark_failed(session, item, str(exc))
                    else:
                        await service.mark_migrated(session, item, exc.new_chat_id)
                else:
                    await service.followup_done(
                        session,
                        item,
                        pinned=False if item.needs_pin else None,
                        edited_version=item.version,
                        error=str(exc),
                    )
            elif isinstance(exc, Forbidden):
                if item.state == DeliveryState.PENDING:
                    await service.mark_blocked(session, item, exc.message)
                else:
                    await self._give_up(session, item, exc.message)
            elif isinstance(exc, BadRequest):
                await self._give_up(session, item, exc.message)
            elif isinstance(exc, NetworkError):
                maybe = not request_was_not_sent(exc) and item.state == DeliveryState.PENDING
                reason = f"{'timed out' if isinstance(exc, TimedOut) else 'network error'}: {exc.message}"
                if item.attempts >= self.config.max_network_attempts:
                    await self._give_up(session, item, reason)
                    return
                at = now + timedelta(seconds=self._backoff(item.attempts))
                await service.mark_retry(session, item, at, reason, maybe_duplicate=maybe)
            elif isinstance(exc, TelegramError):
                await self._give_up(session, item, exc.message)
            else:
                raise exc

    async def _give_up(self, session: Any, item: service.Work, reason: str) -> None:
        if item.state == DeliveryState.PENDING:
            await service.mark_failed(session, item, reason)
        elif item.needs_pin:
            await service.followup_done(session, item, pinned=False, error=f"pin failed: {reason}")
        else:
            await service.followup_done(
                session, item, edited_version=item.version, error=f"edit failed: {reason}"
            )

    def _markup(self, item: service.Work, payload: Payload) -> InlineKeyboardMarkup | None:
        if not payload.buttons or (item.chat_kind == ChatKind.GROUP and not payload.buttons_in_groups):
            return None
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(b.text, url=b.url)
                    if b.url
                    else InlineKeyboardButton(b.text, callback_data=b.callback_data)
                    for b in row
                ]
                for row in payload.buttons
            ]
        )

    def _extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"rate_limit_args": RESERVED} if self._reserved else {}
        if self.config.read_timeout is not None:
            extra["read_timeout"] = self.config.read_timeout
        return extra

    async def _prepare_send(self, item: service.Work, payload: Payload) -> Callable[[], Awaitable[int]]:
        """Everything the request needs, looked up before its slot is taken; returns the request."""
        bot, chat_id = self.bot, item.chat_id
        common: dict[str, Any] = {
            "reply_markup": self._markup(item, payload),
            "disable_notification": payload.disable_notification or None,
            **self._extra(),
        }
        if payload.reply_to_campaign is not None:
            async with self.db() as session:
                original = await service.copy_in_chat(session, payload.reply_to_campaign, chat_id)
            if original is not None:
                common["reply_parameters"] = ReplyParameters(original, allow_sending_without_reply=True)
        entities = [MessageEntity.de_json(e, bot) for e in payload.entities] or None
        text = payload.text or None
        caption: dict[str, Any] = {
            "caption": text,
            "caption_entities": entities,
            "parse_mode": payload.parse_mode,
        }
        kind = PayloadKind(payload.kind)

        async def request() -> int:
            if kind == PayloadKind.TEXT:
                preview = None if payload.link_preview else LinkPreviewOptions(is_disabled=True)
                message = await bot.send_message(
                    chat_id,
                    payload.text,
                    entities=entities,
                    parse_mode=payload.parse_mode,
                    link_preview_options=preview,
                    **common,
                )
                return int(message.message_id)
            if kind == PayloadKind.COPY:
                result = await bot.copy_message(
                    chat_id, payload.from_chat_id, payload.message_id, **(caption if text else {}), **common
                )
                return int(result.message_id)
            method, field = {
                PayloadKind.PHOTO: (bot.send_photo, "photo"),
                PayloadKind.DOCUMENT: (bot.send_document, "document"),
                PayloadKind.VOICE: (bot.send_voice, "voice"),
                PayloadKind.VIDEO: (bot.send_video, "video"),
                PayloadKind.AUDIO: (bot.send_audio, "audio"),
                PayloadKind.ANIMATION: (bot.send_animation, "animation"),
            }[kind]
            message = await method(chat_id, **{field: payload.file_id}, **caption, **common)
            return int(message.message_id)

        return request

    async def _followup(self, item: service.Work) -> None:
        """Pin a sent copy, or bring it up to the campaign's latest version."""
        item.attempts += 1
        await self.limiter.acquire(item.chat_id)
        try:
            if item.needs_pin:
                await self.bot.pin_chat_message(
                    item.chat_id, item.message_id, disable_notification=True, **self._extra()
                )
                async with self.db() as session:
                    await service.followup_done(session, item, pinned=True)
                return
            if item.needs_edit:
                await self._request_edit(item, Payload.from_dict(item.payload))
            async with self.db() as session:
                await service.followup_done(session, item, edited_version=item.version)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                async with self.db() as session:
                    await service.followup_done(session, item, edited_version=item.version)
                return
            await self._failed_request(item, exc)
        except Exception as exc:
            await self._failed_request(item, exc)

    async def _request_edit(self, item: service.Work, payload: Payload) -> None:
        entities = [MessageEntity.de_json(e, self.bot) for e in payload.entities] or None
        markup = self._markup(item, payload)
        if payload.kind == PayloadKind.TEXT:
            preview = None if payload.link_preview else LinkPreviewOptions(is_disabled=True)
            await self.bot.edit_message_text(
                payload.text,
                chat_id=item.chat_id,
                message_id=item.message_id,
                entities=entities,
                parse_mode=payload.parse_mode,
                link_preview_options=preview,
                reply_markup=markup,
                **self._extra(),
            )
        else:
            await self.bot.edit_message_caption(
                chat_id=item.chat_id,
                message_id=item.message_id,
                caption=payload.text or None,
                caption_entities=entities,
                parse_mode=payload.parse_mode,
                reply_markup=markup,
                **self._extra(),
            )

    # --- progress -----------------------------------------------------------------------------

    async def _tick_forever(self, keep: Callable[[], bool]) -> None:
        while keep() and not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("delivery progress report failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.config.progress_interval)

    async def tick(self) -> None:
        """Tell listeners about campaigns whose counts changed, and finish the complete ones.

        The final report is handed to listeners before the campaign is marked finished, so a crash in
        between repeats the report rather than losing it.
        """
        async with self.db() as session:
            campaigns = await service.campaigns_in_progress(session)
            for campaign in campaigns:
                assert campaign.id is not None
                final = await service.completed_counts(session, campaign)
                if final is not None:
                    self._last_counts.pop(campaign.id, None)
                    await self._emit(Progress(campaign, final, finished=True))
                    await service.mark_finished(session, campaign)
                    continue
                counts = await service.campaign_counts(session, campaign.id)
                if counts.done and counts != self._last_counts.get(campaign.id):
                    self._last_counts[campaign.id] = counts
                    await self._emit(Progress(campaign, counts, finished=False))

    async def _emit(self, progress: Progress) -> None:
        for listener in [*self._listeners.get(progress.campaign.kind, []), *self._listeners.get("*", [])]:
            try:
                await listener(progress)
            except Exception:
                log.exception("progress listener of campaign %s failed", progress.campaign.id)
