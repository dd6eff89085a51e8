from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: AsyncSession) -> WebhookRepository:
        return cls(session)

    def readable(self, principal: Principal) -> Select[WebhookEndpoint]:
        return select(WebhookEndpoint).where(WebhookEndpoint.team_id.in_(principal.team_ids))

    async def get(self, principal: Principal, endpoint_id: str) -> WebhookEndpoint | None:
        return await self.session.scalar(
            self.readable(principal).where(WebhookEndpoint.id == endpoint_id)
        )

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[WebhookEndpoint]:
        statement = self.readable(principal).order_by(WebhookEndpoint.id).limit(limit + 1)
        if after is not None:
            statement = statement.where(WebhookEndpoint.id > after)
        return (await self.session.scalars(statement)).all()

    async def active_for_team(self, team_id: str) -> Sequence[WebhookEndpoint]:
        statement = select(WebhookEndpoint).where(
            WebhookEndpoint.team_id == team_id, WebhookEndpoint.is_active.is_(True)
        )
        return (await self.session.scalars(statement)).all()

    async def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        return await self.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)

    def add(self, row: WebhookEndpoint | WebhookDelivery) -> None:
        self.session.add(row)

    async def deliveries(
        self, endpoint: WebhookEndpoint, *, limit: int, before: str | None
    ) -> Sequence[WebhookDelivery]:
        statement = (
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            statement = statement.where(WebhookDelivery.id < before)
        return (await self.session.scalars(statement)).all()

    async def delivery(self, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.id == delivery_id
            )
        )

    async def due_ids(self, now: datetime, *, limit: int) -> Sequence[str]:
        statement = (
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.status == DeliveryStatus.pending,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def claim(self, delivery_id: str, now: datetime, until: datetime) -> bool:
        """Compare-and-set: one sender per delivery even with several API processes."""
        result = await self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.pending,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            )
            .values(claimed_until=until)
        )
        return rowcount(result) == 1

    async def get_delivery(self, delivery_id: str) -> WebhookDelivery | None:
        return await self.session.get(WebhookDelivery, delivery_id, populate_existing=True)
