from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from folio.core.leases import LeaseQueue
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookRepository(TeamScopedRepository[WebhookEndpoint]):
    model = WebhookEndpoint

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[WebhookEndpoint]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def active_for_team(self, team_id: str) -> Sequence[WebhookEndpoint]:
        """For the event fan-out, which acts for the event's own team."""
        return await self.get_all(self.owned_by(team_id).where(WebhookEndpoint.is_active.is_(True)))

    async def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        return await self.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)

    def add(self, row: WebhookEndpoint | WebhookDelivery) -> None:
        self.session.add(row)

    async def deliveries(
        self, endpoint: WebhookEndpoint, *, limit: int, before: str | None
    ) -> Sequence[WebhookDelivery]:
        """The deliveries of an endpoint the caller loaded scoped."""
        statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        return await self.page_before(
            statement, limit=limit, before=before, column=WebhookDelivery.id
        )

    async def delivery(self, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.id == delivery_id
            )
        )

    async def claim_due(self, now: datetime, lease: timedelta, *, limit: int) -> list[str]:
        """Due deliveries no sender holds become this process's for ``lease``: one sender
        per delivery even with several API processes."""
        return await DELIVERIES.claim(self.session, None, now=now, lease=lease, limit=limit)

    async def get_delivery(self, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.get(WebhookDelivery, delivery_id, populate_existing=True)


# a delivery stays pending while it is sent: only its lease says a sender holds it
DELIVERIES = LeaseQueue(
    WebhookDelivery,
    expires=WebhookDelivery.claimed_until,
    held=WebhookDelivery.status == DeliveryStatus.pending,
    due=WebhookDelivery.next_attempt_at,
    order_by=[WebhookDelivery.next_attempt_at],
)
