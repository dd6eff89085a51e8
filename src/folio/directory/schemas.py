from __future__ import annotations

import re
import ssl
from datetime import datetime
from typing import Annotated, Self
from urllib.parse import urlsplit

from ldap3.core.exceptions import LDAPException
from ldap3.operation.search import parse_filter
from ldap3.utils.dn import parse_dn
from pydantic import Field, StringConstraints, field_validator, model_validator

from folio.core.schemas import Schema
from folio.directory.models import SyncStatus, SyncTrigger

ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,99}$")
MAPPABLE_ROLES = ("admin", "member", "viewer")  # a directory never makes owners

Attribute = Annotated[str, StringConstraints(pattern=ATTRIBUTE.pattern)]
MappedRole = Annotated[str, StringConstraints(pattern=r"^(admin|member|viewer)$")]
Dn = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Filter = Annotated[str, StringConstraints(min_length=3, max_length=1000)]


def check_dn(value: str) -> str:
    try:
        parse_dn(value)
    except LDAPException as exc:
        raise ValueError(f"not a distinguished name: {exc}") from exc
    return value


def check_filter(value: str) -> str:
    try:
        parse_filter(
            value, None, auto_escape=False, auto_encode=True, validator=None, check_names=False
        )
    except LDAPException as exc:
        raise ValueError(f"not an LDAP filter: {exc}") from exc
    return value


class LdapDirectoryWrite(Schema):
    url: str = Field(max_length=500, description="ldap://host[:port] or ldaps://host[:port]")
    start_tls: bool = Field(
        default=False, description="Upgrade an ldap:// connection with StartTLS"
    )
    verify_tls: bool = Field(default=True, description="Verify the server certificate")
    ca_certificate: str | None = Field(
        default=None,
        max_length=100_000,
        description="PEM of the CA(s) to trust; unset: the system's",
    )
    bind_dn: Dn | None = Field(default=None, description="Service account; unset: anonymous")
    bind_password: str | None = Field(
        default=None,
        max_length=500,
        description="Write-only. Leave out on a later PUT to keep the stored one",
    )
    user_base: Dn
    user_filter: Filter = "(objectClass=inetOrgPerson)"
    uid_attribute: Attribute = "uid"
    email_attribute: Attribute = "mail"
    name_attribute: Attribute = "cn"
    group_base: Dn | None = None
    group_filter: Filter = "(objectClass=groupOfNames)"
    group_member_attribute: Attribute = "member"
    group_roles: dict[Dn, MappedRole] = Field(
        default_factory=dict,
        max_length=200,
        description="Group DN -> admin, member or viewer; the highest of a user's groups wins",
    )
    default_role: MappedRole | None = Field(
        default=None, description="Role of users in no mapped group; unset: they are not synced"
    )
    sync_enabled: bool = True
    sync_interval_s: int = Field(default=3600, ge=60, le=7 * 86400)
    login_enabled: bool = Field(default=False, description="Allow LDAP password sign-in")

    @field_validator("url")
    @classmethod
    def ldap_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
            raise ValueError("give ldap://host[:port] or ldaps://host[:port]")
        if parts.path not in ("", "/") or parts.query or parts.username:
            raise ValueError("give only the scheme, host and port")
        try:
            parts.port  # noqa: B018  (raises on a bad port)
        except ValueError as exc:
            raise ValueError("the port is not a number from 1 to 65535") from exc
        return value

    @field_validator("user_base", "group_base", "bind_dn")
    @classmethod
    def distinguished_name(cls, value: str | None) -> str | None:
        return None if value is None else check_dn(value)

    @field_validator("user_filter", "group_filter")
    @classmethod
    def ldap_filter(cls, value: str) -> str:
        return check_filter(value)

    @field_validator("group_roles")
    @classmethod
    def group_dns(cls, value: dict[str, str]) -> dict[str, str]:
        return {check_dn(dn).lower(): role for dn, role in value.items()}

    @field_validator("ca_certificate")
    @classmethod
    def pem(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ssl.create_default_context(cadata=value)
            except (ssl.SSLError, ValueError) as exc:
                raise ValueError("not a PEM certificate") from exc
        return value

    @model_validator(mode="after")
    def consistent(self) -> Self:
        if self.start_tls and self.url.startswith("ldaps:"):
            raise ValueError("StartTLS is for ldap:// URLs; ldaps:// is TLS already")
        if self.group_roles and self.group_base is None:
            raise ValueError("group_roles needs group_base")
        if not self.group_roles and self.default_role is None:
            raise ValueError("give group_roles or a default_role: otherwise nobody is synced")
        return self


class LdapDirectoryRead(Schema):
    id: str
    team_id: str
    url: str
    start_tls: bool
    verify_tls: bool
    ca_certificate: str | None
    bind_dn: str | None
    bind_password_set: bool
    user_base: str
    user_filter: str
    uid_attribute: str
    email_attribute: str
    name_attribute: str
    group_base: str | None
    group_filter: str
    group_member_attribute: str
    group_roles: dict[str, str]
    default_role: str | None
    sync_enabled: bool
    sync_interval_s: int
    login_enabled: bool
    last_sync_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConnectionTest(Schema):
    ok: bool
    users_found: int = Field(description="Entries the user filter matches")
    groups_found: int = Field(description="Entries the group filter matches")
    error: str | None = None


class SyncRunRead(Schema):
    id: str
    team_id: str
    trigger: SyncTrigger
    status: SyncStatus
    started_at: datetime
    finished_at: datetime | None
    seen: int = Field(description="Directory users that qualify (in a mapped group or default)")
    created: int
    updated: int
    disabled: int
    errors: list[str]
    started_by: str | None


class LdapLogin(Schema):
    team_id: str = Field(max_length=40, description="The team whose directory signs you in")
    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class ScimTokenCreate(Schema):
    name: str = Field(min_length=1, max_length=100)


class ScimTokenRead(Schema):
    id: str
    team_id: str
    name: str
    prefix: str
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ScimTokenCreated(ScimTokenRead):
    token: str = Field(description="Shown once: the bearer token for the SCIM client")
