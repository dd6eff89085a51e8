from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, or_, select

from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.sso.models import IdentityProvider, SsoFlow, SsoIdentity, SsoSession
from folio.teams.models import Membership
from folio.users.models import User


class ProviderRepository(TeamScopedRepository[IdentityProvider]):
    """A team's providers, plus the installation-wide ones (``team_id`` null): every team
    may read those; only installation admins change them (the service checks)."""

    model = IdentityProvider

    def readable(self, principal: Principal) -> Select[IdentityProvider]:
        return select(IdentityProvider).where(
            or_(
                IdentityProvider.team_id.in_(principal.team_ids),
                IdentityProvider.team_id.is_(None),
            )
        )

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[IdentityProvider]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def for_sign_in(self, provider_id: str) -> IdentityProvider | None:
        """Any active provider, for an anonymous caller starting or finishing a sign-in."""
        return await self.session.scalar(
            select(IdentityProvider).where(
                IdentityProvider.id == provider_id, IdentityProvider.is_active.is_(True)
            )
        )

    async def active(self) -> Sequence[IdentityProvider]:
        statement = select(IdentityProvider).where(IdentityProvider.is_active.is_(True))
        return await self.get_all(statement.order_by(IdentityProvider.id))

    async def requiring_sso_for(self, user_id: str) -> IdentityProvider | None:
        """An active provider with "SSO required" of a team the user is a member of."""
        statement = (
            select(IdentityProvider)
            .join(Membership, Membership.team_id == IdentityProvider.team_id)
            .where(
                Membership.user_id == user_id,
                IdentityProvider.sso_required.is_(True),
                IdentityProvider.is_active.is_(True),
            )
            .order_by(IdentityProvider.id)
            .limit(1)
        )
        return await self.session.scalar(statement)

    async def members_to_sign_out(self, team_id: str) -> Sequence[str]:
        """The team's members but installation admins (who keep their password)."""
        statement = (
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.team_id == team_id, User.is_admin.is_(False))
        )
        return (await self.session.scalars(statement)).all()

    def add(self, row: IdentityProvider | SsoFlow | SsoIdentity | SsoSession) -> None:
        self.session.add(row)

    async def flow_by_state(self, flow_id: str, state_hash: str) -> SsoFlow | None:
        """Locked for the update that spends it: two callbacks racing with one state
        cannot both succeed."""
        return await self.session.scalar(
            select(SsoFlow)
            .where(SsoFlow.id == flow_id, SsoFlow.state_hash == state_hash)
            .with_for_update()
        )

    async def drop_expired_flows(self, now: datetime) -> None:
        await self.session.execute(delete(SsoFlow).where(SsoFlow.expires_at < now))

    async def identity(self, provider_id: str, subject: str) -> SsoIdentity | None:
        return await self.session.scalar(
            select(SsoIdentity).where(
                SsoIdentity.provider_id == provider_id, SsoIdentity.subject == subject
            )
        )

    async def sso_session(self, session_id: str) -> SsoSession | None:
        return await self.session.get(SsoSession, session_id)
