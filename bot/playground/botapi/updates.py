"""Getting updates to the bot: ``getUpdates`` long polling (with Telegram's 409 conflicts),
``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo``, the webhook delivery worker, and the
``allowed_updates`` filter and offset confirmation of the pending-update queue."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aiohttp

from bot.playground.botapi.constants import JSONDict
from bot.playground.botapi.helpers import _now
from bot.playground.botapi.models import ApiError, _bad, _WithDescription
from bot.playground.botapi.parameters import _api, _Params
from bot.playground.botapi.state import _FakeState


class UpdatesMixin(_FakeState):
    """Long polling, webhooks and the pending-update queue."""

    @_api("getUpdates")
    async def _m_get_updates(self, params: _Params) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.int("offset", 0) or 0
        limit = min(100, max(1, params.int("limit", 100) or 100))
        timeout = max(0.0, params.float("timeout", 0.0))
        if "allowed_updates" in params:
            self._set_allowed_updates(params.get("allowed_updates"))
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes an older long poll, which then answers 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = self._deliverable(limit)
            if ready or self._closing:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await self._wait_signal(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
        for update in ready:
            self._delivered_ids.add(update["update_id"])
        if ready:
            self._touch()
        return ready

    @_api("setWebhook")
    def _m_set_webhook(self, params: _Params) -> _WithDescription:
        url = params.str("url", "") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        if "allowed_updates" in params:
            self._set_allowed_updates(params.get("allowed_updates"))
        if params.bool("drop_pending_updates"):
            self._pending.clear()
        already = self._webhook is not None and self._webhook["url"] == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.int("max_connections", 40),
            "ip_address": params.str("ip_address"),
            "has_custom_certificate": "certificate" in params.files,
        }
        self._notify()
        return _WithDescription(True, "Webhook is already set" if already else "Webhook was set")

    @_api("deleteWebhook")
    def _m_delete_webhook(self, params: _Params) -> _WithDescription:
        if params.bool("drop_pending_updates"):
            self._pending.clear()
        existed = self._webhook is not None
        self._webhook = None
        self._notify()
        return _WithDescription(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    @_api("getWebhookInfo")
    def _m_get_webhook_info(self, params: _Params) -> JSONDict:
        pending = len([u for u in self._pending if self._is_allowed(u)])
        if self._webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        info: JSONDict = {
            "url": self._webhook["url"],
            "has_custom_certificate": self._webhook["has_custom_certificate"],
            "pending_update_count": pending,
            "max_connections": self._webhook["max_connections"],
        }
        if self._webhook.get("ip_address"):
            info["ip_address"] = self._webhook["ip_address"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        for key in ("last_error_date", "last_error_message"):
            if key in self._webhook:
                info[key] = self._webhook[key]
        return info

    async def _webhook_worker(self) -> None:
        backoff = 0.05
        while not self._closing:
            webhook = self._webhook
            batch = self._deliverable(1) if webhook is not None else []
            if webhook is None or not batch or self._session is None:
                await self._wait_signal(1.0)
                continue
            update = batch[0]
            headers = {}
            if webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
            outcome: int | str
            try:
                async with self._session.post(
                    webhook["url"], json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                ) as response:
                    await response.read()
                    outcome = response.status
                    reason = response.reason or ""
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                outcome, reason = f"{type(exc).__name__}: {exc}", ""
            self.webhook_deliveries.append((update["update_id"], outcome))
            self._notify()
            if isinstance(outcome, int) and 200 <= outcome < 300:
                backoff = 0.05
                self._delivered_ids.add(update["update_id"])
                self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                self._touch()
                self._notify()
                continue
            if webhook is self._webhook:
                webhook["last_error_date"] = _now()
                webhook["last_error_message"] = (
                    f"Wrong response from the webhook: {outcome} {reason}".strip()
                    if isinstance(outcome, int)
                    else "Connection refused"
                )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    def _deliverable(self, limit: int) -> list[JSONDict]:
        kept = []
        for update in self._pending:
            if self._is_allowed(update):
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        self._pending = kept
        return kept[:limit]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _set_allowed_updates(self, value: Any) -> None:
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, list):
            self._allowed_updates = [str(v) for v in value]
