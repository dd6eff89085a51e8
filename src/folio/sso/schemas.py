from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, StringConstraints

from folio.auth.schemas import LoginResult
from folio.core.schemas import Schema

MappedRole = Literal["admin", "member", "viewer"]
Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=253,
        pattern=r"^[^@\s]+\.[^@\s]+$",
    ),
]
Scope = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
ClaimName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ClaimMapping(Schema):
    email: ClaimName = "email"
    name: ClaimName = "name"
    groups: ClaimName = "groups"


class ProviderCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    issuer: AnyHttpUrl = Field(description="Its discovery document is fetched at creation")
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str | None = Field(
        default=None, max_length=1000, description="Never returned; null for a public client"
    )
    scopes: list[Scope] = Field(
        default_factory=lambda: ["openid", "email", "profile"], max_length=20
    )
    claims: ClaimMapping = Field(default_factory=ClaimMapping)
    group_roles: dict[GroupName, MappedRole] = Field(
        default_factory=dict, max_length=100, description="Provider group → team role"
    )
    default_role: MappedRole = "member"
    allowed_domains: list[Domain] = Field(
        default_factory=list, max_length=50, description="E-mail domains it may sign in; empty: any"
    )
    redirect_uris: list[AnyHttpUrl] = Field(
        default_factory=list,
        max_length=20,
        description="Extra redirect URIs an API flow may ask for (besides PUBLIC_URL/sso/callback)",
    )
    post_logout_redirect_uri: AnyHttpUrl | None = None
    auto_join: bool = Field(
        default=False, description="New users join the team at once (else: pending approval)"
    )
    jit_provisioning: bool = Field(default=True, description="Create accounts on first sign-in")
    sso_required: bool = Field(
        default=False, description="The team's members may no longer sign in with a password"
    )
    installation_wide: bool = Field(
        default=False, description="For every team (installation admins only)"
    )


class ProviderUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    client_id: str | None = Field(default=None, min_length=1, max_length=500)
    client_secret: str | None = Field(default=None, max_length=1000)
    scopes: list[Scope] | None = Field(default=None, max_length=20)
    claims: ClaimMapping | None = None
    group_roles: dict[GroupName, MappedRole] | None = Field(default=None, max_length=100)
    default_role: MappedRole | None = None
    allowed_domains: list[Domain] | None = Field(default=None, max_length=50)
    redirect_uris: list[AnyHttpUrl] | None = Field(default=None, max_length=20)
    post_logout_redirect_uri: AnyHttpUrl | None = None
    auto_join: bool | None = None
    jit_provisioning: bool | None = None
    sso_required: bool | None = None
    is_active: bool | None = None


class ProviderRead(Schema):
    id: str
    team_id: str | None = Field(description="null: installation-wide")
    name: str
    issuer: str
    client_id: str
    has_client_secret: bool
    scopes: list[str]
    claims: ClaimMapping
    group_roles: dict[str, str]
    default_role: str
    allowed_domains: list[str]
    redirect_uris: list[str]
    post_logout_redirect_uri: str | None
    auto_join: bool
    jit_provisioning: bool
    sso_required: bool
    is_active: bool
    created_at: datetime


class FlowStart(Schema):
    provider_id: str | None = Field(default=None, max_length=40)
    email: str | None = Field(
        default=None, max_length=320, description="Picks the provider by its allowed domains"
    )
    redirect_uri: AnyHttpUrl | None = Field(
        default=None,
        description="One of the provider's redirect_uris; default PUBLIC_URL/sso/callback",
    )


class FlowStarted(Schema):
    flow_id: str
    provider_id: str
    authorization_url: str
    redirect_uri: str
    expires_at: datetime


class FlowCallback(Schema):
    code: str = Field(min_length=1, max_length=4000)
    state: str = Field(min_length=1, max_length=200)


class WebFlowCallback(FlowCallback):
    flow_id: str = Field(min_length=1, max_length=40)


class WebFlowStart(Schema):
    provider_id: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=320)


class SsoLoginResult(LoginResult):
    pending_approval: bool = Field(
        default=False, description="A new member waits for a team admin's approval: no tokens"
    )
    team_id: str | None = Field(
        default=None, description="The team this session is bound to (a team's provider)"
    )


class LogoutResult(Schema):
    end_session_url: str | None = Field(
        description="Send the browser here to sign out at the provider too (null: not SSO)"
    )
