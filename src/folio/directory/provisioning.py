"""Accounts a directory (LDAP sync or SCIM) creates, updates, disables and re-enables in its
team. Only accounts the directory created are ever touched: an e-mail address that belongs to
an account made some other way is refused, so a directory cannot take over an account."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from folio.audit.models import AuditEntry
from folio.audit.service import new_audit_id
from folio.auth.accounts import create_account
from folio.auth.repository import AuthRepository
from folio.core.db import utcnow
from folio.core.errors import Conflict
from folio.core.events import access_changed
from folio.core.ids import IdPrefix, new_id
from folio.directory.models import DirectoryAccount, DirectorySource
from folio.teams.models import Membership
from folio.teams.repository import TeamRepository
from folio.users.models import User
from folio.users.repository import UserRepository

ROLE_RANK = {"viewer": 1, "member": 2, "admin": 3}


class AccountNotManaged(Conflict):
    code = "ACCOUNT_NOT_MANAGED"
    title = "The e-mail address belongs to an account this directory does not manage"


def higher_role(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if ROLE_RANK.get(a, 0) >= ROLE_RANK.get(b, 0) else b


def audit(
    session: AsyncSession,
    team_id: str,
    actor: DirectorySource,
    action: str,
    user_id: str,
    fields: list[str],
    *,
    actor_user_id: str | None = None,
) -> None:
    """The change in the team's audit trail (the request audit covers only ``/api/v1``)."""
    session.add(
        AuditEntry(
            id=new_audit_id(),
            created_at=utcnow(),
            team_id=team_id,
            actor_type=actor.value,
            actor_user_id=actor_user_id,
            action=f"directory.{action}",
            resource_type="user",
            resource_id=user_id,
            method="SYNC" if actor is DirectorySource.ldap else "SCIM",
            route=f"{actor.value}",
            status_code=200,
            outcome="success",
            changed_fields=fields,
        )
    )


async def create_managed(
    session: AsyncSession,
    *,
    team_id: str,
    source: DirectorySource,
    external_id: str,
    external_ref: str | None,
    email: str,
    name: str,
    role: str,
) -> tuple[DirectoryAccount, User]:
    if await UserRepository.from_session(session).get_by_email(email) is not None:
        raise AccountNotManaged(
            f"{email} belongs to an existing Folio account that this directory did not create; "
            "it is left alone.",
            email=email,
        )
    # nobody knows this password: the account signs in through the directory
    user = await create_account(
        session, email=email, password=secrets.token_urlsafe(32), name=name, verified=True
    )
    await TeamRepository.from_session(session).add(
        Membership(id=new_id(IdPrefix.member), team_id=team_id, user_id=user.id, role=role)
    )
    account = DirectoryAccount(
        id=new_id(IdPrefix.directory_account),
        team_id=team_id,
        user_id=user.id,
        source=source,
        external_id=external_id,
        external_ref=external_ref,
        active=True,
    )
    session.add(account)
    await session.flush()
    audit(session, team_id, source, "user_created", user.id, ["email", "name", "role"])
    return account, user


async def update_profile(
    session: AsyncSession, account: DirectoryAccount, user: User, *, email: str, name: str
) -> list[str]:
    """The fields that changed; a new e-mail taken by another account is refused."""
    changed: list[str] = []
    email = email.lower()
    if email != user.email:
        other = await UserRepository.from_session(session).get_by_email(email)
        if other is not None and other.id != user.id:
            raise AccountNotManaged(f"{email} belongs to another account.", email=email)
        user.email = email
        changed.append("email")
    if name != user.name:
        user.name = name
        changed.append("name")
    return changed


async def set_role(session: AsyncSession, team_id: str, user: User, role: str) -> bool:
    """True when the membership changed. An owner stays owner: the team keeps its owners."""
    repository = TeamRepository.from_session(session)
    membership = await repository.membership(team_id, user.id)
    if membership is None:
        await repository.add(
            Membership(id=new_id(IdPrefix.member), team_id=team_id, user_id=user.id, role=role)
        )
    elif membership.role != role and membership.role != "owner":
        membership.role = role
    else:
        return False
    access_changed(session, team_id=team_id, user_id=user.id)
    return True


async def remove_member(session: AsyncSession, team_id: str, user: User) -> bool:
    repository = TeamRepository.from_session(session)
    membership = await repository.membership(team_id, user.id)
    if membership is None or membership.role == "owner":
        return False
    await repository.delete(membership)
    access_changed(session, team_id=team_id, user_id=user.id)
    return True


async def deactivate(session: AsyncSession, account: DirectoryAccount, user: User) -> bool:
    """The account stops at once: sessions end, tokens and API keys are refused at their
    next request in every API process (``access.changed``), as when an admin disables it."""
    if not account.active and not user.is_active:
        return False
    account.active = False
    user.is_active = False
    await AuthRepository.from_session(session).revoke_sessions(user.id, utcnow(), "directory")
    access_changed(session, user_id=user.id)
    audit(session, account.team_id, account.source, "user_disabled", user.id, ["active"])
    return True


async def reactivate(session: AsyncSession, account: DirectoryAccount, user: User) -> bool:
    if account.active and user.is_active:
        return False
    account.active = True
    user.is_active = True
    access_changed(session, user_id=user.id)
    audit(session, account.team_id, account.source, "user_enabled", user.id, ["active"])
    return True


def changed_audit(session: AsyncSession, account: DirectoryAccount, fields: list[str]) -> None:
    if fields:
        audit(session, account.team_id, account.source, "user_updated", account.user_id, fields)
