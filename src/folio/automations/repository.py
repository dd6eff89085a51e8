"""Queries on automation rules (scoped by team) and their runs (through a rule loaded scoped,
or by id for the runner, which acts for the run's own team)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select

from folio.automations.models import AutomationRule, AutomationRun, RunStatus
from folio.automations.triggers import SCHEDULE
from folio.core.leases import LeaseQueue
from folio.core.principal import Principal
from folio.core.repository import TeamScopedRepository
from folio.documents.models import Document


class AutomationRepository(TeamScopedRepository[AutomationRule]):
    model = AutomationRule

    async def list_page(
        self, principal: Principal, *, limit: int, after: str | None
    ) -> Sequence[AutomationRule]:
        return await self.page_after(self.readable(principal), limit=limit, after=after)

    async def last_position(self, team_id: str) -> int:
        statement = self.owned_by(team_id).with_only_columns(func.max(AutomationRule.position))
        return int(await self.session.scalar(statement) or 0)

    async def listening(
        self, team_ids: Collection[str], trigger_types: Collection[str]
    ) -> Sequence[AutomationRule]:
        """The enabled, unpaused rules of ``team_ids`` with one of ``trigger_types``, in order."""
        statement = (
            self.scoped_to(team_ids)
            .where(
                AutomationRule.enabled.is_(True),
                AutomationRule.paused_at.is_(None),
                AutomationRule.trigger_type.in_(trigger_types),
            )
            .order_by(AutomationRule.position, AutomationRule.id)
        )
        return await self.get_all(statement)

    async def due_schedules(self, now: datetime, *, limit: int) -> Sequence[AutomationRule]:
        statement = (
            select(AutomationRule)
            .where(
                AutomationRule.trigger_type == SCHEDULE,
                AutomationRule.enabled.is_(True),
                AutomationRule.paused_at.is_(None),
                AutomationRule.next_run_at <= now,
            )
            .order_by(AutomationRule.next_run_at)
            .limit(limit)
        )
        return await self.get_all(statement)

    async def rule(self, rule_id: str) -> AutomationRule | None:
        return await self.session.get(AutomationRule, rule_id, populate_existing=True)

    async def runs(
        self, rule: AutomationRule, *, limit: int, before: str | None
    ) -> Sequence[AutomationRun]:
        statement = select(AutomationRun).where(AutomationRun.rule_id == rule.id)
        return await self.page_before(
            statement, limit=limit, before=before, column=AutomationRun.id
        )

    async def run(self, run_id: str, *, lock: bool = False) -> AutomationRun | None:
        statement = select(AutomationRun).where(AutomationRun.id == run_id)
        if lock:
            statement = statement.with_for_update()
        return await self.session.scalar(statement.execution_options(populate_existing=True))

    async def run_exists(self, rule_id: str, event_id: str) -> bool:
        statement = select(AutomationRun.id).where(
            AutomationRun.rule_id == rule_id, AutomationRun.event_id == event_id
        )
        return await self.session.scalar(statement) is not None

    async def claim_due(
        self, holder: str, now: datetime, lease: timedelta, *, limit: int
    ) -> list[str]:
        return await RUNS.claim(self.session, holder, now=now, lease=lease, limit=limit)

    async def document(self, team_id: str, document_id: str) -> Document | None:
        """A document of the run's own team (the runner acts for that team only)."""
        return await self.session.scalar(
            select(Document).where(Document.id == document_id, Document.team_id == team_id)
        )

    async def batch_document_ids(self, team_id: str, batch_id: str, limit: int) -> list[str]:
        statement = (
            select(Document.id)
            .where(Document.team_id == team_id, Document.batch_id == batch_id)
            .order_by(Document.id)
            .limit(limit)
        )
        return list((await self.session.scalars(statement)).all())

    async def newest_document_ids(self, team_id: str, limit: int) -> list[str]:
        statement = (
            select(Document.id)
            .where(Document.team_id == team_id)
            .order_by(Document.id.desc())
            .limit(limit)
        )
        return list((await self.session.scalars(statement)).all())


# a run stays pending while it is worked on: only its lease says a runner holds it
RUNS = LeaseQueue(
    AutomationRun,
    expires=AutomationRun.claimed_until,
    owner=AutomationRun.holder,
    held=AutomationRun.status == RunStatus.pending,
    due=AutomationRun.next_attempt_at,
    order_by=[AutomationRun.next_attempt_at, AutomationRun.id],
)
