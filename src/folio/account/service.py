"""A person's own account: export everything Folio holds about it, or delete it.

Deleting an account deletes every team in which the person is the only active member (their
personal team included), with its documents and files. A team with other members stays: the
person leaves it, unless they are its only owner, and then the deletion is refused (409
``SOLE_OWNER``) until they hand ownership to someone else. Documents the person uploaded to a
team that stays belong to that team and stay; the audit trail keeps their past requests.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.account.schemas import (
    AccountDeletion,
    AccountExport,
    DocumentExport,
    KeyExport,
    MembershipExport,
)
from folio.audit.models import AuditEntry
from folio.audit.repository import AuditRepository
from folio.audit.schemas import AuditEntryRead
from folio.auth.errors import InvalidCredentials, InvalidMfaCode
from folio.auth.mfa import mfa as mfa_service
from folio.auth.repository import AuthRepository
from folio.core.db import utcnow
from folio.core.errors import Conflict
from folio.core.events import access_changed
from folio.core.permissions import BuiltinRole
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.core.security import verify_password
from folio.documents.repository import DocumentRepository
from folio.keys.repository import KeyRepository
from folio.retention.actions import remove_files_after_commit
from folio.retention.service import retention as retention_service
from folio.teams.models import Team
from folio.teams.repository import TeamRepository
from folio.users.models import User
from folio.users.repository import UserRepository
from folio.users.service import user as user_service
from folio.users.service import user_read

MAX_AUDIT_ENTRIES = 10_000
UPLOAD_ACTIONS = {"documents.create": "document", "batches.create": "batch"}


class SoleOwner(Conflict):
    code = "SOLE_OWNER"
    title = "The account is the only owner of a team with other members"


class AccountService:
    async def export(self, session: AsyncSession, principal: Principal) -> AccountExport:
        user = await user_service.get(session, principal.user_id or "")
        memberships = [
            MembershipExport(
                team_id=team.id,
                team_name=team.name,
                role=membership.role,
                status=membership.status,
                joined_at=membership.created_at,
            )
            for team, membership in await TeamRepository.from_session(session).all_teams_of(user.id)
        ]
        keys = await KeyRepository.from_session(session).of_user(user.id)
        sessions = await AuthRepository.from_session(session).sessions_of(user.id, utcnow())
        entries = await AuditRepository.from_session(session).by_actor(
            user.id, limit=MAX_AUDIT_ENTRIES
        )
        return AccountExport(
            exported_at=utcnow(),
            profile=user_read(user),
            memberships=memberships,
            api_keys=[KeyExport.model_validate(key) for key in keys],
            sessions=[
                {
                    "id": row.id,
                    "ip": row.ip,
                    "user_agent": row.user_agent,
                    "created_at": row.created_at.isoformat(),
                    "last_seen_at": row.last_seen_at.isoformat(),
                }
                for row in sessions
            ],
            audit_entries=[
                AuditEntryRead.model_validate(entry).model_dump(mode="json") for entry in entries
            ],
            documents=await self._uploads(session, entries),
        )

    async def _uploads(
        self, session: AsyncSession, entries: Sequence[AuditEntry]
    ) -> list[DocumentExport]:
        """Documents the account uploaded, singly or in batches, as its audit entries say."""
        created: dict[str, list[str]] = {"document": [], "batch": []}
        for entry in entries:
            kind = UPLOAD_ACTIONS.get(entry.action)
            if kind is not None and entry.outcome == "success" and entry.resource_id:
                created[kind].append(entry.resource_id)
        documents = await DocumentRepository.from_session(session).ids_in(
            created["document"], created["batch"]
        )
        return [DocumentExport.model_validate(document) for document in documents]

    async def delete_own(
        self, session: AsyncSession, runtime: Runtime, principal: Principal, data: AccountDeletion
    ) -> None:
        """Asks for the password again (and a two-factor code when that is on)."""
        user = await user_service.get(session, principal.user_id or "")
        if not verify_password(user.password_hash, data.password):
            raise InvalidCredentials("The password is wrong.")
        if user.mfa_enabled_at is not None:
            if not data.code:
                raise InvalidMfaCode("Two-factor is on: send a code as well.")
            await mfa_service.check_code(session, user, data.code)
        await self.delete(session, runtime, user)

    async def delete(self, session: AsyncSession, runtime: Runtime, user: User) -> list[str]:
        """Deletes ``user`` as the module says; returns the ids of the teams deleted."""
        repository = TeamRepository.from_session(session)
        alone, blocking = [], []
        for team, membership in await repository.all_teams_of(user.id):
            if await repository.count_members(team.id) <= 1:
                alone.append(team)
            elif membership.role == BuiltinRole.owner and (
                await repository.count_members(team.id, role=BuiltinRole.owner) <= 1
            ):
                blocking.append(team.id)
        if blocking:
            raise SoleOwner(
                "Make another member owner of these teams first, or delete them: "
                + ", ".join(blocking),
                team_ids=blocking,
            )
        for team in alone:
            await self._delete_team(session, runtime, team)
        access_changed(session, user_id=user.id)
        await UserRepository.from_session(session).delete(user)
        return [team.id for team in alone]

    async def _delete_team(self, session: AsyncSession, runtime: Runtime, team: Team) -> None:
        await retention_service.refuse_held_team(session, team.id)
        await DocumentRepository.from_session(session).unindex_team(team.id)
        access_changed(session, team_id=team.id)
        await TeamRepository.from_session(session).delete(team)
        remove_files_after_commit(session, runtime, team.id)


account = AccountService()
