"""Sends due webhook deliveries in the background, with retries and automatic disabling.

Runs in every API process; deliveries are claimed with a lease, so several processes share
the queue without sending one delivery twice at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

import httpx

from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.runtime import Runtime
from folio.metrics.collectors import record_webhook_delivery
from folio.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from folio.webhooks.repository import WebhookRepository
from folio.webhooks.sender import SendResult, guarded_client, payload_bytes_excerpt, send
from folio.webhooks.service import WAKE, payload_bytes

logger = logging.getLogger("folio.webhooks")
BATCH = 20
LEASE = timedelta(seconds=120)


class WebhookDispatcher:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        settings = self.runtime.settings
        self._client = guarded_client(settings.webhook_allowed_hosts, settings.webhook_timeout_s)
        self.runtime.state[WAKE] = self._wake.set
        self._task = asyncio.create_task(self._run_forever(), name="folio-webhooks")

    async def stop(self) -> None:
        self.runtime.state.pop(WAKE, None)
        self._stopping.set()
        self._wake.set()
        await stop_task(self._task)
        if self._client is not None:
            await self._client.aclose()

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                sent = await self.send_due()
            except Exception:
                logger.exception("webhook dispatch failed; retrying")
                sent = 0
            if sent < BATCH and not self._stopping.is_set():
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.runtime.settings.webhook_poll_s):
                        await self._wake.wait()

    async def send_due(self) -> int:
        claimed = await self._claim()
        await asyncio.gather(*(self._deliver(delivery_id) for delivery_id in claimed))
        return len(claimed)

    async def _claim(self) -> list[str]:
        now = utcnow()
        async with self.runtime.db.session() as session:
            repository = WebhookRepository.from_session(session)
            return await repository.claim_due(now, LEASE, limit=BATCH)

    async def _deliver(self, delivery_id: str) -> None:
        async with self.runtime.db.session(write=False) as session:
            repository = WebhookRepository.from_session(session)
            delivery = await repository.get_delivery(delivery_id)
            endpoint = await repository.endpoint(delivery.endpoint_id) if delivery else None
        if delivery is None:
            return
        result = None
        if endpoint is not None and endpoint.is_active:
            assert self._client is not None
            settings = self.runtime.settings
            result = await send(
                self._client,
                endpoint.url,
                secret=endpoint.secret,
                message_id=delivery.event_id,
                body=payload_bytes(delivery.payload),
                allowed=settings.webhook_allowed_hosts,
                max_redirects=settings.webhook_max_redirects,
            )
        await self._record(delivery_id, result)

    async def _record(self, delivery_id: str, result: SendResult | None) -> None:
        async with self.runtime.db.session() as session:
            repository = WebhookRepository.from_session(session)
            delivery = await repository.get_delivery(delivery_id)
            if delivery is None:
                return
            endpoint = await repository.endpoint(delivery.endpoint_id)
            delivery.claimed_until = None
            if result is None or endpoint is None:
                delivery.status, delivery.last_error = DeliveryStatus.failed, "endpoint disabled"
            else:
                self._apply(delivery, endpoint, result)
            outcome = delivery_outcome(delivery.status)
        record_webhook_delivery(outcome)  # once committed

    def _apply(
        self, delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: SendResult
    ) -> None:
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = result.status_code, result.error
        delivery.last_latency_ms = result.latency_ms
        delivery.response_excerpt = result.response_excerpt
        delivery.request_excerpt = payload_bytes_excerpt(payload_bytes(delivery.payload))
        if result.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.succeeded, utcnow()
            endpoint.consecutive_failures = 0
            return
        endpoint.consecutive_failures += 1
        if result.status_code == 410:
            self._disable(endpoint, "the receiver answered 410 Gone")
        elif endpoint.consecutive_failures >= self.runtime.settings.webhook_disable_after_failures:
            self._disable(endpoint, f"{endpoint.consecutive_failures} failed deliveries in a row")
        if not endpoint.is_active or delivery.attempts >= endpoint.max_attempts:
            delivery.status = DeliveryStatus.failed
        else:
            delivery.next_attempt_at = utcnow() + self._backoff(delivery.attempts)

    def _backoff(self, attempts: int) -> timedelta:
        """Exponential with full jitter, capped."""
        settings = self.runtime.settings
        ceiling = min(
            settings.webhook_retry_max_s, settings.webhook_retry_base_s * 2 ** (attempts - 1)
        )
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))

    def _disable(self, endpoint: WebhookEndpoint, reason: str) -> None:
        endpoint.is_active, endpoint.disabled_at = False, utcnow()
        endpoint.disabled_reason = reason
        logger.warning("webhook %s disabled: %s", endpoint.id, reason)


def delivery_outcome(status: DeliveryStatus) -> str:
    """succeeded, failed (given up) or retrying: what one attempt led to."""
    if status in (DeliveryStatus.succeeded, DeliveryStatus.failed):
        return str(status)
    return "retrying"
