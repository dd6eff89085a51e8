"""Request and response models of workflows. A template's shape (kinds, what each kind
needs, unique names, no cycles) is checked here; assignees, which need the database, in the
service."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, model_validator

from folio.core.schemas import Schema
from folio.workflows.models import (
    HUMAN_KINDS,
    EntryKind,
    InstanceState,
    StepKind,
    TaskState,
)

LABEL_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,49}$"  # as a classification label
MAX_STEPS = 50
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
RefId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Due = Annotated[timedelta, Field(gt=timedelta(0), le=timedelta(days=366))]
Every = Annotated[timedelta, Field(ge=timedelta(minutes=1), le=timedelta(days=366))]
FieldValue = Annotated[str, StringConstraints(max_length=2000)] | float | bool | None
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class Assignee(Schema):
    """Exactly one: a member of the team, or a role (built-in name or a custom role's id)."""

    user_id: RefId | None = None
    role: RefId | None = None

    @model_validator(mode="after")
    def exactly_one(self) -> Self:
        if (self.user_id is None) == (self.role is None):
            raise ValueError("give exactly one of user_id and role")
        return self


class StepSpec(Schema):
    name: Name
    kind: StepKind = Field(
        description="Human tasks: review, approve, correct_fields. Automatic, run when the "
        "instance reaches them: notify, set_classification, reprocess"
    )
    assignee: Assignee | None = Field(
        default=None,
        description="Human tasks: who acts (required). notify: who is told; unset: the "
        "instance's starter and the people who acted on it",
    )
    due_in: Due | None = Field(
        default=None, description="Human tasks: due this long after opening (ISO 8601 duration)"
    )
    remind_every: Every | None = Field(
        default=None,
        description="Human tasks: once overdue, remind again this often; unset: remind once",
    )
    message: Annotated[str, StringConstraints(min_length=1, max_length=1000)] | None = Field(
        default=None, description="notify: the notification's text (required)"
    )
    document_type: Annotated[str, StringConstraints(pattern=LABEL_PATTERN)] | None = Field(
        default=None, description="set_classification: the type to set (required)"
    )
    next: Name | None = Field(
        default=None, description="The step to go to after this one; unset: the following one"
    )
    on_reject: Name | None = Field(
        default=None,
        description="Human tasks: the step to go to when rejected; unset: the instance ends "
        "rejected",
    )

    @model_validator(mode="after")
    def fits_kind(self) -> Self:
        human = self.kind in HUMAN_KINDS
        if human and self.assignee is None:
            raise ValueError(f"a {self.kind} step needs an assignee")
        if not human and (self.due_in or self.remind_every or self.on_reject):
            raise ValueError(f"a {self.kind} step is automatic: no due_in, remind_every, on_reject")
        if self.assignee is not None and not (human or self.kind is StepKind.notify):
            raise ValueError(f"a {self.kind} step takes no assignee")
        if self.kind is StepKind.notify and self.message is None:
            raise ValueError("a notify step needs a message")
        if self.kind is StepKind.set_classification and self.document_type is None:
            raise ValueError("a set_classification step needs a document_type")
        return self


def successors(steps: list[StepSpec], index: int) -> list[int]:
    """Where step ``index`` can lead: its ``next`` (or the following step) and its
    ``on_reject``; past the last step the instance ends."""
    by_name = {step.name: i for i, step in enumerate(steps)}
    step = steps[index]
    targets = [by_name[step.next] if step.next else index + 1]
    if step.on_reject:
        targets.append(by_name[step.on_reject])
    return [target for target in targets if target < len(steps)]


def find_cycle(steps: list[StepSpec]) -> int | None:
    """A step on a cycle of the step graph, or None: a cycle would never end."""
    state = [0] * len(steps)  # 0 unseen, 1 on the current path, 2 done

    def visit(index: int) -> int | None:
        state[index] = 1
        for target in successors(steps, index):
            if state[target] == 1:
                return index
            if state[target] == 0 and (found := visit(target)) is not None:
                return found
        state[index] = 2
        return None

    for start in range(len(steps)):
        if state[start] == 0 and (found := visit(start)) is not None:
            return found
    return None


def check_graph(steps: list[StepSpec]) -> None:
    """Unique names, known targets, no cycle: raises ValueError (a 422) otherwise."""
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise ValueError("step names must be unique")
    for step in steps:
        for target in (step.next, step.on_reject):
            if target is not None and target not in names:
                raise ValueError(f"step {step.name!r} leads to unknown step {target!r}")
    looping = find_cycle(steps)
    if looping is not None:
        raise ValueError(
            f"step {steps[looping].name!r} leads back to itself: workflows cannot have cycles"
        )


TemplateName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
Description = Annotated[str, StringConstraints(max_length=2000)]
Steps = Annotated[list[StepSpec], Field(min_length=1, max_length=MAX_STEPS)]


class WorkflowCreate(Schema):
    name: TemplateName
    description: Description | None = None
    steps: Steps

    @model_validator(mode="after")
    def a_graph_that_ends(self) -> Self:
        check_graph(self.steps)
        return self


class WorkflowUpdate(Schema):
    """Only what is sent changes; ``steps`` replaces the whole list and is checked as on
    create. Instances already running keep the steps they started with."""

    name: TemplateName | None = None
    description: Description | None = None
    steps: Steps | None = None

    @model_validator(mode="after")
    def a_graph_that_ends(self) -> Self:
        for required in ("name", "steps"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} cannot be null")
        if self.steps is not None:
            check_graph(self.steps)
        return self


class WorkflowRead(Schema):
    id: str
    team_id: str
    name: str
    description: str | None
    steps: list[StepSpec]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class InstanceStart(Schema):
    document_id: RefId


class TaskRead(Schema):
    id: str
    instance_id: str
    document_id: str
    step_index: int
    name: str
    kind: StepKind
    assignee_user_id: str | None
    assignee_role: str | None
    state: TaskState
    due_at: datetime | None
    overdue: bool
    reminders_sent: int
    last_reminded_at: datetime | None
    acted_by: str | None
    acted_at: datetime | None
    created_at: datetime


class InstanceRead(Schema):
    id: str
    team_id: str
    template_id: str
    template_name: str
    document_id: str
    state: InstanceState
    current_step: int | None
    current_step_name: str | None
    steps: list[StepSpec]
    fields: dict[str, Any]
    tasks: list[TaskRead]
    started_by: str | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None


class EntryRead(Schema):
    id: str
    instance_id: str
    task_id: str | None
    kind: EntryKind
    actor_user_id: str | None
    comment: str | None
    data: dict[str, Any]
    created_at: datetime


class TaskApprove(Schema):
    comment: Comment | None = None
    fields: dict[FieldName, FieldValue] | None = Field(
        default=None,
        max_length=100,
        description="correct_fields tasks: the corrected values, kept on the instance",
    )


class TaskReject(Schema):
    comment: Comment | None = None


class TaskReassign(Assignee):
    comment: Comment | None = None


class CommentCreate(Schema):
    body: Comment
