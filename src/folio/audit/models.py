from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, utcnow


class AuditEntry(Base):
    """One state-changing request. No foreign key to ``teams``: the trail outlives what it
    describes. Ids are ``aud_`` + ULID, so they sort by time and serve as cursors."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_team_id_id", "team_id", "id"),
        Index("ix_audit_entries_team_action", "team_id", "action"),
        Index("ix_audit_entries_team_resource", "team_id", "resource_type", "resource_id"),
        Index("ix_audit_entries_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    team_id: Mapped[str | None] = mapped_column(String(40))  # None: anonymous call
    actor_type: Mapped[str] = mapped_column(String(20))  # user | api_key | default_team | anonymous
    actor_user_id: Mapped[str | None] = mapped_column(String(40))
    actor_key_id: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(120))  # documents.create, keys.rotate …
    resource_type: Mapped[str | None] = mapped_column(String(60))
    resource_id: Mapped[str | None] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(10))
    route: Mapped[str] = mapped_column(String(300))
    status_code: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10))  # success | denied | failure
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(128))
    changed_fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # names, never values
