"""A team's LDAP directory, the accounts a directory manages, sync runs and SCIM tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.crypto import EncryptedText
from folio.core.db import Base, TimestampMixin, str_enum, utcnow


class DirectorySource(StrEnum):
    ldap = "ldap"
    scim = "scim"


class SyncTrigger(StrEnum):
    manual = "manual"
    scheduled = "scheduled"


class SyncStatus(StrEnum):
    succeeded = "succeeded"
    failed = "failed"


class LdapDirectory(TimestampMixin, Base):
    """One per team. ``bind_password`` is never returned by the API."""

    __tablename__ = "ldap_directories"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), unique=True, index=True
    )
    url: Mapped[str] = mapped_column(String(500))  # ldap://host:389 or ldaps://host:636
    start_tls: Mapped[bool] = mapped_column(Boolean, default=False)
    verify_tls: Mapped[bool] = mapped_column(Boolean, default=True)
    ca_certificate: Mapped[str | None] = mapped_column(Text)  # PEM; None: the system CAs
    bind_dn: Mapped[str | None] = mapped_column(String(500))
    bind_password: Mapped[str | None] = mapped_column(EncryptedText)
    user_base: Mapped[str] = mapped_column(String(500))
    user_filter: Mapped[str] = mapped_column(String(1000))
    uid_attribute: Mapped[str] = mapped_column(String(100))
    email_attribute: Mapped[str] = mapped_column(String(100))
    name_attribute: Mapped[str] = mapped_column(String(100))
    group_base: Mapped[str | None] = mapped_column(String(500))
    group_filter: Mapped[str] = mapped_column(String(1000))
    group_member_attribute: Mapped[str] = mapped_column(String(100))
    # group DN (lower-cased) -> builtin role; the highest mapped role of a user's groups wins
    group_roles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    default_role: Mapped[str | None] = mapped_column(String(40))  # None: mapped groups only
    sync_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sync_interval_s: Mapped[int] = mapped_column(Integer, default=3600)
    login_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sync_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(String(40))


class DirectoryAccount(TimestampMixin, Base):
    """An account a team's directory created and manages: only these are updated, disabled
    or signed in by the directory, never an account that existed before."""

    __tablename__ = "directory_accounts"
    __table_args__ = (
        UniqueConstraint("team_id", "source", "external_id"),
        UniqueConstraint("user_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source: Mapped[DirectorySource] = mapped_column(str_enum(DirectorySource, 10))
    external_id: Mapped[str] = mapped_column(String(500))  # LDAP uid; SCIM userName
    external_ref: Mapped[str | None] = mapped_column(String(500))  # LDAP DN; SCIM externalId
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DirectorySyncRun(Base):
    __tablename__ = "directory_sync_runs"
    __table_args__ = (Index("ix_directory_sync_runs_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    trigger: Mapped[SyncTrigger] = mapped_column(str_enum(SyncTrigger, 20))
    status: Mapped[SyncStatus] = mapped_column(str_enum(SyncStatus, 20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    seen: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    started_by: Mapped[str | None] = mapped_column(String(40))


class ScimToken(TimestampMixin, Base):
    """A team's SCIM bearer token, stored as its SHA-256 digest."""

    __tablename__ = "scim_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))  # shown to tell tokens apart
    created_by: Mapped[str | None] = mapped_column(String(40))
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
