"""Workflows: templates of steps, instances that walk them on a document, and the human
tasks they open. Every transition writes a history entry and emits an event (which makes
the in-app notifications) in the caller's unit of work, together with the automatic steps it
reaches: they commit or roll back as one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from folio.classifiers.schemas import ClassificationUpdate
from folio.classifiers.service import classifier as classifier_service
from folio.core.db import utcnow
from folio.core.errors import (
    Conflict,
    FieldError,
    FolioError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.permissions import BuiltinRole, Permission
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.schemas import ProcessingOptions
from folio.documents.service import DocumentBusy
from folio.documents.service import document as document_service
from folio.events import catalog
from folio.events.service import event as event_service
from folio.teams.repository import TeamRepository
from folio.workflows.models import (
    HUMAN_KINDS,
    EntryKind,
    InstanceState,
    StepKind,
    TaskState,
    WorkflowEntry,
    WorkflowInstance,
    WorkflowTask,
    WorkflowTemplate,
)
from folio.workflows.repository import (
    EntryRepository,
    InstanceRepository,
    RoleHolderRepository,
    TaskRepository,
    TemplateRepository,
)
from folio.workflows.schemas import (
    Assignee,
    CommentCreate,
    InstanceRead,
    InstanceStart,
    StepSpec,
    TaskApprove,
    TaskRead,
    TaskReassign,
    TaskReject,
    WorkflowCreate,
    WorkflowUpdate,
)


class TaskClosed(Conflict):
    code = "TASK_CLOSED"
    title = "The task was already acted on"


class WorkflowRunning(Conflict):
    code = "WORKFLOW_RUNNING"
    title = "This workflow already runs on the document"


def team_actor(team_id: str, user_id: str | None) -> Principal:
    """Acts within one team for work no request asked for directly (an automation, an
    automatic step): the services it calls scope their reads to that team."""
    return Principal(team_id=team_id, team_ids=frozenset({team_id}), user_id=user_id)


def task_read(task: WorkflowTask, now: datetime | None = None) -> TaskRead:
    moment = now or utcnow()
    return TaskRead(
        id=task.id,
        instance_id=task.instance_id,
        document_id=task.document_id,
        step_index=task.step_index,
        name=task.name,
        kind=task.kind,
        assignee_user_id=task.assignee_user_id,
        assignee_role=task.assignee_role,
        state=task.state,
        due_at=task.due_at,
        overdue=task.state is TaskState.open and task.due_at is not None and task.due_at <= moment,
        reminders_sent=task.reminders_sent,
        last_reminded_at=task.last_reminded_at,
        acted_by=task.acted_by,
        acted_at=task.acted_at,
        created_at=task.created_at,
    )


def instance_read(instance: WorkflowInstance, tasks: Sequence[WorkflowTask]) -> InstanceRead:
    steps = [StepSpec.model_validate(step) for step in instance.steps]
    current = instance.current_step
    return InstanceRead(
        id=instance.id,
        team_id=instance.team_id,
        template_id=instance.template_id,
        template_name=instance.template_name,
        document_id=instance.document_id,
        state=instance.state,
        current_step=current,
        current_step_name=steps[current].name if current is not None else None,
        steps=steps,
        fields=instance.fields or {},
        tasks=[task_read(task) for task in tasks],
        started_by=instance.started_by,
        created_at=instance.created_at,
        updated_at=instance.updated_at,
        ended_at=instance.ended_at,
    )


@dataclass
class Run:
    """One unit of work's moves on an instance: who caused them and what they touch."""

    session: AsyncSession
    runtime: Runtime
    instance: WorkflowInstance
    actor_user_id: str | None
    participants: set[str] = field(default_factory=set)


class WorkflowService:
    # ---- templates ----------------------------------------------------------------------

    async def list_templates(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[WorkflowTemplate]:
        rows = await TemplateRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda row: row.id)

    async def create_template(
        self, session: AsyncSession, principal: Principal, data: WorkflowCreate
    ) -> WorkflowTemplate:
        await self._check_assignees(session, principal.team_id, data.steps)
        return await TemplateRepository.from_session(session).create(
            WorkflowTemplate(
                id=new_id(IdPrefix.workflow),
                team_id=principal.team_id,
                name=data.name,
                description=data.description,
                steps=[step.model_dump(mode="json", exclude_none=True) for step in data.steps],
                created_by=principal.user_id,
            ),
            flush=True,
        )

    async def update_template(
        self, session: AsyncSession, principal: Principal, workflow_id: str, data: WorkflowUpdate
    ) -> WorkflowTemplate:
        """A partial update, checked as a create is before anything changes. Running
        instances keep the copy of the steps they started with."""
        template = await self.get_template(session, principal, workflow_id)
        if data.steps is not None:
            await self._check_assignees(session, template.team_id, data.steps)
        changes = data.model_dump(exclude_unset=True, mode="json", exclude_none=True)
        if "description" in data.model_fields_set:
            changes["description"] = data.description
        if data.steps is not None:
            changes["steps"] = [s.model_dump(mode="json", exclude_none=True) for s in data.steps]
        for name, value in changes.items():
            setattr(template, name, value)
        await session.flush()
        return template

    async def _check_assignees(
        self, session: AsyncSession, team_id: str, steps: Sequence[StepSpec]
    ) -> None:
        errors = []
        for index, step in enumerate(steps):
            if step.assignee is not None:
                problem = await self._unknown_assignee(session, team_id, step.assignee)
                if problem is not None:
                    errors.append(FieldError(f"steps.{index}.assignee", "unknown", problem))
        if errors:
            raise ValidationFailed(errors)

    async def _unknown_assignee(
        self, session: AsyncSession, team_id: str, assignee: Assignee
    ) -> str | None:
        """Why ``assignee`` names nobody in the team, or None when it is someone."""
        holders = RoleHolderRepository.from_session(session)
        if assignee.user_id is not None:
            if not await holders.is_active_member(team_id, assignee.user_id):
                return f"{assignee.user_id} is not a member of this team."
            return None
        role = assignee.role or ""
        if role in BuiltinRole.__members__:
            return None
        if await TeamRepository.from_session(session).role(team_id, role) is None:
            return f"{role} is neither a built-in role nor one of this team's roles."
        return None

    async def get_template(
        self, session: AsyncSession, principal: Principal, workflow_id: str
    ) -> WorkflowTemplate:
        template = await TemplateRepository.from_session(session).get(principal, workflow_id)
        if template is None:
            raise NotFound(f"No workflow {workflow_id}.")
        return template

    async def delete_template(
        self, session: AsyncSession, principal: Principal, workflow_id: str
    ) -> None:
        """Running instances keep their copy of the steps and go on."""
        await session.delete(await self.get_template(session, principal, workflow_id))

    # ---- instances ----------------------------------------------------------------------

    async def start(
        self,
        session: AsyncSession,
        runtime: Runtime,
        *,
        team_id: str,
        template_id: str,
        document_id: str,
        actor_user_id: str | None,
    ) -> WorkflowInstance:
        """Starts ``template_id`` on ``document_id``, both of ``team_id`` (else 404), and runs
        it up to its first human task (or its end), in the caller's unit of work. For the
        workflow endpoint and for automations; 409 while the same workflow still runs on the
        document, so a repeated trigger starts nothing twice."""
        template = await TemplateRepository.from_session(session).of_team(team_id, template_id)
        if template is None:
            raise NotFound(f"No workflow {template_id}.")
        document = await document_service.get(session, team_actor(team_id, None), document_id)
        running = await InstanceRepository.from_session(session).running(
            team_id, template.id, document.id
        )
        if running is not None:
            raise WorkflowRunning(
                f"Workflow {template.id} already runs on {document.id} as {running.id}.",
                instance_id=running.id,
            )
        instance = await InstanceRepository.from_session(session).create(
            WorkflowInstance(
                id=new_id(IdPrefix.workflow_instance),
                team_id=team_id,
                template_id=template.id,
                template_name=template.name,
                document_id=document.id,
                state=InstanceState.active,
                steps=list(template.steps),
                current_step=0,
                fields={},
                started_by=actor_user_id,
            ),
            flush=True,
        )
        run = Run(session, runtime, instance, actor_user_id)
        if actor_user_id:
            run.participants.add(actor_user_id)
        await self._record(run, EntryKind.started, catalog.WORKFLOW_STARTED, recipients=[])
        await self._enter(run, 0)
        await session.flush()
        return instance

    async def start_for(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        workflow_id: str,
        data: InstanceStart,
    ) -> InstanceRead:
        instance = await self.start(
            session,
            runtime,
            team_id=principal.team_id,
            template_id=workflow_id,
            document_id=data.document_id,
            actor_user_id=principal.user_id,
        )
        return await self._read(session, instance)

    async def list_instances(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        document_id: str | None,
        state: InstanceState | None,
    ) -> Page[InstanceRead]:
        rows = await InstanceRepository.from_session(session).list_page(
            principal, document_id=document_id, state=state, limit=page.limit, before=page.after
        )
        tasks = await TaskRepository.from_session(session).of_instances([r.id for r in rows])
        items = [instance_read(row, [t for t in tasks if t.instance_id == row.id]) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda item: item.id)

    async def get_instance(
        self, session: AsyncSession, principal: Principal, instance_id: str
    ) -> InstanceRead:
        return await self._read(session, await self._instance(session, principal, instance_id))

    async def _instance(
        self, session: AsyncSession, principal: Principal, instance_id: str
    ) -> WorkflowInstance:
        instance = await InstanceRepository.from_session(session).get(principal, instance_id)
        if instance is None:
            raise NotFound(f"No workflow instance {instance_id}.")
        return instance

    async def _read(self, session: AsyncSession, instance: WorkflowInstance) -> InstanceRead:
        await session.flush()
        tasks = await TaskRepository.from_session(session).of_instances([instance.id])
        return instance_read(instance, tasks)

    async def history(
        self, session: AsyncSession, principal: Principal, instance_id: str, page: PageParams
    ) -> Page[WorkflowEntry]:
        instance = await self._instance(session, principal, instance_id)
        rows = await EntryRepository.from_session(session).of_instance(
            instance, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda row: row.id)

    async def comment(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        instance_id: str,
        data: CommentCreate,
    ) -> WorkflowEntry:
        instance = await self._instance(session, principal, instance_id)
        run = await self._run(session, runtime, instance, principal.user_id)
        recipients = await self._open_assignees(run)
        return await self._record(
            run,
            EntryKind.comment,
            catalog.WORKFLOW_COMMENTED,
            comment=data.body,
            recipients=recipients,
        )

    async def cancel(
        self, session: AsyncSession, runtime: Runtime, principal: Principal, instance_id: str
    ) -> InstanceRead:
        """The starter or a team admin ends a running instance; its open tasks close."""
        instance = await self._instance(session, principal, instance_id)
        admin = principal.can(Permission.team_manage)
        if not admin and (principal.user_id is None or principal.user_id != instance.started_by):
            raise Forbidden("Only the workflow's starter or a team admin may cancel it.")
        if instance.state is not InstanceState.active:
            raise Conflict(f"Workflow instance {instance.id} is {instance.state}.")
        run = await self._run(session, runtime, instance, principal.user_id)
        recipients = await self._open_assignees(run)
        for task in await TaskRepository.from_session(session).open_of_instance(instance.id):
            task.state, task.acted_by, task.acted_at = (
                TaskState.cancelled,
                principal.user_id,
                utcnow(),
            )
        await self._end(run, InstanceState.cancelled, extra_recipients=recipients)
        return await self._read(session, instance)

    # ---- tasks --------------------------------------------------------------------------

    async def my_tasks(
        self,
        session: AsyncSession,
        principal: Principal,
        page: PageParams,
        *,
        state: TaskState | None,
    ) -> Page[TaskRead]:
        """Tasks of the team assigned to the caller or to a role the caller holds."""
        if principal.user_id is None:
            raise Forbidden("Tasks are assigned to people; this credential is no one's.")
        roles = await RoleHolderRepository.from_session(session).roles_of(
            principal.team_id, principal.user_id, utcnow()
        )
        rows = await TaskRepository.from_session(session).assigned_page(
            principal, principal.user_id, roles, state=state, limit=page.limit, after=page.after
        )
        now = utcnow()
        items = [task_read(row, now) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda item: item.id)

    async def approve(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        task_id: str,
        data: TaskApprove,
    ) -> InstanceRead:
        task, run = await self._acting_on(session, runtime, principal, task_id)
        if data.fields is not None and task.kind is not StepKind.correct_fields:
            raise ValidationFailed(
                [FieldError("fields", "not_allowed", "Only correct_fields tasks take fields.")]
            )
        if data.fields:
            run.instance.fields = {**(run.instance.fields or {}), **data.fields}
        self._close(task, TaskState.approved, principal)
        await self._record(
            run,
            EntryKind.task_approved,
            catalog.WORKFLOW_TASK_APPROVED,
            task=task,
            comment=data.comment,
            data={"fields": data.fields} if data.fields else None,
        )
        await self._enter(run, self._after(run.instance, task.step_index))
        return await self._read(session, run.instance)

    async def reject(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        task_id: str,
        data: TaskReject,
    ) -> InstanceRead:
        task, run = await self._acting_on(session, runtime, principal, task_id)
        self._close(task, TaskState.rejected, principal)
        await self._record(
            run,
            EntryKind.task_rejected,
            catalog.WORKFLOW_TASK_REJECTED,
            task=task,
            comment=data.comment,
        )
        step = StepSpec.model_validate(run.instance.steps[task.step_index])
        if step.on_reject is None:
            await self._end(run, InstanceState.rejected, comment=data.comment)
        else:
            await self._enter(run, self._index_of(run.instance, step.on_reject))
        return await self._read(session, run.instance)

    async def reassign(
        self,
        session: AsyncSession,
        runtime: Runtime,
        principal: Principal,
        task_id: str,
        data: TaskReassign,
    ) -> InstanceRead:
        task, run = await self._acting_on(session, runtime, principal, task_id)
        problem = await self._unknown_assignee(session, task.team_id, data)
        if problem is not None:
            field_name = "user_id" if data.user_id is not None else "role"
            raise ValidationFailed([FieldError(field_name, "unknown", problem)])
        before = {"user_id": task.assignee_user_id, "role": task.assignee_role}
        task.assignee_user_id, task.assignee_role = data.user_id, data.role
        task.reminders_sent, task.last_reminded_at = 0, None
        await self._record(
            run,
            EntryKind.task_reassigned,
            catalog.WORKFLOW_TASK_ASSIGNED,
            task=task,
            comment=data.comment,
            data={"from": before, "to": {"user_id": data.user_id, "role": data.role}},
            recipients=await self._assignees(run, task),
        )
        return await self._read(session, run.instance)

    async def _acting_on(
        self, session: AsyncSession, runtime: Runtime, principal: Principal, task_id: str
    ) -> tuple[WorkflowTask, Run]:
        """The open task, if the caller may act on it: its assignee, a holder of its role,
        or a team admin (team:manage)."""
        task = await TaskRepository.from_session(session).get(principal, task_id)
        if task is None:
            raise NotFound(f"No workflow task {task_id}.")
        if not await self._may_act(session, principal, task):
            raise Forbidden(
                "Only the task's assignee, a holder of its role, or a team admin may act on it."
            )
        if task.state is not TaskState.open:
            raise TaskClosed(f"Task {task.id} is {task.state}.", task_state=task.state)
        instance = await InstanceRepository.from_session(session).of_team(
            task.team_id, task.instance_id
        )
        if instance is None:  # the foreign key cascades: never
            raise NotFound(f"No workflow task {task_id}.")
        return task, await self._run(session, runtime, instance, principal.user_id)

    async def _may_act(
        self, session: AsyncSession, principal: Principal, task: WorkflowTask
    ) -> bool:
        if principal.can(Permission.team_manage):
            return True
        if principal.user_id is None:
            return False
        if task.assignee_user_id is not None:
            return task.assignee_user_id == principal.user_id
        roles = await RoleHolderRepository.from_session(session).roles_of(
            task.team_id, principal.user_id, utcnow()
        )
        return task.assignee_role in roles

    def _close(self, task: WorkflowTask, state: TaskState, principal: Principal) -> None:
        task.state, task.acted_by, task.acted_at = state, principal.user_id, utcnow()

    # ---- reminders ----------------------------------------------------------------------

    async def send_reminders(
        self, session: AsyncSession, runtime: Runtime, now: datetime | None = None
    ) -> int:
        """A reminder for each open task past due: once, then every ``remind_every`` of its
        step. The caller holds the reminder lock, so processes never remind twice."""
        moment = now or utcnow()
        sent = 0
        for task in await TaskRepository.from_session(session).due_reminders(moment):
            instance = await InstanceRepository.from_session(session).of_team(
                task.team_id, task.instance_id
            )
            if instance is None:
                continue
            task.reminders_sent += 1
            task.last_reminded_at = moment
            run = Run(session, runtime, instance, None)
            await self._record(
                run,
                EntryKind.reminder_sent,
                catalog.WORKFLOW_TASK_OVERDUE,
                task=task,
                data={"due_at": task.due_at.isoformat() if task.due_at else None},
                recipients=await self._assignees(run, task),
            )
            sent += 1
        return sent

    # ---- the engine ---------------------------------------------------------------------

    async def _run(
        self, session: AsyncSession, runtime: Runtime, instance: WorkflowInstance, actor: str | None
    ) -> Run:
        run = Run(session, runtime, instance, actor)
        if instance.started_by:
            run.participants.add(instance.started_by)
        run.participants |= await EntryRepository.from_session(session).actors(instance)
        if actor:
            run.participants.add(actor)
        return run

    def _index_of(self, instance: WorkflowInstance, name: str) -> int:
        return next(i for i, step in enumerate(instance.steps) if step["name"] == name)

    def _after(self, instance: WorkflowInstance, index: int) -> int:
        target = instance.steps[index].get("next")
        return self._index_of(instance, target) if target else index + 1

    async def _enter(self, run: Run, index: int) -> None:
        """Runs automatic steps from ``index`` on until a human task opens or the steps end.
        Templates have no cycles, so this ends."""
        instance = run.instance
        while index < len(instance.steps):
            instance.current_step = index
            step = StepSpec.model_validate(instance.steps[index])
            if step.kind in HUMAN_KINDS:
                await self._open_task(run, index, step)
                return
            await self._automatic(run, step)
            index = self._after(instance, index)
        await self._end(run, InstanceState.completed)

    async def _open_task(self, run: Run, index: int, step: StepSpec) -> None:
        instance = run.instance
        assignee = step.assignee or Assignee(role=BuiltinRole.admin)
        now = utcnow()
        every = int(step.remind_every.total_seconds()) if step.remind_every else None
        task = await TaskRepository.from_session(run.session).create(
            WorkflowTask(
                id=new_id(IdPrefix.workflow_task),
                team_id=instance.team_id,
                instance_id=instance.id,
                document_id=instance.document_id,
                step_index=index,
                name=step.name,
                kind=step.kind,
                assignee_user_id=assignee.user_id,
                assignee_role=assignee.role,
                state=TaskState.open,
                due_at=now + step.due_in if step.due_in else None,
                remind_every_s=every,
                reminders_sent=0,
                created_at=now,
                updated_at=now,
            )
        )
        await self._record(
            run,
            EntryKind.task_opened,
            catalog.WORKFLOW_TASK_ASSIGNED,
            task=task,
            recipients=await self._assignees(run, task),
        )

    async def _automatic(self, run: Run, step: StepSpec) -> None:
        """An automatic step, in the transition's unit of work. One that cannot be done now
        (a document still processing cannot be reprocessed) is recorded as failed and the
        instance goes on."""
        data: dict[str, Any] = {"step": step.name, "kind": step.kind}
        recipients: list[str] | None = None
        try:
            if step.kind is StepKind.notify:
                data["message"] = step.message
                if step.assignee is not None:
                    recipients = await self._holders(run, step.assignee)
                else:
                    recipients = sorted(run.participants)
            elif step.kind is StepKind.set_classification:
                await self._classify(run, step.document_type or "")
                data["document_type"] = step.document_type
            elif step.kind is StepKind.reprocess:
                await self._reprocess(run)
        except FolioError as error:
            data["error"] = {"code": error.code, "message": error.detail}
            await self._record(
                run, EntryKind.step_failed, catalog.WORKFLOW_STEP_EXECUTED, data=data
            )
            return
        await self._record(
            run,
            EntryKind.step_executed,
            catalog.WORKFLOW_STEP_EXECUTED,
            data=data,
            recipients=recipients,
            tell_actor=step.kind is StepKind.notify,
        )

    async def _classify(self, run: Run, document_type: str) -> None:
        """As a user's correction. Not while the document is processing: the run's own
        classification would replace it when it ends."""
        actor = team_actor(run.instance.team_id, run.actor_user_id)
        document = await document_service.get(run.session, actor, run.instance.document_id)
        if not document.status.is_final:
            raise DocumentBusy(
                f"Document {document.id} is {document.status}; its processing would replace "
                "the classification.",
                document_status=document.status,
            )
        update = ClassificationUpdate(document_type=document_type)
        await classifier_service.correct(run.session, actor, document.id, update)

    async def _reprocess(self, run: Run) -> None:
        actor = team_actor(run.instance.team_id, run.actor_user_id)
        document = await document_service.get(run.session, actor, run.instance.document_id)
        options = ProcessingOptions.model_validate(document.options)
        await document_service.process_again(run.session, run.runtime, document, options)

    async def _end(
        self,
        run: Run,
        state: InstanceState,
        *,
        comment: str | None = None,
        extra_recipients: Sequence[str] = (),
    ) -> None:
        instance = run.instance
        instance.state, instance.current_step, instance.ended_at = state, None, utcnow()
        kind, event_type = {
            InstanceState.completed: (EntryKind.completed, catalog.WORKFLOW_COMPLETED),
            InstanceState.rejected: (EntryKind.rejected, catalog.WORKFLOW_REJECTED),
            InstanceState.cancelled: (EntryKind.cancelled, catalog.WORKFLOW_CANCELLED),
        }[state]
        recipients = sorted(run.participants | set(extra_recipients))
        await self._record(run, kind, event_type, comment=comment, recipients=recipients)

    async def _assignees(self, run: Run, task: WorkflowTask) -> list[str]:
        return await self._holders(
            run, Assignee(user_id=task.assignee_user_id, role=task.assignee_role)
        )

    async def _holders(self, run: Run, assignee: Assignee) -> list[str]:
        if assignee.user_id is not None:
            return [assignee.user_id]
        return await RoleHolderRepository.from_session(run.session).holders(
            run.instance.team_id, assignee.role or "", utcnow()
        )

    async def _open_assignees(self, run: Run) -> list[str]:
        found: set[str] = set(run.participants)
        for task in await TaskRepository.from_session(run.session).open_of_instance(
            run.instance.id
        ):
            found.update(await self._assignees(run, task))
        return sorted(found)

    async def _record(
        self,
        run: Run,
        kind: EntryKind,
        event_type: str,
        *,
        task: WorkflowTask | None = None,
        comment: str | None = None,
        data: dict[str, Any] | None = None,
        recipients: Sequence[str] | None = None,
        tell_actor: bool = False,
    ) -> WorkflowEntry:
        """The history entry and the event of one transition. The event's notification
        goes to ``recipients`` (default: the instance's people) less whoever caused it."""
        instance = run.instance
        entry = await EntryRepository.from_session(run.session).create(
            WorkflowEntry(
                id=new_id(IdPrefix.workflow_entry),
                team_id=instance.team_id,
                instance_id=instance.id,
                task_id=task.id if task else None,
                kind=kind,
                actor_user_id=run.actor_user_id,
                comment=comment,
                data=data or {},
                created_at=utcnow(),
            )
        )
        people = sorted(run.participants) if recipients is None else list(recipients)
        payload: dict[str, Any] = {
            "instance_id": instance.id,
            "workflow_id": instance.template_id,
            "workflow_name": instance.template_name,
            "document_id": instance.document_id,
            "state": instance.state,
            "entry_id": entry.id,
            "actor_user_id": run.actor_user_id,
            "comment": comment,
            "recipient_user_ids": [p for p in people if tell_actor or p != run.actor_user_id],
            **(data or {}),
        }
        if task is not None:
            payload |= {
                "task_id": task.id,
                "step": task.name,
                "kind": task.kind,
                "assignee_user_id": task.assignee_user_id,
                "assignee_role": task.assignee_role,
                "due_at": task.due_at.isoformat() if task.due_at else None,
            }
        event = Event(type=event_type, team_id=instance.team_id, data=payload)
        await event_service.emit(run.session, run.runtime, event)
        return entry


workflow = WorkflowService()
