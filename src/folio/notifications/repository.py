from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select, update

from folio.core.db import rowcount
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.notifications.models import Notification, NotificationPreference
from folio.notifications.schemas import Category
from folio.teams.models import Membership
from folio.users.models import User


class NotificationRepository(TeamScopedRepository[Notification]):
    model = Notification

    def readable(self, principal: Principal) -> Select[Notification]:
        """A person's own notifications in the request's team, and their system-wide ones
        (broadcasts, maintenance), whichever team they act in."""
        return select(Notification).where(self._own(principal))

    def _own(self, principal: Principal) -> ColumnElement[bool]:
        return and_(
            Notification.user_id == principal.user_id,
            or_(
                Notification.team_id.in_(principal.team_ids),
                Notification.category == Category.system,
            ),
        )

    async def list_page(
        self,
        principal: Principal,
        *,
        read: bool | None,
        category: str | None,
        limit: int,
        before: str | None,
    ) -> Sequence[Notification]:
        statement = self.readable(principal)
        if read is not None:
            statement = statement.where(
                Notification.read_at.is_not(None) if read else Notification.read_at.is_(None)
            )
        if category is not None:
            statement = statement.where(Notification.category == category)
        return await self.page_before(statement, limit=limit, before=before)

    async def mark_all_read(self, principal: Principal, now: datetime) -> int:
        result = await self.session.execute(
            update(Notification)
            .where(self._own(principal), Notification.read_at.is_(None))
            .values(read_at=now)
        )
        return rowcount(result) or 0

    async def preference(self, user_id: str) -> NotificationPreference | None:
        return await self.session.get(NotificationPreference, user_id)

    def add(self, row: Notification | NotificationPreference) -> None:
        self.session.add(row)

    async def recipients(self, team_id: str) -> Sequence[tuple[str, NotificationPreference | None]]:
        statement = (
            select(Membership.user_id, NotificationPreference)
            .outerjoin(NotificationPreference, NotificationPreference.user_id == Membership.user_id)
            .where(Membership.team_id == team_id, Membership.status == "active")
        )
        return [
            (user_id, preference) for user_id, preference in await self.session.execute(statement)
        ]

    async def everyone(self) -> Sequence[tuple[str, str, NotificationPreference | None]]:
        """Every active account with its personal team, for system-wide notifications."""
        statement = (
            select(User.id, User.personal_team_id, NotificationPreference)
            .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(User.is_active.is_(True), User.personal_team_id.is_not(None))
        )
        return [
            (user_id, team_id, preference)
            for user_id, team_id, preference in await self.session.execute(statement)
            if team_id is not None  # always (the WHERE): narrows the column's type
        ]

    async def digest_due(self, frequency: str, since: datetime) -> Sequence[NotificationPreference]:
        statement = select(NotificationPreference).where(
            NotificationPreference.email_enabled.is_(True),
            NotificationPreference.digest_frequency == frequency,
            (NotificationPreference.last_digest_at.is_(None))
            | (NotificationPreference.last_digest_at < since),
        )
        return (await self.session.scalars(statement)).all()

    async def unread_since(self, user_id: str, since: datetime | None) -> Sequence[Notification]:
        statement = select(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if since is not None:
            statement = statement.where(Notification.created_at > since)
        return (await self.session.scalars(statement.order_by(Notification.id))).all()
