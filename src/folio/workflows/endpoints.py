from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from folio.core.deps import DbSession, PageQuery, RuntimeDep, require
from folio.core.pagination import Page
from folio.core.permissions import Permission
from folio.core.principal import Principal
from folio.core.responses import problems
from folio.workflows.models import InstanceState, TaskState, WorkflowEntry, WorkflowTemplate
from folio.workflows.schemas import (
    CommentCreate,
    EntryRead,
    InstanceRead,
    InstanceStart,
    TaskApprove,
    TaskRead,
    TaskReassign,
    TaskReject,
    WorkflowCreate,
    WorkflowRead,
    WorkflowUpdate,
)
from folio.workflows.service import workflow as workflow_service

router = APIRouter(prefix="/api/v1/workflows", tags=["workflows"])
WorkflowsRead = Annotated[Principal, Depends(require(Permission.workflows_read))]
WorkflowsWrite = Annotated[Principal, Depends(require(Permission.workflows_write))]
ACTING = "; only the task's assignee, a holder of its role or a team admin may act (else 403)"

# the static paths (instances, tasks) come before /{workflow_id}


@router.get(
    "/instances",
    response_model=Page[InstanceRead],
    summary="The team's workflow instances, newest first",
    responses=problems(401, 403, 422),
)
async def list_instances(
    principal: WorkflowsRead,
    session: DbSession,
    page: PageQuery,
    document_id: Annotated[str | None, Query(max_length=40, description="On this document")] = None,
    state: Annotated[InstanceState | None, Query(description="In this state")] = None,
) -> Page[InstanceRead]:
    return await workflow_service.list_instances(
        session, principal, page, document_id=document_id, state=state
    )


@router.get(
    "/instances/{instance_id}",
    response_model=InstanceRead,
    summary="A workflow instance: state, current step and tasks",
    responses=problems(401, 403, 404),
)
async def get_instance(
    instance_id: str, principal: WorkflowsRead, session: DbSession
) -> InstanceRead:
    return await workflow_service.get_instance(session, principal, instance_id)


@router.get(
    "/instances/{instance_id}/history",
    response_model=Page[EntryRead],
    summary="An instance's transitions, automatic steps and comments, oldest first",
    responses=problems(401, 403, 404, 422),
)
async def instance_history(
    instance_id: str, principal: WorkflowsRead, session: DbSession, page: PageQuery
):
    return await workflow_service.history(session, principal, instance_id, page)


@router.post(
    "/instances/{instance_id}/comments",
    status_code=201,
    response_model=EntryRead,
    summary="Comment on an instance (its people are notified)",
    responses=problems(401, 403, 404, 422),
)
async def comment_instance(
    instance_id: str,
    data: CommentCreate,
    principal: WorkflowsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> WorkflowEntry:
    return await workflow_service.comment(session, runtime, principal, instance_id, data)


@router.post(
    "/instances/{instance_id}/cancel",
    response_model=InstanceRead,
    summary="Cancel a running instance (its starter or a team admin)",
    responses=problems(401, 403, 404, 409),
)
async def cancel_instance(
    instance_id: str, principal: WorkflowsWrite, session: DbSession, runtime: RuntimeDep
) -> InstanceRead:
    return await workflow_service.cancel(session, runtime, principal, instance_id)


@router.get(
    "/tasks",
    response_model=Page[TaskRead],
    summary="My tasks: assigned to me or to a role I hold in this team",
    responses=problems(401, 403, 422),
)
async def my_tasks(
    principal: WorkflowsRead,
    session: DbSession,
    page: PageQuery,
    state: Annotated[TaskState, Query(description="Only tasks in this state (default: open)")] = (
        TaskState.open
    ),
) -> Page[TaskRead]:
    return await workflow_service.my_tasks(session, principal, page, state=state)


@router.post(
    "/tasks/{task_id}/approve",
    response_model=InstanceRead,
    summary="Approve (or mark done) a task; the instance moves on" + ACTING,
    responses=problems(401, 403, 404, 409, 422),
)
async def approve_task(
    task_id: str,
    data: TaskApprove,
    principal: WorkflowsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> InstanceRead:
    return await workflow_service.approve(session, runtime, principal, task_id, data)


@router.post(
    "/tasks/{task_id}/reject",
    response_model=InstanceRead,
    summary="Reject a task: the instance ends rejected or goes to the step's on_reject" + ACTING,
    responses=problems(401, 403, 404, 409, 422),
)
async def reject_task(
    task_id: str,
    data: TaskReject,
    principal: WorkflowsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> InstanceRead:
    return await workflow_service.reject(session, runtime, principal, task_id, data)


@router.post(
    "/tasks/{task_id}/reassign",
    response_model=InstanceRead,
    summary="Give an open task to another member or role" + ACTING,
    responses=problems(401, 403, 404, 409, 422),
)
async def reassign_task(
    task_id: str,
    data: TaskReassign,
    principal: WorkflowsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> InstanceRead:
    return await workflow_service.reassign(session, runtime, principal, task_id, data)


@router.get(
    "",
    response_model=Page[WorkflowRead],
    summary="The team's workflow templates",
    responses=problems(401, 403, 422),
)
async def list_workflows(principal: WorkflowsRead, session: DbSession, page: PageQuery):
    return await workflow_service.list_templates(session, principal, page)


@router.post(
    "",
    status_code=201,
    response_model=WorkflowRead,
    summary="Create a workflow template: steps that are human tasks or automatic actions",
    responses=problems(401, 403, 422),
)
async def create_workflow(
    data: WorkflowCreate, principal: WorkflowsWrite, session: DbSession
) -> WorkflowTemplate:
    return await workflow_service.create_template(session, principal, data)


@router.get(
    "/{workflow_id}",
    response_model=WorkflowRead,
    summary="A workflow template",
    responses=problems(401, 403, 404),
)
async def get_workflow(
    workflow_id: str, principal: WorkflowsRead, session: DbSession
) -> WorkflowTemplate:
    return await workflow_service.get_template(session, principal, workflow_id)


@router.patch(
    "/{workflow_id}",
    response_model=WorkflowRead,
    summary="Change a workflow template (only the fields sent; running instances keep theirs)",
    responses=problems(401, 403, 404, 422),
)
async def update_workflow(
    workflow_id: str, data: WorkflowUpdate, principal: WorkflowsWrite, session: DbSession
) -> WorkflowTemplate:
    return await workflow_service.update_template(session, principal, workflow_id, data)


@router.delete(
    "/{workflow_id}",
    status_code=204,
    summary="Delete a workflow template (running instances go on with their copy)",
    responses=problems(401, 403, 404),
)
async def delete_workflow(
    workflow_id: str, principal: WorkflowsWrite, session: DbSession
) -> Response:
    await workflow_service.delete_template(session, principal, workflow_id)
    return Response(status_code=204)


@router.post(
    "/{workflow_id}/instances",
    status_code=201,
    response_model=InstanceRead,
    summary="Start the workflow on a document; it runs up to its first human task",
    responses=problems(401, 403, 404, 409, 422),
)
async def start_instance(
    workflow_id: str,
    data: InstanceStart,
    principal: WorkflowsWrite,
    session: DbSession,
    runtime: RuntimeDep,
) -> InstanceRead:
    return await workflow_service.start_for(session, runtime, principal, workflow_id, data)
