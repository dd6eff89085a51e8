from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from folio.core.permissions import BuiltinRole
from folio.core.principal import Credential, Principal
from folio.core.repository import TeamScopedRepository, keyset
from folio.teams.models import Invitation, Membership, Role, RoleAssignment, Team
from folio.users.models import User


class TeamRepository(TeamScopedRepository[Team]):
    """Teams and what belongs to them: memberships, roles, assignments, invitations (loaded
    for a team the caller reached through ``readable``)."""

    model = Team
    team_column = "id"  # a team owns itself

    def readable(self, principal: Principal) -> Select[Team]:
        """A person reads the teams they are an active member of; a key, a share link or the
        embedded default team only the team it acts for."""
        if principal.credential != Credential.user:
            return self.scoped_to({principal.team_id} & principal.team_ids)
        memberships = select(Membership.team_id).where(
            Membership.user_id == principal.user_id, Membership.status == "active"
        )
        return select(Team).where(Team.id.in_(memberships))

    async def add(self, row: Team | Membership | Role | RoleAssignment | Invitation) -> None:
        self.session.add(row)
        await self.session.flush()

    async def get_unscoped(self, team_id: str) -> Team | None:
        """For authentication, which finds a key's team before any principal exists."""
        return await self.session.get(Team, team_id)

    async def lock(self, team_id: str) -> None:
        """Holds the team's row until commit (PostgreSQL; SQLite's write transactions are
        exclusive anyway): a count-then-insert under a plan limit runs one at a time."""
        await self.session.execute(select(Team.id).where(Team.id == team_id).with_for_update())

    async def lock_created_by(self, user_id: str) -> int:
        """How many existing teams ``user_id`` created, their rows held until commit
        (PostgreSQL), so two creations by one user count one after the other."""
        statement = select(Team.id).where(Team.created_by == user_id).with_for_update()
        return len((await self.session.scalars(statement)).all())

    async def owned_plans(self, user_id: str) -> set[str]:
        statement = (
            select(Team.plan)
            .join(Membership, Membership.team_id == Team.id)
            .where(
                Membership.user_id == user_id,
                Membership.role == BuiltinRole.owner,
                Membership.status == "active",
            )
            .distinct()
        )
        return set((await self.session.scalars(statement)).all())

    async def get_by_slug(self, slug: str) -> Team | None:
        return await self.session.scalar(select(Team).where(Team.slug == slug))

    def teams_of(self, user_id: str) -> Select[Team, Membership]:
        return (
            select(Team, Membership)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user_id, Membership.status == "active")
        )

    async def members_per_team(self) -> dict[str, int]:
        """Every team's active members: for system admins (``folio.admin``)."""
        statement = (
            select(Membership.team_id, func.count())
            .where(Membership.status == "active")
            .group_by(Membership.team_id)
        )
        return {team: int(n) for team, n in (await self.session.execute(statement)).all()}

    async def all_teams_of(self, user_id: str) -> Sequence[tuple[Team, Membership]]:
        """Every team ``user_id`` belongs to, pending memberships included."""
        statement = (
            select(Team, Membership)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user_id)
            .order_by(Team.id)
        )
        return [(team, membership) for team, membership in await self.session.execute(statement)]

    async def list_for_user(
        self, user_id: str, *, limit: int, after: str | None
    ) -> Sequence[tuple[Team, Membership]]:
        statement = keyset(
            self.teams_of(user_id), Team.id, limit=limit, cursor=after, newest_first=False
        )
        return [(team, membership) for team, membership in await self.session.execute(statement)]

    async def membership(self, team_id: str, user_id: str) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(Membership.team_id == team_id, Membership.user_id == user_id)
        )

    async def members(self, team_id: str) -> Sequence[tuple[Membership, User]]:
        statement = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.team_id == team_id)
            .order_by(Membership.id)
        )
        return [(membership, user) for membership, user in await self.session.execute(statement)]

    async def count_members(
        self, team_id: str, *, role: str | None = None, with_pending: bool = False
    ) -> int:
        statuses = ("active", "pending") if with_pending else ("active",)
        statement = (
            select(func.count())
            .select_from(Membership)
            .where(Membership.team_id == team_id, Membership.status.in_(statuses))
        )
        if role is not None:
            statement = statement.where(Membership.role == role)
        return int(await self.session.scalar(statement) or 0)

    async def roles(self, team_id: str) -> Sequence[Role]:
        statement = select(Role).where(Role.team_id == team_id).order_by(Role.id)
        return (await self.session.scalars(statement)).all()

    async def role_by_name(self, team_id: str, name: str) -> Role | None:
        return await self.session.scalar(
            select(Role).where(Role.team_id == team_id, Role.name == name)
        )

    async def role(self, team_id: str, role_id: str) -> Role | None:
        return await self.session.scalar(
            select(Role).where(Role.team_id == team_id, Role.id == role_id)
        )

    async def active_assignments(
        self, team_id: str, user_id: str | None, now: datetime
    ) -> Sequence[RoleAssignment]:
        statement = select(RoleAssignment).where(
            RoleAssignment.team_id == team_id,
            or_(RoleAssignment.expires_at.is_(None), RoleAssignment.expires_at > now),
        )
        if user_id is not None:
            statement = statement.where(RoleAssignment.user_id == user_id)
        return (await self.session.scalars(statement.order_by(RoleAssignment.id))).all()

    async def assignment(self, team_id: str, assignment_id: str) -> RoleAssignment | None:
        return await self.session.scalar(
            select(RoleAssignment).where(
                RoleAssignment.team_id == team_id, RoleAssignment.id == assignment_id
            )
        )

    async def invitations(self, team_id: str) -> Sequence[Invitation]:
        statement = select(Invitation).where(Invitation.team_id == team_id).order_by(Invitation.id)
        return (await self.session.scalars(statement)).all()

    async def invitation(self, team_id: str, invitation_id: str) -> Invitation | None:
        return await self.session.scalar(
            select(Invitation).where(Invitation.team_id == team_id, Invitation.id == invitation_id)
        )

    async def invitation_by_token(self, token_hash: str) -> Invitation | None:
        return await self.session.scalar(
            select(Invitation).where(Invitation.token_hash == token_hash)
        )

    async def delete(self, row: object) -> None:
        await self.session.delete(row)
        await self.session.flush()
