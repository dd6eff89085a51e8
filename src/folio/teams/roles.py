"""Custom roles and role assignments (optionally scoped and expiring); who-can-do-what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.batches.repository import BatchRepository
from folio.core.db import utcnow
from folio.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from folio.core.events import access_changed
from folio.core.ids import IdPrefix, new_id
from folio.core.permissions import BuiltinRole, Permission
from folio.core.principal import Principal
from folio.documents.repository import DocumentRepository
from folio.teams.access import (
    ensure_grantable,
    member_grants,
    member_permissions,
    role_permissions,
    team_access,
)
from folio.teams.models import Role, RoleAssignment
from folio.teams.repository import TeamRepository
from folio.teams.schemas import (
    AssignmentScope,
    PermissionAuditEntry,
    RoleAssignmentCreate,
    RoleCreate,
    RoleUpdate,
    ScopedPermissions,
)
from folio.teams.service import team as team_service


class RoleService:
    async def create(
        self, session: AsyncSession, principal: Principal, team_id: str, data: RoleCreate
    ) -> Role:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        ensure_grantable(access.permissions, frozenset(data.permissions))
        role = Role(
            id=new_id(IdPrefix.role),
            team_id=team_id,
            name=data.name,
            description=data.description,
            permissions=sorted(str(p) for p in set(data.permissions)),
        )
        try:
            async with session.begin_nested():
                await TeamRepository.from_session(session).add(role)
        except IntegrityError as exc:
            raise Conflict(f"A role named {data.name!r} exists in this team.") from exc
        return role

    async def list_roles(
        self, session: AsyncSession, principal: Principal, team_id: str
    ) -> list[Role]:
        await team_access(session, principal, team_id)
        return list(await TeamRepository.from_session(session).roles(team_id))

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        team_id: str,
        role_id: str,
        data: RoleUpdate,
    ) -> Role:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        role = await self._get(session, team_id, role_id)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("permissions") is not None:
            ensure_grantable(access.permissions, frozenset(data.permissions or ()))
            role.permissions = sorted(str(p) for p in set(data.permissions or ()))
            access_changed(session, team_id=team_id)  # every holder of the role
        try:
            async with session.begin_nested():  # the unique (team, name) index decides
                for field in ("name", "description"):
                    if field in changes and changes[field] is not None:
                        setattr(role, field, changes[field])
        except IntegrityError as exc:
            raise Conflict(f"A role named {data.name!r} exists in this team.") from exc
        return role

    async def delete(
        self, session: AsyncSession, principal: Principal, team_id: str, role_id: str
    ) -> None:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        role = await self._get(session, team_id, role_id)
        members = await TeamRepository.from_session(session).members(team_id)
        if any(membership.role == role.id for membership, _ in members):
            raise Conflict("Members still hold this role; change their role first.")
        await TeamRepository.from_session(session).delete(role)
        access_changed(session, team_id=team_id)  # assignments of the role end with it

    async def _get(self, session: AsyncSession, team_id: str, role_id: str) -> Role:
        role = await TeamRepository.from_session(session).role(team_id, role_id)
        if role is None:
            raise NotFound(f"No role {role_id} in this team.")
        return role

    async def assign(
        self, session: AsyncSession, principal: Principal, team_id: str, data: RoleAssignmentCreate
    ) -> RoleAssignment:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        await team_service.check_grantable(session, access, data.role)
        if await member_permissions(session, team_id, data.user_id) is None:
            raise NotFound(f"No member {data.user_id} in this team.")
        if data.expires_at is not None and data.expires_at <= utcnow():
            raise ValidationFailed(
                [FieldError("expires_at", "in_past", "An assignment must expire in the future.")]
            )
        scope = await self._checked_scope(session, team_id, data.scope)
        assignment = RoleAssignment(
            id=new_id(IdPrefix.assignment),
            team_id=team_id,
            user_id=data.user_id,
            role=data.role,
            scope=scope,
            expires_at=data.expires_at,
            assigned_by=principal.user_id,
        )
        await TeamRepository.from_session(session).add(assignment)
        access_changed(session, team_id=team_id, user_id=data.user_id)
        return assignment

    async def _checked_scope(
        self, session: AsyncSession, team_id: str, scope: AssignmentScope | None
    ) -> dict[str, list[str]]:
        """The scope to store: only ids of this team's documents and batches (so a grant can
        never reach into another team); an empty scope means the whole team."""
        if scope is None:
            return {}
        in_team = Principal(team_id=team_id, team_ids=frozenset({team_id}))
        documents = DocumentRepository.from_session(session)
        batches = BatchRepository.from_session(session)
        errors = [
            FieldError(f"scope.document_ids.{n}", "not_found", f"No document {document_id}.")
            for n, document_id in enumerate(scope.document_ids)
            if await documents.get(in_team, document_id) is None
        ] + [
            FieldError(f"scope.batch_ids.{n}", "not_found", f"No batch {batch_id}.")
            for n, batch_id in enumerate(scope.batch_ids)
            if await batches.get(in_team, batch_id) is None
        ]
        if errors:
            raise ValidationFailed(errors)
        stored = {"document_ids": sorted(set(scope.document_ids))} if scope.document_ids else {}
        return stored | ({"batch_ids": sorted(set(scope.batch_ids))} if scope.batch_ids else {})

    async def grant_document_read(
        self,
        session: AsyncSession,
        team_id: str,
        user_id: str,
        document_id: str,
        *,
        expires_at: datetime,
        assigned_by: str | None,
    ) -> RoleAssignment:
        """A viewer's rights on one document until ``expires_at`` (a share with a member). The
        caller checks that the sharer may read the document: no team:manage is needed."""
        assignment = RoleAssignment(
            id=new_id(IdPrefix.assignment),
            team_id=team_id,
            user_id=user_id,
            role=BuiltinRole.viewer,
            scope={"document_ids": [document_id]},
            expires_at=expires_at,
            assigned_by=assigned_by,
        )
        await TeamRepository.from_session(session).add(assignment)
        return assignment

    async def withdraw(self, session: AsyncSession, team_id: str, assignment_id: str) -> None:
        repository = TeamRepository.from_session(session)
        assignment = await repository.assignment(team_id, assignment_id)
        if assignment is not None:
            await repository.delete(assignment)
            access_changed(session, team_id=team_id, user_id=assignment.user_id)

    async def assignments(
        self, session: AsyncSession, principal: Principal, team_id: str
    ) -> list[RoleAssignment]:
        await team_access(session, principal, team_id)
        return list(
            await TeamRepository.from_session(session).active_assignments(team_id, None, utcnow())
        )

    async def unassign(
        self, session: AsyncSession, principal: Principal, team_id: str, assignment_id: str
    ) -> None:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        repository = TeamRepository.from_session(session)
        assignment = await repository.assignment(team_id, assignment_id)
        if assignment is None:
            raise NotFound(f"No role assignment {assignment_id}.")
        await repository.delete(assignment)
        access_changed(session, team_id=team_id, user_id=assignment.user_id)

    async def audit(
        self, session: AsyncSession, principal: Principal, team_id: str
    ) -> list[PermissionAuditEntry]:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        repository = TeamRepository.from_session(session)
        entries = []
        for membership, user in await repository.members(team_id):
            grants = await member_grants(session, team_id, user.id)
            live = await repository.active_assignments(team_id, user.id, utcnow())
            entries.append(
                PermissionAuditEntry(
                    user_id=user.id,
                    email=user.email,
                    role=membership.role,
                    permissions=sorted(grants.permissions) if grants else [],
                    scoped=[await self._scoped_read(session, team_id, a) for a in live if a.scope]
                    if grants
                    else [],
                    granted_by=[f"role:{membership.role}"]
                    + [f"assignment:{a.id}:{a.role}" for a in live],
                )
            )
        return entries

    async def _scoped_read(
        self, session: AsyncSession, team_id: str, assignment: RoleAssignment
    ) -> ScopedPermissions:
        permissions = await role_permissions(session, team_id, assignment.role) or frozenset()
        return ScopedPermissions(
            permissions=sorted(permissions),
            scope=assignment.scope,
            assignment_id=assignment.id,
            expires_at=assignment.expires_at,
        )


role = RoleService()
