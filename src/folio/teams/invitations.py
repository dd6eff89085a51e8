"""Invitations: a token link by e-mail; the invited account accepts it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import after_commit, utcnow
from folio.core.errors import Conflict, Forbidden, NotFound
from folio.core.ids import IdPrefix, new_id
from folio.core.mail import Mail
from folio.core.permissions import Permission
from folio.core.principal import Credential, Principal
from folio.core.runtime import Runtime
from folio.core.security import digest, new_secret
from folio.teams.access import team_access
from folio.teams.models import Invitation, Membership
from folio.teams.repository import TeamRepository
from folio.teams.schemas import InvitationCreate, InvitationRead, MemberRead
from folio.teams.service import member_read
from folio.teams.service import team as team_service
from folio.users.repository import UserRepository

INVITATION_TTL = timedelta(days=7)


def invitation_status(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired" if invitation.expires_at <= utcnow() else "pending"


def invitation_read(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        team_id=invitation.team_id,
        email=invitation.email,
        role=invitation.role,
        status=invitation_status(invitation),
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        created_at=invitation.created_at,
    )


class InvitationService:
    async def invite(
        self,
        session: AsyncSession,
        principal: Principal,
        runtime: Runtime,
        team_id: str,
        data: InvitationCreate,
    ) -> InvitationRead:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        await team_service.check_grantable(session, access, data.role)
        await team_service.check_capacity(session, access.team, with_pending=True)
        token = new_secret()
        invitation = Invitation(
            id=new_id(IdPrefix.invitation),
            team_id=team_id,
            email=str(data.email).lower(),
            role=data.role,
            token_hash=digest(token),
            invited_by=principal.user_id or "",
            expires_at=utcnow() + INVITATION_TTL,
        )
        await TeamRepository.from_session(session).add(invitation)
        link = f"{runtime.settings.public_url}/invitations/accept?token={token}"
        mail = Mail(
            to=invitation.email,
            subject=f"You are invited to {access.team.name} on Folio",
            body=f"Accept the invitation (valid 7 days): {link}\n\nOr POST "
            f'{{"token": "{token}"}} to /api/v1/invitations/accept.\n',
        )

        async def send() -> None:
            await runtime.mailer.send(mail)

        after_commit(session, send)
        return invitation_read(invitation)

    async def list_invitations(
        self, session: AsyncSession, principal: Principal, team_id: str
    ) -> list[InvitationRead]:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        rows = await TeamRepository.from_session(session).invitations(team_id)
        return [invitation_read(invitation) for invitation in rows]

    async def revoke(
        self, session: AsyncSession, principal: Principal, team_id: str, invitation_id: str
    ) -> None:
        access = await team_access(session, principal, team_id)
        access.require(Permission.team_manage)
        invitation = await TeamRepository.from_session(session).invitation(team_id, invitation_id)
        if invitation is None:
            raise NotFound(f"No invitation {invitation_id}.")
        invitation.revoked_at = invitation.revoked_at or utcnow()

    async def accept(
        self, session: AsyncSession, principal: Principal, runtime: Runtime, token: str
    ) -> MemberRead:
        if principal.credential != Credential.user or principal.user_id is None:
            raise Forbidden("Invitations are accepted by a signed-in user.")
        repository = TeamRepository.from_session(session)
        invitation = await repository.invitation_by_token(digest(token))
        user = await UserRepository.from_session(session).get(principal.user_id)
        if invitation is None or user is None or invitation.email != user.email:
            raise NotFound("No invitation for this account matches that token.")
        if invitation_status(invitation) != "pending":
            raise Conflict(f"This invitation is {invitation_status(invitation)}.")
        if await repository.membership(invitation.team_id, user.id) is not None:
            raise Conflict("You are already a member of this team.")
        team = await repository.get_unscoped(invitation.team_id)
        if team is None:
            raise NotFound("No invitation for this account matches that token.")
        await team_service.check_capacity(session, team, with_pending=True)
        approval = bool(team.settings.get("require_approval"))
        membership = Membership(
            id=new_id(IdPrefix.member),
            team_id=invitation.team_id,
            user_id=user.id,
            role=invitation.role,
            status="pending" if approval else "active",
        )
        await repository.add(membership)
        await team_service.grant_defaults(session, team, membership)
        invitation.accepted_at = utcnow()
        if membership.status == "active":
            await team_service.announce(
                session,
                runtime,
                "team.member_joined",
                invitation.team_id,
                user.id,
                role=membership.role,
            )
        return member_read(membership, user)


invitation = InvitationService()
