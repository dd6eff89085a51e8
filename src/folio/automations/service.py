"""Automation rules of a team: saved checked, tried out on a document (dry run), and turned
into runs by the event log, in the unit of work of the change that emitted the event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from folio.automations.actions import CAUSE, Action, AnyAction
from folio.automations.conditions import AnyCondition, Condition, explain, needs_extraction
from folio.automations.facts import Facts, facts_of
from folio.automations.models import AutomationRule, AutomationRun, RunStatus
from folio.automations.repository import AutomationRepository
from folio.automations.schemas import (
    AutomationCreate,
    AutomationUpdate,
    DryRunResult,
    PlannedAction,
    RunRead,
)
from folio.automations.triggers import (
    SCHEDULE,
    TRIGGERS_OF_EVENT,
    AnyTrigger,
    OnSchedule,
    Trigger,
)
from folio.core.db import after_commit, utcnow
from folio.core.errors import FieldError, NotFound, ValidationFailed
from folio.core.events import Event
from folio.core.ids import IdPrefix, new_id
from folio.core.pagination import Page, PageParams
from folio.core.principal import Principal
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.documents.service import document as document_service
from folio.templates.repository import ExtractionRepository

WAKE = "automations.wake"
TRIGGER = TypeAdapter[Trigger](AnyTrigger)
CONDITION = TypeAdapter[Condition](AnyCondition)
ACTIONS: TypeAdapter[list[Action]] = TypeAdapter(list[AnyAction])  # type: ignore[arg-type]


def trigger_of(rule: AutomationRule) -> Trigger:
    return TRIGGER.validate_python(rule.trigger)


def condition_of(rule: AutomationRule) -> Condition | None:
    return None if rule.conditions is None else CONDITION.validate_python(rule.conditions)


def actions_of(rule: AutomationRule) -> list[Action]:
    return ACTIONS.validate_python(rule.actions)


def team_principal(team_id: str) -> Principal:
    """Reads for a rule's run: the rule's own team, nothing else."""
    return Principal(team_id=team_id, team_ids=frozenset({team_id}))


async def document_facts(
    session: AsyncSession, document: Document, condition: Condition | None
) -> Facts:
    """The document's facts; its latest extraction is read only when ``condition`` asks."""
    if not needs_extraction(condition):
        return facts_of(document)
    latest = await ExtractionRepository.from_session(session).latest(
        team_principal(document.team_id), document.id, None
    )
    return facts_of(document, latest.values if latest is not None else None)


class AutomationService:
    async def create(
        self, session: AsyncSession, principal: Principal, data: AutomationCreate
    ) -> AutomationRule:
        await self._check_actions(session, principal.team_id, data.actions)
        repository = AutomationRepository.from_session(session)
        position = data.position
        if position is None:
            position = await repository.last_position(principal.team_id) + 1
        rule = AutomationRule(
            id=new_id(IdPrefix.automation),
            team_id=principal.team_id,
            name=data.name,
            enabled=data.enabled,
            position=position,
            max_failures=data.max_failures,
            created_by=principal.user_id,
        )
        self._set_definition(rule, data.trigger, data.conditions, data.actions)
        await repository.create(rule, flush=True)
        return rule

    def _set_definition(
        self,
        rule: AutomationRule,
        trigger: Trigger | None,
        conditions: Condition | None,
        actions: Sequence[Action] | None,
        *,
        conditions_given: bool = True,
    ) -> None:
        if trigger is not None:
            rule.trigger = trigger.model_dump(mode="json")
            rule.trigger_type = rule.trigger["type"]
            rule.next_run_at = (
                trigger.next_slot(utcnow()) if isinstance(trigger, OnSchedule) else None
            )
        if conditions_given:
            rule.conditions = None if conditions is None else conditions.model_dump(mode="json")
        if actions is not None:
            rule.actions = [action.model_dump(mode="json") for action in actions]

    async def _check_actions(
        self, session: AsyncSession, team_id: str, actions: Sequence[Action]
    ) -> None:
        errors: list[FieldError] = []
        for index, action in enumerate(actions):
            errors += await action.check(session, team_id, f"actions[{index}]")
        if errors:
            raise ValidationFailed(errors)

    async def get(
        self, session: AsyncSession, principal: Principal, rule_id: str
    ) -> AutomationRule:
        rule = await AutomationRepository.from_session(session).get(principal, rule_id)
        if rule is None:
            raise NotFound(f"No automation rule {rule_id}.")
        return rule

    async def list_rules(
        self, session: AsyncSession, principal: Principal, page: PageParams
    ) -> Page[AutomationRule]:
        rows = await AutomationRepository.from_session(session).list_page(
            principal, limit=page.limit, after=page.after
        )
        return Page.from_rows(rows, page.limit, cursor=lambda rule: rule.id)

    async def update(
        self, session: AsyncSession, principal: Principal, rule_id: str, data: AutomationUpdate
    ) -> AutomationRule:
        rule = await self.get(session, principal, rule_id)
        changes = data.model_fields_set
        if data.actions is not None:
            await self._check_actions(session, rule.team_id, data.actions)
        for name in ("name", "position", "max_failures"):
            if getattr(data, name) is not None:
                setattr(rule, name, getattr(data, name))
        if data.enabled is not None:
            rule.enabled = data.enabled
            if data.enabled:  # resuming a paused rule starts its failure count again
                rule.paused_at = rule.paused_reason = None
                rule.consecutive_failures = 0
        self._set_definition(
            rule,
            data.trigger,
            data.conditions,
            data.actions,
            conditions_given="conditions" in changes,
        )
        return rule

    async def delete(self, session: AsyncSession, principal: Principal, rule_id: str) -> None:
        await session.delete(await self.get(session, principal, rule_id))

    async def runs(
        self, session: AsyncSession, principal: Principal, rule_id: str, page: PageParams
    ) -> Page[RunRead]:
        rule = await self.get(session, principal, rule_id)
        rows = await AutomationRepository.from_session(session).runs(
            rule, limit=page.limit, before=page.after
        )
        items = [RunRead.model_validate(row) for row in rows]
        return Page.from_rows(items, page.limit, cursor=lambda run: run.id)

    async def dry_run(
        self, session: AsyncSession, principal: Principal, rule_id: str, document_id: str
    ) -> DryRunResult:
        """What the rule would do to the document now; changes nothing."""
        rule = await self.get(session, principal, rule_id)
        document = await document_service.get(session, principal, document_id)
        if document.team_id != rule.team_id:
            raise NotFound(f"No document {document_id} in the rule's team.")
        condition = condition_of(rule)
        facts = await document_facts(session, document, condition)
        trigger = trigger_of(rule)
        trigger_matched = trigger.narrows(facts, {})
        tree = explain(condition, facts) if condition is not None else None
        matched = tree["matched"] if tree is not None else True
        actions = [
            PlannedAction(kind=a.model_dump()["kind"], preview=a.preview())
            for a in actions_of(rule)
        ]
        return DryRunResult(
            rule_id=rule.id,
            document_id=document.id,
            trigger=rule.trigger_type,
            trigger_matched=trigger_matched,
            matched=matched,
            conditions=tree,
            actions=actions if matched else [],
            would_run=rule.enabled and rule.paused_at is None and trigger_matched and matched,
        )

    async def enqueue_for_events(
        self, session: AsyncSession, runtime: Runtime, events: Sequence[Event]
    ) -> None:
        """The event log's consumer: one run per (rule, event), written in the event's own
        transaction, so no event is lost and none starts a rule twice."""
        relevant = [event for event in events if event.type in TRIGGERS_OF_EVENT]
        if not relevant:
            return
        repository = AutomationRepository.from_session(session)
        trigger_types = {t for event in relevant for t in TRIGGERS_OF_EVENT[event.type]}
        teams = {event.team_id for event in relevant}
        rules = await repository.listening(teams, trigger_types)
        if not rules:
            return
        cause = CAUSE.get()
        for event in relevant:
            for rule in rules:
                if self._listens(rule, event):
                    session.add(self._new_run(runtime, rule, event, cause))
        await session.flush()
        self._wake_after_commit(session, runtime)

    def _listens(self, rule: AutomationRule, event: Event) -> bool:
        return (
            rule.team_id == event.team_id
            and rule.trigger_type in TRIGGERS_OF_EVENT[event.type]
            and trigger_of(rule).wants(event.data)
        )

    def _new_run(
        self, runtime: Runtime, rule: AutomationRule, event: Event, cause: tuple[str, ...]
    ) -> AutomationRun:
        run = AutomationRun(
            id=new_id(IdPrefix.automation_run),
            team_id=rule.team_id,
            rule_id=rule.id,
            event_id=event.id,
            event_type=event.type,
            event_data=_plain(event.data),
            document_id=event.data.get("document_id"),
            depth=len(cause),
            cause=list(cause),
            status=RunStatus.pending,
            steps=[],
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
        limit = runtime.settings.automation_max_depth
        if rule.id in cause or len(cause) >= limit:
            # loop protection: the run is kept, as a record of what was stopped
            run.status, run.matched, run.finished_at = RunStatus.skipped, False, utcnow()
            run.error = (
                f"Loop protection: caused by rules {' → '.join(cause)}; a rule does not "
                f"retrigger itself, and chains stop after {limit} rules."
            )
        return run

    def schedule_run(self, rule: AutomationRule, slot_key: str) -> AutomationRun:
        return AutomationRun(
            id=new_id(IdPrefix.automation_run),
            team_id=rule.team_id,
            rule_id=rule.id,
            event_id=f"{SCHEDULE}:{slot_key}",
            event_type=SCHEDULE,
            event_data={"slot": slot_key},
            document_id=None,
            depth=0,
            cause=[],
            status=RunStatus.pending,
            steps=[],
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )

    def _wake_after_commit(self, session: AsyncSession, runtime: Runtime) -> None:
        wake = runtime.state.get(WAKE)
        if wake is not None:

            async def notify() -> None:
                wake()

            after_commit(session, notify)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """The event's data as JSON values (status enums and the like become text)."""
    return Event(type="x", team_id="x", data=data).model_dump(mode="json")["data"]


automation = AutomationService()
