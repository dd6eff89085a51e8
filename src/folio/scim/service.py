"""SCIM provisioning of one team (the token's): its SCIM-managed users, and its built-in roles
as groups. Every query is bound to that team; another team's id is a 404."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.db import utcnow
from folio.directory import provisioning
from folio.directory.models import DirectoryAccount, DirectorySource
from folio.directory.repository import DirectoryAccountRepository
from folio.scim import filters, sorting
from folio.scim.errors import ScimError, bad_request, conflict, not_found
from folio.scim.resources import (
    GROUP_SCHEMA,
    GROUPS,
    PATCH_SCHEMA,
    USER_SCHEMA,
    PatchRequest,
    ScimGroupIn,
    ScimUserIn,
    UserFields,
    group_resource,
    list_response,
    member_ids,
    member_in_path,
    parsed,
    patch_user,
    user_fields,
    user_resource,
)
from folio.scim.sorting import Sort
from folio.scim.versions import check_if_match
from folio.teams.models import Membership
from folio.users.models import User

SCIM = DirectorySource.scim
MAX_COUNT = 200
USER_ATTRIBUTES: filters.Attributes = {
    "username": filters.Attribute(DirectoryAccount.external_id),
    "externalid": filters.Attribute(DirectoryAccount.external_ref, case_exact=True),
    "id": filters.Attribute(User.id, case_exact=True),
    "displayname": filters.Attribute(User.name),
    "name.formatted": filters.Attribute(User.name),
    "emails": filters.Attribute(User.email),
    "emails.value": filters.Attribute(User.email),
    "emails.type": filters.Attribute(literal("work")),  # the one address Folio keeps is work
    "active": filters.Attribute(DirectoryAccount.active, kind="boolean"),
    "meta.created": filters.Attribute(DirectoryAccount.created_at, kind="datetime"),
    "meta.lastmodified": filters.Attribute(DirectoryAccount.updated_at, kind="datetime"),
}


def page_bounds(start_index: str | None, count: str | None) -> tuple[int, int]:
    """RFC 7644 §3.4.2.4: startIndex below 1 counts as 1, a negative count as 0."""
    try:
        start = min(10**9, max(1, int(start_index))) if start_index else 1
        size = min(MAX_COUNT, max(0, int(count))) if count is not None and count != "" else 100
    except ValueError as exc:
        raise bad_request("startIndex and count are integers.") from exc
    return start, size


class ScimService:
    # ---- users ---------------------------------------------------------------------------

    async def list_users(
        self,
        session: AsyncSession,
        team_id: str,
        base: str,
        *,
        filter_text: str | None,
        start: int,
        count: int,
        sort: Sort | None = None,
    ) -> dict[str, Any]:
        accounts = DirectoryAccountRepository.from_session(session)
        statement = accounts.with_users(team_id, SCIM)
        if filter_text:
            statement = statement.where(filters.to_clause(filter_text, USER_ATTRIBUTES))
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        order = (
            sorting.order_by(sort, USER_ATTRIBUTES, DirectoryAccount.id)
            if sort is not None
            else [DirectoryAccount.id]
        )
        rows = await accounts.accounts_with_users(
            statement.order_by(*order).offset(start - 1).limit(count)
        )
        roles = await self._roles(session, team_id, [user.id for _, user in rows])
        resources = [user_resource(a, u, roles.get(u.id), base) for a, u in rows]
        return list_response(resources, int(total or 0), start)

    async def _roles(
        self, session: AsyncSession, team_id: str, user_ids: list[str]
    ) -> dict[str, str]:
        if not user_ids:
            return {}
        statement = select(Membership.user_id, Membership.role).where(
            Membership.team_id == team_id, Membership.user_id.in_(user_ids)
        )
        return {row[0]: row[1] for row in (await session.execute(statement)).all()}

    async def _managed(
        self, session: AsyncSession, team_id: str, user_id: str
    ) -> tuple[DirectoryAccount, User]:
        found = await DirectoryAccountRepository.from_session(session).account_of_user(
            team_id, SCIM, user_id
        )
        if found is None:
            raise not_found(f"No user {user_id}.")
        return found

    async def get_user(
        self, session: AsyncSession, team_id: str, user_id: str, base: str
    ) -> dict[str, Any]:
        account, user = await self._managed(session, team_id, user_id)
        roles = await self._roles(session, team_id, [user.id])
        return user_resource(account, user, roles.get(user.id), base)

    async def create_user(
        self, session: AsyncSession, team_id: str, payload: Any, base: str
    ) -> dict[str, Any]:
        fields = user_fields(parsed(ScimUserIn, payload, USER_SCHEMA))
        await self._user_name_free(session, team_id, fields.user_name, None)
        try:
            account, user = await provisioning.create_managed(
                session,
                team_id=team_id,
                source=SCIM,
                external_id=fields.user_name,
                external_ref=fields.external_id,
                email=fields.email,
                name=fields.name,
                role="member",
            )
        except provisioning.AccountNotManaged as exc:
            raise conflict(exc.detail) from exc
        if not fields.active:
            await provisioning.deactivate(session, account, user)
        return user_resource(account, user, "member", base)

    async def _user_name_free(
        self, session: AsyncSession, team_id: str, user_name: str, own_id: str | None
    ) -> None:
        clause: ColumnElement[bool] = func.lower(DirectoryAccount.external_id) == user_name.lower()
        accounts = DirectoryAccountRepository.from_session(session)
        taken = await accounts.accounts_with_users(accounts.with_users(team_id, SCIM).where(clause))
        if any(user.id != own_id for _, user in taken):
            raise conflict(f"userName {user_name} is taken.")

    async def replace_user(
        self,
        session: AsyncSession,
        team_id: str,
        user_id: str,
        payload: Any,
        base: str,
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        fields = user_fields(parsed(ScimUserIn, payload, USER_SCHEMA))
        current = await self.get_user(session, team_id, user_id, base)
        check_if_match(if_match, current["meta"]["version"])
        return await self._apply(session, team_id, user_id, fields, base)

    async def patch_user(
        self,
        session: AsyncSession,
        team_id: str,
        user_id: str,
        payload: Any,
        base: str,
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        request = parsed(PatchRequest, payload, PATCH_SCHEMA)
        current = await self.get_user(session, team_id, user_id, base)
        check_if_match(if_match, current["meta"]["version"])
        document = patch_user(current, request.Operations)
        fields = user_fields(parsed(ScimUserIn, document, USER_SCHEMA))
        return await self._apply(session, team_id, user_id, fields, base)

    async def _apply(
        self, session: AsyncSession, team_id: str, user_id: str, fields: UserFields, base: str
    ) -> dict[str, Any]:
        account, user = await self._managed(session, team_id, user_id)
        await self._user_name_free(session, team_id, fields.user_name, user.id)
        try:
            changed = await provisioning.update_profile(
                session, account, user, email=fields.email, name=fields.name
            )
        except provisioning.AccountNotManaged as exc:
            raise conflict(exc.detail) from exc
        if account.external_id != fields.user_name:
            account.external_id = fields.user_name
            changed.append("userName")
        if account.external_ref != fields.external_id:
            account.external_ref = fields.external_id
            changed.append("externalId")
        provisioning.changed_audit(session, account, changed)
        if fields.active:
            await provisioning.reactivate(session, account, user)
        else:
            await provisioning.deactivate(session, account, user)
        account.updated_at = utcnow()
        await session.flush()
        return await self.get_user(session, team_id, user_id, base)

    async def delete_user(
        self, session: AsyncSession, team_id: str, user_id: str, *, if_match: str | None = None
    ) -> None:
        """The account is disabled and leaves the team; it is no longer SCIM's to manage."""
        account, user = await self._managed(session, team_id, user_id)
        if if_match is not None:
            current = await self.get_user(session, team_id, user_id, "")
            check_if_match(if_match, current["meta"]["version"])
        await provisioning.deactivate(session, account, user)
        await provisioning.remove_member(session, team_id, user)
        provisioning.audit(session, team_id, SCIM, "user_deleted", user.id, [])
        await session.delete(account)

    # ---- groups: the team's built-in roles -------------------------------------------------

    async def _members(
        self, session: AsyncSession, team_id: str, role: str
    ) -> list[tuple[str, str]]:
        statement = (
            select(User.id, User.email)
            .join(DirectoryAccount, DirectoryAccount.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                DirectoryAccount.team_id == team_id,
                DirectoryAccount.source == SCIM,
                Membership.team_id == team_id,
                Membership.role == role,
            )
            .order_by(User.id)
        )
        return [(row[0], row[1]) for row in (await session.execute(statement)).all()]

    async def list_groups(
        self,
        session: AsyncSession,
        team_id: str,
        base: str,
        *,
        filter_text: str | None,
        start: int,
        count: int,
        sort: Sort | None = None,
    ) -> dict[str, Any]:
        roles = sorting.sorted_names(list(GROUPS), sort, ("id", "displayname"))
        if filter_text:
            roles = [role for role in roles if self._group_matches(role, filter_text)]
        window = roles[start - 1 : start - 1 + count]
        resources = [
            group_resource(r, await self._members(session, team_id, r), base) for r in window
        ]
        return list_response(resources, len(roles), start)

    def _group_matches(self, role: str, filter_text: str) -> bool:
        """Groups are three fixed rows: the filter is checked on them with a tiny table."""
        tree = filters.parse(filter_text)
        node = tree.expr if tree is not None else None
        attr = getattr(getattr(node, "attr_path", None), "attr_name", None)
        if str(getattr(node, "value", "")).lower() != "eq" or str(attr).lower() not in (
            "displayname",
            "id",
        ):
            raise filters.invalid('Groups take displayName eq "…" or id eq "…".')
        return bool(str(node.comp_value.value).lower() == role)  # type: ignore[union-attr]

    def _role(self, group_id: str) -> str:
        if group_id not in GROUPS:
            raise not_found(f"No group {group_id}.")
        return group_id

    async def get_group(
        self, session: AsyncSession, team_id: str, group_id: str, base: str
    ) -> dict[str, Any]:
        role = self._role(group_id)
        return group_resource(role, await self._members(session, team_id, role), base)

    async def replace_group(
        self,
        session: AsyncSession,
        team_id: str,
        group_id: str,
        payload: Any,
        base: str,
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        role = self._role(group_id)
        data = parsed(ScimGroupIn, payload, GROUP_SCHEMA)
        current = await self.get_group(session, team_id, role, base)
        check_if_match(if_match, current["meta"]["version"])
        if data.displayName.lower() != role:
            raise ScimError(
                400, "A group's displayName is its role and cannot change.", "mutability"
            )
        await self._set_members(session, team_id, role, [m.value for m in data.members])
        return await self.get_group(session, team_id, role, base)

    async def patch_group(
        self,
        session: AsyncSession,
        team_id: str,
        group_id: str,
        payload: Any,
        base: str,
        *,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        role = self._role(group_id)
        request = parsed(PatchRequest, payload, PATCH_SCHEMA)
        current = await self.get_group(session, team_id, role, base)
        check_if_match(if_match, current["meta"]["version"])
        for operation in request.Operations:
            op = operation.op.lower()
            target = member_in_path(operation.path) if operation.path else None
            if op == "remove":
                ids = (
                    [target]
                    if target
                    else member_ids(operation.value)
                    if operation.value
                    else [user_id for user_id, _ in await self._members(session, team_id, role)]
                )
                await self._remove(session, team_id, role, ids)
            elif op == "add":
                await self._add(session, team_id, role, member_ids(self._members_value(operation)))
            elif op == "replace":
                await self._set_members(
                    session, team_id, role, member_ids(self._members_value(operation))
                )
            else:
                raise bad_request(f"Unknown PATCH op {operation.op}.")
        return await self.get_group(session, team_id, role, base)

    def _members_value(self, operation: Any) -> Any:
        value = operation.value
        if operation.path is None and isinstance(value, dict):
            if "members" not in value:
                raise ScimError(400, "Only members of a group can change.", "mutability")
            return value["members"]
        return value

    async def _add(self, session: AsyncSession, team_id: str, role: str, ids: list[str]) -> None:
        for user_id in ids:
            _, user = await self._member_target(session, team_id, user_id)
            if await provisioning.set_role(session, team_id, user, role):
                provisioning.audit(session, team_id, SCIM, "role_changed", user.id, ["role"])

    async def _remove(self, session: AsyncSession, team_id: str, role: str, ids: list[str]) -> None:
        """A user taken out of their role's group leaves the team (they keep their account)."""
        current = {user_id for user_id, _ in await self._members(session, team_id, role)}
        for user_id in ids:
            if user_id in current:
                _, user = await self._member_target(session, team_id, user_id)
                if await provisioning.remove_member(session, team_id, user):
                    provisioning.audit(session, team_id, SCIM, "member_removed", user.id, ["role"])

    async def _set_members(
        self, session: AsyncSession, team_id: str, role: str, ids: list[str]
    ) -> None:
        current = [user_id for user_id, _ in await self._members(session, team_id, role)]
        await self._remove(session, team_id, role, [u for u in current if u not in ids])
        await self._add(session, team_id, role, ids)

    async def _member_target(
        self, session: AsyncSession, team_id: str, user_id: str
    ) -> tuple[DirectoryAccount, User]:
        found = await DirectoryAccountRepository.from_session(session).account_of_user(
            team_id, SCIM, user_id
        )
        if found is None:
            raise bad_request(f"No SCIM user {user_id} in this team.")
        return found


scim = ScimService()
