"""Queries on workflow templates, instances, tasks and history, always within a team."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select

from folio.core.permissions import BuiltinRole
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.teams.models import Membership, RoleAssignment
from folio.workflows.models import (
    InstanceState,
    TaskState,
    WorkflowEntry,
    WorkflowInstance,
    WorkflowTask,
    WorkflowTemplate,
)

REMINDER_BATCH = 200
# a team's owners hold its admin role too: a task for the admins is theirs as well
IMPLIED = {BuiltinRole.owner.value: (BuiltinRole.admin.value,)}


def roles_including(role: str) -> set[str]:
    """The membership roles that hold ``role``."""
    return {role} | {holder for holder, implied in IMPLIED.items() if role in implied}


class TemplateRepository(TeamScopedRepository[WorkflowTemplate]):
    model = WorkflowTemplate

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[WorkflowTemplate]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def of_team(self, team_id: str, template_id: str) -> WorkflowTemplate | None:
        statement = self.owned_by(team_id).where(WorkflowTemplate.id == template_id)
        return await self.get_one_or_none(statement)


class InstanceRepository(TeamScopedRepository[WorkflowInstance]):
    model = WorkflowInstance

    async def list_page(
        self,
        principal: Principal,
        *,
        document_id: str | None,
        state: InstanceState | None,
        limit: int,
        before: str | None,
    ) -> Sequence[WorkflowInstance]:
        statement = self.readable(principal)
        if document_id is not None:
            statement = statement.where(WorkflowInstance.document_id == document_id)
        if state is not None:
            statement = statement.where(WorkflowInstance.state == state)
        return await self.page_before(statement, limit=limit, before=before)

    async def of_team(self, team_id: str, instance_id: str) -> WorkflowInstance | None:
        statement = self.owned_by(team_id).where(WorkflowInstance.id == instance_id)
        return await self.get_one_or_none(statement)

    async def running(
        self, team_id: str, template_id: str, document_id: str
    ) -> WorkflowInstance | None:
        statement = self.owned_by(team_id).where(
            WorkflowInstance.template_id == template_id,
            WorkflowInstance.document_id == document_id,
            WorkflowInstance.state == InstanceState.active,
        )
        return await self.get_one_or_none(statement.limit(1))


class TaskRepository(TeamScopedRepository[WorkflowTask]):
    model = WorkflowTask

    async def of_instances(self, instance_ids: Collection[str]) -> Sequence[WorkflowTask]:
        if not instance_ids:
            return []
        statement = (
            select(WorkflowTask)
            .where(WorkflowTask.instance_id.in_(instance_ids))
            .order_by(WorkflowTask.id)
        )
        return await self.get_all(statement)

    async def open_of_instance(self, instance_id: str) -> Sequence[WorkflowTask]:
        statement = select(WorkflowTask).where(
            WorkflowTask.instance_id == instance_id, WorkflowTask.state == TaskState.open
        )
        return await self.get_all(statement)

    async def assigned_page(
        self,
        principal: Principal,
        user_id: str,
        roles: Collection[str],
        *,
        state: TaskState | None,
        limit: int,
        after: str | None,
    ) -> Sequence[WorkflowTask]:
        """Tasks of the principal's team assigned to ``user_id`` or one of ``roles``."""
        mine = WorkflowTask.assignee_user_id == user_id
        if roles:
            mine = or_(mine, WorkflowTask.assignee_role.in_(roles))
        statement = self.owned_by(principal.team_id).where(mine)
        if state is not None:
            statement = statement.where(WorkflowTask.state == state)
        return await self.page_after(statement, limit=limit, after=after)

    async def due_reminders(self, now: datetime) -> Sequence[WorkflowTask]:
        """Open tasks past due that were never reminded, or whose next reminder is due.
        Across teams: the reminder loop works for the system."""
        statement = (
            select(WorkflowTask)
            .where(
                WorkflowTask.state == TaskState.open,
                WorkflowTask.due_at.is_not(None),
                WorkflowTask.due_at <= now,
                or_(
                    WorkflowTask.last_reminded_at.is_(None),
                    WorkflowTask.remind_every_s.is_not(None),
                ),
            )
            .order_by(WorkflowTask.id)
            .limit(REMINDER_BATCH)
        )
        tasks = await self.get_all(statement)
        return [task for task in tasks if _reminder_due(task, now)]


def _reminder_due(task: WorkflowTask, now: datetime) -> bool:
    if task.last_reminded_at is None:
        return True
    every = task.remind_every_s or 0
    return every > 0 and (now - task.last_reminded_at).total_seconds() >= every


class EntryRepository(TeamScopedRepository[WorkflowEntry]):
    model = WorkflowEntry

    async def of_instance(
        self, instance: WorkflowInstance, *, limit: int, after: str | None
    ) -> Sequence[WorkflowEntry]:
        statement = self.owned_by(instance.team_id).where(WorkflowEntry.instance_id == instance.id)
        return await self.page_after(statement, limit=limit, after=after)

    async def actors(self, instance: WorkflowInstance) -> set[str]:
        """Everyone who did something on the instance (started, acted, commented)."""
        statement = (
            select(WorkflowEntry.actor_user_id)
            .where(
                WorkflowEntry.instance_id == instance.id,
                WorkflowEntry.actor_user_id.is_not(None),
            )
            .distinct()
        )
        return {actor for actor in (await self.session.scalars(statement)).all() if actor}


class RoleHolderRepository(TeamScopedRepository[Membership]):
    """Who holds a role in a team: by membership, or by a live team-wide assignment."""

    model = Membership

    async def holders(self, team_id: str, role: str, now: datetime) -> list[str]:
        by_membership = select(Membership.user_id).where(
            Membership.team_id == team_id,
            Membership.status == "active",
            Membership.role.in_(roles_including(role)),
        )
        by_assignment = (
            select(RoleAssignment.user_id, RoleAssignment.scope)
            .join(
                Membership,
                and_(
                    Membership.team_id == RoleAssignment.team_id,
                    Membership.user_id == RoleAssignment.user_id,
                ),
            )
            .where(
                RoleAssignment.team_id == team_id,
                RoleAssignment.role == role,
                Membership.status == "active",
                or_(RoleAssignment.expires_at.is_(None), RoleAssignment.expires_at > now),
            )
        )
        found = set((await self.session.scalars(by_membership)).all())
        for user_id, scope in await self.session.execute(by_assignment):
            if not scope:  # a scoped assignment holds the role only for some documents
                found.add(user_id)
        return sorted(found)

    async def roles_of(self, team_id: str, user_id: str, now: datetime) -> set[str]:
        membership = await self.session.scalar(
            select(Membership.role).where(
                Membership.team_id == team_id,
                Membership.user_id == user_id,
                Membership.status == "active",
            )
        )
        if membership is None:
            return set()
        assigned = select(RoleAssignment.role, RoleAssignment.scope).where(
            RoleAssignment.team_id == team_id,
            RoleAssignment.user_id == user_id,
            or_(RoleAssignment.expires_at.is_(None), RoleAssignment.expires_at > now),
        )
        roles = {membership, *IMPLIED.get(membership, ())}
        for role, scope in await self.session.execute(assigned):
            if not scope:  # a scoped assignment holds the role only for some documents
                roles.add(role)
        return roles

    async def is_active_member(self, team_id: str, user_id: str) -> bool:
        found = await self.session.scalar(
            select(Membership.id).where(
                Membership.team_id == team_id,
                Membership.user_id == user_id,
                Membership.status == "active",
            )
        )
        return found is not None
