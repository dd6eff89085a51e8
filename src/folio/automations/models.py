"""Automation rules of a team, and their runs: one per (rule, event), the durable queue of
their work and its log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum


class AutomationRule(TimestampMixin, Base):
    __tablename__ = "automation_rules"
    __table_args__ = (Index("ix_automation_rules_team_position", "team_id", "position"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)  # rules run in this order
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON)
    trigger_type: Mapped[str] = mapped_column(String(40), index=True)  # the trigger's "type"
    conditions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    max_failures: Mapped[int] = mapped_column(Integer, default=5)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column()
    paused_reason: Mapped[str | None] = mapped_column(String(300))
    next_run_at: Mapped[datetime | None] = mapped_column()  # scheduled rules: the next slot
    created_by: Mapped[str | None] = mapped_column(String(40))


class RunStatus(StrEnum):
    pending = "pending"  # waiting or being worked on (its lease says by whom)
    succeeded = "succeeded"
    skipped = "skipped"  # the conditions did not match, or loop protection stopped it
    failed = "failed"  # out of attempts


class AutomationRun(Base):
    __tablename__ = "automation_runs"
    __table_args__ = (
        UniqueConstraint("rule_id", "event_id", name="uq_automation_runs_rule_event"),
        Index("ix_automation_runs_due", "status", "next_attempt_at"),
        Index("ix_automation_runs_rule_id_id", "rule_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(ForeignKey("automation_rules.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(80))  # evt_… or schedule:<slot>
    event_type: Mapped[str] = mapped_column(String(60))
    event_data: Mapped[dict[str, Any]] = mapped_column(JSON)
    document_id: Mapped[str | None] = mapped_column(String(40))
    depth: Mapped[int] = mapped_column(Integer, default=0)  # 0: not caused by a rule's action
    cause: Mapped[list[str]] = mapped_column(JSON, default=list)  # the rules that led here
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus), default=RunStatus.pending)
    matched: Mapped[bool | None] = mapped_column(Boolean)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # one entry per planned action: kind, status (pending|done|failed), result, error,
    # duration_ms; an entry marked done is never run again
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_until: Mapped[datetime | None] = mapped_column()
    holder: Mapped[str | None] = mapped_column(String(100))  # the runner holding the lease
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
