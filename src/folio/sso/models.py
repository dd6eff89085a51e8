from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.crypto import EncryptedText
from folio.core.db import Base, TimestampMixin, str_enum


class IdentityProvider(TimestampMixin, Base):
    """An OpenID Connect provider: a team's own (``team_id`` set, managed by its admins) or
    installation-wide (``team_id`` null, managed by installation admins)."""

    __tablename__ = "identity_providers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(2000))
    client_id: Mapped[str] = mapped_column(String(500))
    # sent to the provider's token endpoint, so stored readable; never returned after creation
    client_secret: Mapped[str | None] = mapped_column(EncryptedText)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # claim names: {"email": "email", "name": "name", "groups": "groups"}
    claims: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    group_roles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # group -> role
    default_role: Mapped[str] = mapped_column(String(40), default="member")
    allowed_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uri: Mapped[str | None] = mapped_column(String(2000))
    auto_join: Mapped[bool] = mapped_column(Boolean, default=False)
    jit_provisioning: Mapped[bool] = mapped_column(Boolean, default=True)
    sso_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(40))


class SsoIdentity(TimestampMixin, Base):
    """A provider's subject linked to a Folio user: the next sign-in finds the user by it,
    not by an e-mail address the provider could change."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_login_at: Mapped[datetime | None] = mapped_column()


class FlowKind(StrEnum):
    web = "web"
    api = "api"


class SsoFlow(Base):
    """One started sign-in: the server-side half of ``state``, with its nonce and PKCE
    verifier. Spent by the first callback that names it; useless after ``expires_at``."""

    __tablename__ = "sso_flows"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE"), index=True
    )
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[FlowKind] = mapped_column(str_enum(FlowKind, 10))
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()


class SsoSession(Base):
    """Which provider started a Folio session, and its ID token as the logout hint."""

    __tablename__ = "sso_sessions"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE"), index=True
    )
    id_token: Mapped[str] = mapped_column(EncryptedText)  # names the person: kept for RP logout
    created_at: Mapped[datetime] = mapped_column()
