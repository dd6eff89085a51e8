"""Workflow templates (a team's step lists), their instances on documents, the human tasks
the instances open, and each instance's history (transitions and comments)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from folio.core.db import Base, TimestampMixin, str_enum, utcnow


class StepKind(StrEnum):
    # human tasks
    review = "review"
    approve = "approve"
    correct_fields = "correct_fields"
    # automatic actions, run when the instance reaches them
    notify = "notify"
    set_classification = "set_classification"
    reprocess = "reprocess"


HUMAN_KINDS = frozenset({StepKind.review, StepKind.approve, StepKind.correct_fields})


class InstanceState(StrEnum):
    active = "active"
    completed = "completed"
    rejected = "rejected"
    cancelled = "cancelled"


class TaskState(StrEnum):
    open = "open"
    approved = "approved"
    rejected = "rejected"
    cancelled = "cancelled"


class EntryKind(StrEnum):
    started = "started"
    task_opened = "task_opened"
    task_approved = "task_approved"
    task_rejected = "task_rejected"
    task_reassigned = "task_reassigned"
    reminder_sent = "reminder_sent"
    step_executed = "step_executed"
    step_failed = "step_failed"
    comment = "comment"
    completed = "completed"
    rejected = "rejected"
    cancelled = "cancelled"


class WorkflowTemplate(TimestampMixin, Base):
    __tablename__ = "workflow_templates"
    __table_args__ = (Index("ix_workflow_templates_team_id_id", "team_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(40))


class WorkflowInstance(TimestampMixin, Base):
    """Runs a copy of its template's steps: changing or deleting the template later leaves
    running instances as they started."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        Index("ix_workflow_instances_team_id_id", "team_id", "id"),
        Index("ix_workflow_instances_document_id", "document_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    template_id: Mapped[str] = mapped_column(String(40))
    template_name: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    state: Mapped[InstanceState] = mapped_column(str_enum(InstanceState))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    current_step: Mapped[int | None] = mapped_column(Integer)  # None once ended
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # corrected fields
    started_by: Mapped[str | None] = mapped_column(String(40))
    ended_at: Mapped[datetime | None] = mapped_column()


class WorkflowTask(TimestampMixin, Base):
    """A human step of an instance: open until its assignee (or an admin) acts on it."""

    __tablename__ = "workflow_tasks"
    __table_args__ = (
        Index("ix_workflow_tasks_team_id_id", "team_id", "id"),
        Index("ix_workflow_tasks_instance_id", "instance_id"),
        Index("ix_workflow_tasks_state_due_at", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("workflow_instances.id", ondelete="CASCADE")
    )
    document_id: Mapped[str] = mapped_column(String(40))
    step_index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[StepKind] = mapped_column(str_enum(StepKind, 30))
    assignee_user_id: Mapped[str | None] = mapped_column(String(40))
    assignee_role: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[TaskState] = mapped_column(str_enum(TaskState))
    due_at: Mapped[datetime | None] = mapped_column()
    remind_every_s: Mapped[int | None] = mapped_column(Integer)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column()
    acted_by: Mapped[str | None] = mapped_column(String(40))
    acted_at: Mapped[datetime | None] = mapped_column()


class WorkflowEntry(Base):
    """One line of an instance's history: a transition, an automatic step, or a comment."""

    __tablename__ = "workflow_entries"
    __table_args__ = (Index("ix_workflow_entries_instance_id_id", "instance_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("workflow_instances.id", ondelete="CASCADE")
    )
    task_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, 30))
    actor_user_id: Mapped[str | None] = mapped_column(String(40))  # None: the system
    comment: Mapped[str | None] = mapped_column(String(4000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
