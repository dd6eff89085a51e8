"""What a member may do in a team: their role's permissions plus live role assignments.

An assignment without a scope adds its role's permissions team-wide; one with a scope (document
or batch ids) adds them only for those resources, and one past its ``expires_at`` adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.core.errors import Forbidden, NotFound
from folio.core.permissions import BUILTIN_ROLE_PERMISSIONS, BuiltinRole, Permission
from folio.core.principal import SCOPE_KEYS, Credential, Principal, ScopedGrant
from folio.teams.models import Membership, RoleAssignment, Team
from folio.teams.repository import TeamRepository


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    membership: Membership | None
    permissions: frozenset[Permission]

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.role == BuiltinRole.owner

    def require(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise Forbidden(f"This action needs the permission {permission} in this team.")


async def role_permissions(
    session: AsyncSession, team_id: str, role: str
) -> frozenset[Permission] | None:
    if role in BuiltinRole.__members__:
        return BUILTIN_ROLE_PERMISSIONS[BuiltinRole(role)]
    custom = await TeamRepository.from_session(session).role(team_id, role)
    return frozenset(Permission(p) for p in custom.permissions) if custom else None


@dataclass(frozen=True)
class MemberGrants:
    membership: Membership
    permissions: frozenset[Permission]  # team-wide
    scoped: tuple[ScopedGrant, ...]  # only for the resources each names


def scoped_grant(assignment: RoleAssignment, permissions: frozenset[Permission]) -> ScopedGrant:
    """Unknown scope keys name no resource: such a grant covers nothing (deny by default)."""
    resource_ids = frozenset(
        (key, str(resource_id))
        for key in SCOPE_KEYS.values()
        for resource_id in assignment.scope.get(key) or ()
    )
    return ScopedGrant(permissions, resource_ids)


async def member_grants(session: AsyncSession, team_id: str, user_id: str) -> MemberGrants | None:
    """None when the user is not an active member of the team."""
    repository = TeamRepository.from_session(session)
    membership = await repository.membership(team_id, user_id)
    if membership is None or membership.status != "active":
        return None
    granted = set(await role_permissions(session, team_id, membership.role) or ())
    scoped = []
    for assignment in await repository.active_assignments(team_id, user_id, utcnow()):
        permissions = await role_permissions(session, team_id, assignment.role) or frozenset()
        if assignment.scope:
            scoped.append(scoped_grant(assignment, permissions))
        else:
            granted |= permissions
    return MemberGrants(membership, frozenset(granted), tuple(scoped))


async def member_permissions(
    session: AsyncSession, team_id: str, user_id: str
) -> tuple[Membership, frozenset[Permission]] | None:
    """The team-wide permissions; None when the user is not an active member of the team."""
    grants = await member_grants(session, team_id, user_id)
    return None if grants is None else (grants.membership, grants.permissions)


async def team_access(session: AsyncSession, principal: Principal, team_id: str) -> TeamAccess:
    """The caller's standing in ``team_id``; another team's id answers 404, never 403."""
    repository = TeamRepository.from_session(session)
    team = await repository.get(principal, team_id)
    if team is None:
        raise NotFound(f"No team {team_id}.")
    if principal.credential != Credential.user:
        # a key acts as its creator's membership, limited to the key's scopes
        membership = await repository.membership(team_id, principal.user_id or "")
        return TeamAccess(team, membership, principal.permissions)
    found = await member_permissions(session, team_id, principal.user_id or "")
    if found is None:
        raise NotFound(f"No team {team_id}.")
    membership, permissions = found
    return TeamAccess(team, membership, permissions)


def ensure_grantable(granter: frozenset[Permission], granted: frozenset[Permission]) -> None:
    """Nobody grants a permission they do not hold."""
    missing = sorted(granted - granter)
    if missing:
        raise Forbidden(f"You cannot grant permissions you do not hold: {', '.join(missing)}.")
