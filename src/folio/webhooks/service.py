"""Webhook endpoints of a team, and the deliveries every event creates for them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from folio.webhooks.repository import WebhookRepository
from folio.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookTestResult,
    WebhookUpdate,
)
from folio.webhooks.sender import (
    TargetRefused,
    check_target,
    guarded_client,
    new_signing_secret,
    send,
)

WAKE = "webhooks.wake"


def wants(endpoint: WebhookEndpoint, event_type: str) -> bool:
    if not endpoint.event_types:
        return True
    return any(
        pattern == event_type or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
        for pattern in endpoint.event_types
    )


def payload_bytes(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


class WebhookService:
    async def create(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, data: WebhookCreate
    ) -> WebhookCreated:
        await self._check_url(runtime, str(data.url))
        endpoint = WebhookEndpoint(
            id=new_id(IdPrefix.webhook),
            team_id=principal.team_id,
            url=str(data.url),
            description=data.description,
            event_types=data.event_types,
            secret=new_signing_secret(),
            created_by=principal.user_id,
            max_attempts=data.max_attempts or runtime.settings.webhook_max_attempts,
        )
        WebhookRepository.from_session(session).add(endpoint)
        await session.flush()
        return WebhookCreated(
            **WebhookRead.model_validate(endpoint).model_dump(), secret=endpoint.secret
        )

    async def _check_url(self, runtime: Runtime, url: str) -> None:
        try:
            await check_target(url, runtime.settings.webhook_allowed_hosts)
        except TargetRefused as exc:
            raise ValidationFailed([FieldError("url", "target_refused", str(exc))]) from exc

    async def get(
        self, session: AsyncSession, principal: Principal, endpoint_id: str
    ) -> WebhookEndpoint:
        endpoint = await WebhookRepository.from_session(session).get(principal, endpoint_id)
        if endpoint is None:
            raise NotFound(f"No webhook {endpoint_id}.")
        return endpoint

    async def list_webhooks(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[WebhookEndpoint]:
        rows = await WebhookRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda endpoint: endpoint.id)

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        endpoint_id: str,
        data: WebhookUpdate,
    ) -> WebhookEndpoint:
        endpoint = await self.get(session, principal, endpoint_id)
        changes = data.model_dump(exclude_unset=True, mode="json")
        if changes.get("url") is not None:
            await self._check_url(runtime, changes["url"])
        for field in ("url", "description", "event_types", "max_attempts", "is_active"):
            if field in changes and (changes[field] is not None or field == "description"):
                setattr(endpoint, field, changes[field])
        if changes.get("is_active"):
            endpoint.disabled_at = endpoint.disabled_reason = None
            endpoint.consecutive_failures = 0
        return endpoint

    async def delete(self, session: AsyncSession, principal: Principal, endpoint_id: str) -> None:
        await session.delete(await self.get(session, principal, endpoint_id))

    async def test(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, endpoint_id: str
    ) -> WebhookTestResult:
        endpoint = await self.get(session, principal, endpoint_id)
        event = Event(
            type="webhook.test",
            team_id=endpoint.team_id,
            data={"webhook_id": endpoint.id, "message": "Test delivery from Folio"},
        )
        settings = runtime.settings
        async with guarded_client(
            settings.webhook_allowed_hosts, settings.webhook_timeout_s
        ) as client:
            result = await send(
                client,
                endpoint.url,
                secret=endpoint.secret,
                message_id=event.id,
                body=payload_bytes(event.model_dump(mode="json")),
                allowed=settings.webhook_allowed_hosts,
                max_redirects=settings.webhook_max_redirects,
            )
        return WebhookTestResult(
            ok=result.ok,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            response_excerpt=result.response_excerpt,
            error=result.error,
        )

    async def deliveries(
        self, session: AsyncSession, principal: Principal, endpoint_id: str, page: PageParams
    ) -> Page[DeliveryRead]:
        endpoint = await self.get(session, principal, endpoint_id)
        rows = await WebhookRepository.from_session(session).deliveries(
            endpoint, limit=page.limit, before=page.after
        )
        items = [DeliveryRead.model_validate(row) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda delivery: delivery.id)

    async def redeliver(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        endpoint_id: str,
        delivery_id: str,
    ) -> DeliveryRead:
        endpoint = await self.get(session, principal, endpoint_id)
        delivery = await WebhookRepository.from_session(session).delivery(endpoint, delivery_id)
        if delivery is None:
            raise NotFound(f"No delivery {delivery_id} for this webhook.")
        delivery.status, delivery.attempts = DeliveryStatus.pending, 0
        delivery.next_attempt_at, delivery.claimed_until = utcnow(), None
        self._wake_after_commit(session, runtime)
        return DeliveryRead.model_validate(delivery)

    async def enqueue_for_event(
        self, session: AsyncSession, runtime: Runtime, event: Event
    ) -> None:
        """Deliveries are written in the event's own transaction: none is ever lost."""
        await self.enqueue_for_events(session, runtime, [event])

    async def enqueue_for_events(
        self, session: AsyncSession, runtime: Runtime, events: Sequence[Event]
    ) -> None:
        """Like :meth:`enqueue_for_event` for many events: one endpoint lookup per team."""
        repository = WebhookRepository.from_session(session)
        active = {
            team_id: await repository.active_for_team(team_id)
            for team_id in dict.fromkeys(event.team_id for event in events)
        }
        delivered = False
        for event in events:
            endpoints = [e for e in active[event.team_id] if wants(e, event.type)]
            payload = event.model_dump(mode="json") if endpoints else None
            for endpoint in endpoints:
                repository.add(
                    WebhookDelivery(
                        id=new_id(IdPrefix.delivery),
                        team_id=endpoint.team_id,
                        endpoint_id=endpoint.id,
                        event_id=event.id,
                        event_type=event.type,
                        payload=payload,
                        next_attempt_at=utcnow(),
                    )
                )
            delivered = delivered or bool(endpoints)
        if delivered:
            self._wake_after_commit(session, runtime)

    def _wake_after_commit(self, session: AsyncSession, runtime: Runtime) -> None:
        wake = runtime.state.get(WAKE)
        if wake is not None:

            async def notify() -> None:
                wake()

            after_commit(session, notify)


webhook = WebhookService()
