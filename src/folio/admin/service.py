"""System administration: accounts (list, search, disable, enable, delete), a team's plan
and quota overrides, and the usage of every team. Callers hold ``system:admin``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from folio.account.service import account as account_service
from folio.admin.repository import AdminRepository
from folio.admin.schemas import AdminTeamUpdate, AdminUserRead, SystemUsage, TeamUsage
from folio.auth.repository import AuthRepository
from folio.core.db import utcnow
from folio.core.errors import Conflict, NotFound
from folio.core.events import access_changed
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.repository import DocumentRepository
from folio.teams.models import Team
from folio.teams.repository import TeamRepository
from folio.teams.service import team as team_service
from folio.usage.quotas import current_period
from folio.usage.repository import UsageRepository
from folio.users.models import User
from folio.users.repository import UserRepository


class SelfAdministration(Conflict):
    code = "SELF_ADMINISTRATION"
    title = "Administrators cannot disable or delete their own account here"


def admin_user_read(user: User) -> AdminUserRead:
    return AdminUserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        is_admin=user.is_admin,
        email_verified=user.email_verified_at is not None,
        mfa_enabled=user.mfa_enabled_at is not None,
        personal_team_id=user.personal_team_id,
        created_at=user.created_at,
    )


class AdminService:
    async def list_users(
        self,
        session: AsyncSession,
        page: PageParams,
        *,
        query: str | None,
        active: bool | None,
    ) -> Page[AdminUserRead]:
        rows = await AdminRepository.from_session(session).users_page(
            query=query, active=active, limit=page.limit, after=page.after
        )
        items = [admin_user_read(user) for user in rows]
        return Page.from_rows(items, page.limit, cursor=lambda read: read.id)

    async def _user(self, session: AsyncSession, user_id: str) -> User:
        user = await UserRepository.from_session(session).get(user_id)
        if user is None:
            raise NotFound(f"No user {user_id}.")
        return user

    async def get_user(self, session: AsyncSession, user_id: str) -> AdminUserRead:
        return admin_user_read(await self._user(session, user_id))

    async def set_active(
        self, session: AsyncSession, principal: Principal, user_id: str, *, active: bool
    ) -> AdminUserRead:
        """Disabling ends every session and stops every key of the account at its next
        request, in every API process (``access.changed`` empties their principal caches)."""
        user = await self._user(session, user_id)
        if user.id == principal.user_id:
            raise SelfAdministration("You cannot disable your own account.")
        return await self.change_active(session, user, active=active)

    async def find_user(self, session: AsyncSession, id_or_email: str) -> User:
        """By id (``usr_…``) or e-mail, for the operator's command line."""
        users = UserRepository.from_session(session)
        user = await users.get(id_or_email) or await users.get_by_email(id_or_email)
        if user is None:
            raise NotFound(f"No user {id_or_email}.")
        return user

    async def change_active(
        self, session: AsyncSession, user: User, *, active: bool
    ) -> AdminUserRead:
        user.is_active = active
        if not active:
            await AuthRepository.from_session(session).revoke_sessions(
                user.id, utcnow(), "disabled"
            )
        access_changed(session, user_id=user.id)
        return admin_user_read(user)

    async def delete_user(
        self, session: AsyncSession, runtime: Runtime, principal: Principal, user_id: str
    ) -> None:
        user = await self._user(session, user_id)
        if user.id == principal.user_id:
            raise SelfAdministration("Delete your own account with DELETE /api/v1/me.")
        await account_service.delete(session, runtime, user)

    async def update_team(
        self, session: AsyncSession, runtime: Runtime, team_id: str, data: AdminTeamUpdate
    ) -> TeamUsage:
        changes = data.model_dump(exclude_unset=True)
        if changes.get("plan") is not None:
            await team_service.set_plan(session, runtime.settings, team_id, changes["plan"])
        team = await team_service.get_unscoped(session, team_id)
        if "quota_overrides" in changes:
            overrides = changes["quota_overrides"] or {}
            team.quota_overrides = {str(k): v for k, v in overrides.items()} or None
        access_changed(session, team_id=team.id)  # the team's principals carry its limits
        return (await self._usage(session, [team])).per_team[0]

    async def usage(self, session: AsyncSession) -> SystemUsage:
        return await self._usage(session, await AdminRepository.from_session(session).teams())

    async def _usage(self, session: AsyncSession, teams: Sequence[Team]) -> SystemUsage:
        period = current_period()
        usage = UsageRepository.from_session(session)
        members = await TeamRepository.from_session(session).members_per_team()
        documents = await DocumentRepository.from_session(session).totals_per_team()
        processed = await usage.processed_per_team(period.start)
        calls = await usage.api_calls_per_team(period.start, period.end)
        users, active_users = await AdminRepository.from_session(session).user_counts()
        per_team = [
            TeamUsage(
                team_id=team.id,
                name=team.name,
                plan=team.plan,
                is_personal=team.is_personal,
                quota_overrides=team.quota_overrides or {},
                members=members.get(team.id, 0),
                documents=documents.get(team.id, (0, 0))[0],
                storage_bytes=documents.get(team.id, (0, 0))[1],
                documents_processed=processed.get(team.id, 0),
                api_calls=calls.get(team.id, 0),
            )
            for team in teams
        ]
        return SystemUsage(
            period_start=period.starts_at,
            resets_at=period.resets_at,
            users=users,
            active_users=active_users,
            teams=len(per_team),
            documents=sum(t.documents for t in per_team),
            storage_bytes=sum(t.storage_bytes for t in per_team),
            documents_processed=sum(t.documents_processed for t in per_team),
            api_calls=sum(t.api_calls for t in per_team),
            per_team=per_team,
        )


admin = AdminService()
