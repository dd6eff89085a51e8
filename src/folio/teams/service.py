"""Teams and their members: create, read, update, delete, roles of members."""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from folio.config import Settings
from folio.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from folio.core.events import Event, access_changed
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import BUILTIN_ROLE_PERMISSIONS, BuiltinRole, Permission
from folio.core.plans import PlanLimit, ensure_room, most_generous
from folio.core.principal import Credential, Principal
from folio.core.runtime import Runtime
from folio.documents.repository import DocumentRepository
from folio.events.service import event as event_service
from folio.retention.actions import remove_files_after_commit
from folio.retention.service import retention as retention_service
from folio.teams.access import TeamAccess, ensure_grantable, role_permissions, team_access
from folio.teams.models import Membership, Role, RoleAssignment, Team
from folio.teams.repository import TeamRepository
from folio.teams.schemas import MemberRead, TeamCreate, TeamRead, TeamSettings, TeamUpdate
from folio.users.models import User


class LastOwner(Conflict):
    code = "LAST_OWNER"
    title = "A team needs at least one owner"


class TeamFull(Conflict):
    code = "TEAM_FULL"
    title = "The team has reached its maximum number of members"


def default_permissions(team: Team) -> frozenset[Permission]:
    return frozenset(Permission(p) for p in team.settings.get("default_permissions") or ())


def team_read(team: Team, membership: Membership | None, member_count: int | None) -> TeamRead:
    return TeamRead(
        id=team.id,
        name=team.name,
        description=team.description,
        is_personal=team.is_personal,
        plan=team.plan,
        settings=team.settings,
        role=membership.role if membership else None,
        member_count=member_count,
        created_at=team.created_at,
    )


def member_read(membership: Membership, user: User) -> MemberRead:
    return MemberRead(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=membership.role,
        status=membership.status,
        joined_at=membership.created_at,
    )


class TeamService:
    async def create_personal(self, session: AsyncSession, user: User) -> Team:
        team = Team(
            id=new_id(IdPrefix.team),
            name=f"{user.name or user.email}'s team",
            is_personal=True,
            created_by=user.id,
            settings={},
        )
        await self._add_with_owner(session, team, user.id)
        return team

    async def _add_with_owner(self, session: AsyncSession, team: Team, user_id: str) -> None:
        repository = TeamRepository.from_session(session)
        await repository.add(team)
        await repository.add(
            Membership(
                id=new_id(IdPrefix.member), team_id=team.id, user_id=user_id, role=BuiltinRole.owner
            )
        )

    async def create(
        self, session: AsyncSession, principal: Principal, settings: Settings, data: TeamCreate
    ) -> TeamRead:
        if principal.credential != Credential.user or principal.user_id is None:
            raise Forbidden("Teams are created by signed-in users, not API keys.")
        self._check_settings(BUILTIN_ROLE_PERMISSIONS[BuiltinRole.owner], data.settings)
        await self._ensure_team_room(session, settings, principal.user_id)
        team = Team(
            id=new_id(IdPrefix.team),
            name=data.name,
            description=data.description,
            settings=data.settings.model_dump(mode="json"),
            created_by=principal.user_id,
        )
        await self._add_with_owner(session, team, principal.user_id)
        membership = await TeamRepository.from_session(session).membership(
            team.id, principal.user_id
        )
        return team_read(team, membership, 1)

    async def _ensure_team_room(
        self, session: AsyncSession, settings: Settings, user_id: str
    ) -> None:
        """The plan's ``teams``: each team brings fresh quotas, so a user creates at most
        the most generous limit among the plans of the teams they own."""
        repository = TeamRepository.from_session(session)
        created = await repository.lock_created_by(user_id)
        plans = await repository.owned_plans(user_id)
        allowed = most_generous(settings, plans, PlanLimit.teams)
        ensure_room(created, allowed, PlanLimit.teams, holder="Your plan")

    async def set_plan(
        self, session: AsyncSession, settings: Settings, team_id: str, plan: str
    ) -> Team:
        """An operator's change (``folio admin set-plan``): the plan must be one the settings
        name, or the team would silently fall back to free's limits."""
        known = set(settings.rate_limit_plans) | set(settings.quota_plans)
        known |= set(settings.plan_limits)
        if plan not in known:
            raise ValidationFailed(
                [FieldError("plan", "unknown", f"Known plans: {', '.join(sorted(known))}.")]
            )
        team = await self.get_unscoped(session, team_id)
        team.plan = plan
        return team

    async def get_unscoped(self, session: AsyncSession, team_id: str) -> Team:
        """Any team, for an operator (system admin or CLI); 404 when it does not exist."""
        team = await TeamRepository.from_session(session).get_unscoped(team_id)
        if team is None:
            raise NotFound(f"No team {team_id}.")
        return team

    async def list_teams(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[TeamRead]:
        repository = TeamRepository.from_session(session)
        if principal.credential != Credential.user:
            team = await repository.get(principal, principal.team_id)
            items = [team_read(team, None, None)] if team else []
            return Page(items=items, next_cursor=None, has_more=False)
        rows = await repository.list_for_user(
            principal.user_id or "", limit=page.limit, after=page.after
        )
        items = [team_read(team, membership, None) for team, membership in rows]
        return Page.from_rows(items, page.limit, cursor=lambda read: read.id)

    async def get(self, session: AsyncSession, principal: Principal, team_id: str) -> TeamRead:
        access = await team_access(session, principal, team_id)
        count = await TeamRepository.from_session(session).count_members(team_id)
        return team_read(access.team, access.membership, count)

    async def update(
        self, session: AsyncSession, principal: Principal, team_id: str, data: TeamUpdate
    ) -> TeamRead:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        self._check_settings(access.permissions, data.settings)
        changes = data.model_dump(exclude_unset=True, mode="json")
        for field in ("name", "description", "settings"):
            if field in changes and (changes[field] is not None or field == "description"):
                setattr(access.team, field, changes[field])
        return await self.get(session, principal, team_id)

    def _check_settings(
        self, granter: frozenset[Permission], settings: TeamSettings | None
    ) -> None:
        """Default permissions are granted to every new member: only what you hold."""
        if settings is not None:
            ensure_grantable(granter, frozenset(settings.default_permissions))

    async def check_capacity(
        self, session: AsyncSession, team: Team, *, with_pending: bool
    ) -> None:
        """``max_members`` counts active members, and pending ones when ``with_pending``."""
        limit = team.settings.get("max_members")
        repository = TeamRepository.from_session(session)
        count = await repository.count_members(team.id, with_pending=with_pending)
        if isinstance(limit, int) and count >= limit:
            raise TeamFull(f"The team has reached its limit of {limit} members.")

    async def grant_defaults(
        self, session: AsyncSession, team: Team, membership: Membership
    ) -> None:
        """Gives a new member the team's ``default_permissions`` their role lacks, through a
        custom role named after that set (so later changes to the setting touch nobody
        who joined before)."""
        role_grants = await role_permissions(session, team.id, membership.role) or frozenset()
        extra = sorted(default_permissions(team) - role_grants)
        if not extra:
            return
        repository = TeamRepository.from_session(session)
        name = f"Default permissions {hashlib.sha256(','.join(extra).encode()).hexdigest()[:8]}"
        role = await repository.role_by_name(team.id, name)
        if role is None:
            role = Role(
                id=new_id(IdPrefix.role),
                team_id=team.id,
                name=name,
                description="Granted to new members by the team's default_permissions.",
                permissions=extra,
            )
            await repository.add(role)
        await repository.add(
            RoleAssignment(
                id=new_id(IdPrefix.assignment),
                team_id=team.id,
                user_id=membership.user_id,
                role=role.id,
                scope={},
            )
        )

    async def delete(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, team_id: str
    ) -> None:
        """With its documents: their rows by cascade, their search index, and once this
        commits every file under the team's folder in the blob store."""
        access = await team_access(session, principal, team_id)
        if not access.is_owner:
            raise Forbidden("Only an owner can delete a team.")
        if access.team.is_personal:
            raise Conflict("A personal team cannot be deleted.")
        await retention_service.refuse_held_team(session, team_id)
        await DocumentRepository.from_session(session).unindex_team(team_id)
        await TeamRepository.from_session(session).delete(access.team)
        remove_files_after_commit(session, runtime, team_id)
        access_changed(session, team_id=team_id)

    async def members(
        self, session: AsyncSession, principal: Principal, team_id: str
    ) -> list[MemberRead]:
        await team_access(session, principal, team_id)
        rows = await TeamRepository.from_session(session).members(team_id)
        return [member_read(membership, user) for membership, user in rows]

    async def change_role(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        team_id: str,
        user_id: str,
        role: str,
    ) -> MemberRead:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        membership, user = await self._member(session, team_id, user_id)
        await self.check_grantable(session, access, role)
        if membership.role == BuiltinRole.owner and role != BuiltinRole.owner:
            self._owner_only(access, "demote")
            await self._keep_an_owner(session, team_id)
        previous, membership.role = membership.role, role
        access_changed(session, team_id=team_id, user_id=user_id)
        await self.announce(
            session,
            runtime,
            "team.role_changed",
            team_id,
            user_id,
            role=role,
            previous_role=previous,
        )
        return member_read(membership, user)

    async def check_grantable(self, session: AsyncSession, access: TeamAccess, role: str) -> None:
        permissions = await role_permissions(session, access.team.id, role)
        if permissions is None:
            raise ValidationFailed([FieldError("role", "unknown", f"No role {role} here.")])
        if role == BuiltinRole.owner and not access.is_owner:
            raise Forbidden("Only an owner can make someone an owner.")
        ensure_grantable(access.permissions, permissions)

    async def remove_member(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        team_id: str,
        user_id: str,
    ) -> None:
        access = await team_access(session, principal, team_id)
        if user_id != principal.user_id:
            access.require(Permission.team_manage)
        membership, _ = await self._member(session, team_id, user_id)
        if membership.role == BuiltinRole.owner:
            if user_id != principal.user_id:
                self._owner_only(access, "remove")
            await self._keep_an_owner(session, team_id)
        await TeamRepository.from_session(session).delete(membership)
        access_changed(session, team_id=team_id, user_id=user_id)
        await self.announce(
            session, runtime, "team.member_left", team_id, user_id, removed_by=principal.user_id
        )

    async def approve_member(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        team_id: str,
        user_id: str,
    ) -> MemberRead:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        membership, user = await self._member(session, team_id, user_id)
        if membership.status == "active":
            return member_read(membership, user)
        await self.check_capacity(session, access.team, with_pending=False)
        membership.status = "active"
        await self.announce(
            session, runtime, "team.member_joined", team_id, user_id, role=membership.role
        )
        return member_read(membership, user)

    async def add_member(
        self,
        session: AsyncSession,
        runtime: Runtime,
        team: Team,
        user_id: str,
        role: str,
        *,
        pending: bool,
    ) -> Membership:
        """A member joined by the system (single sign-on), not by an invitation: pending
        until a team admin approves, or active at once."""
        await self.check_capacity(session, team, with_pending=pending)
        membership = Membership(
            id=new_id(IdPrefix.member),
            team_id=team.id,
            user_id=user_id,
            role=role,
            status="pending" if pending else "active",
        )
        await TeamRepository.from_session(session).add(membership)
        if not pending:
            await self.announce(session, runtime, "team.member_joined", team.id, user_id, role=role)
        return membership

    async def announce(
        self,
        session: AsyncSession,
        runtime: Runtime,
        type_: str,
        team_id: str,
        user_id: str,
        **data: object,
    ) -> None:
        await event_service.emit(
            session,
            runtime,
            Event(
                type=type_, team_id=team_id, data={"team_id": team_id, "user_id": user_id, **data}
            ),
        )

    async def _member(
        self, session: AsyncSession, team_id: str, user_id: str
    ) -> tuple[Membership, User]:
        for membership, user in await TeamRepository.from_session(session).members(team_id):
            if user.id == user_id:
                return membership, user
        raise NotFound(f"No member {user_id} in this team.")

    def _owner_only(self, access: TeamAccess, verb: str) -> None:
        if not access.is_owner:
            raise Forbidden(f"Only an owner can {verb} an owner.")

    async def _keep_an_owner(self, session: AsyncSession, team_id: str) -> None:
        owners = await TeamRepository.from_session(session).count_members(
            team_id, role=BuiltinRole.owner
        )
        if owners <= 1:
            raise LastOwner("The last owner cannot leave or be demoted; name another first.")


team = TeamService()
