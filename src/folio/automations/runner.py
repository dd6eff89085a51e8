"""Runs automation rules in the background: claims due runs with a lease, plans each one
once (which documents match, which actions), then does each planned step in a transaction
of its own that also marks it done, and makes the runs of scheduled rules as their slots
come.

Exactly once per (rule, event): the run row is unique per pair; a step is done and recorded
done in the same commit, under the run's row lock (PostgreSQL) or the one writer (SQLite),
and only by the lease's holder. A runner killed mid-step rolls that step back; whoever takes
the lapsed lease over does it again, once. A step that calls out (a webhook) may reach the
receiver again after such a crash; it carries the same message id both times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from folio.audit.service import audit as audit_service
from folio.automations.actions import CAUSE, Action, ActionContext, ActionFailed
from folio.automations.conditions import explain
from folio.automations.models import AutomationRule, AutomationRun, RunStatus
from folio.automations.repository import RUNS, AutomationRepository
from folio.automations.service import (
    WAKE,
    actions_of,
    condition_of,
    document_facts,
    trigger_of,
)
from folio.automations.service import automation as automation_service
from folio.automations.triggers import SCHEDULE, OnSchedule
from folio.core.background import stop_task
from folio.core.db import utcnow
from folio.core.events import Event
from folio.core.leases import holder_name
from folio.core.runtime import Runtime
from folio.events.catalog import AUTOMATION_PAUSED
from folio.events.service import event as event_service

logger = logging.getLogger("folio.automations")
BATCH = 20
MAX_TARGETS = 1000  # documents of a batch a batch.completed run looks at


class AutomationRunner:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.holder = holder_name()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.runtime.settings.automation_lease_s)

    async def start(self) -> None:
        async with self.runtime.db.session() as session:  # runs of runners that died here
            sqlite = session.get_bind().dialect.name == "sqlite"
            await RUNS.release_gone(session, {self.holder}, any_pid=sqlite)
        self.runtime.state[WAKE] = self._wake.set
        self._task = asyncio.create_task(self._run_forever(), name="folio-automations")

    async def stop(self) -> None:
        self.runtime.state.pop(WAKE, None)
        self._stopping.set()
        self._wake.set()
        await stop_task(self._task)

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.make_scheduled_runs()
                done = await self.run_due()
            except Exception:
                logger.exception("automation runner failed; retrying")
                done = 0
            if done < BATCH and not self._stopping.is_set():
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.runtime.settings.automation_poll_s):
                        await self._wake.wait()

    # ---- schedules ----------------------------------------------------------------------

    async def make_scheduled_runs(self) -> int:
        """One run per due slot of each scheduled rule (unique: two runners make it once)."""
        made = 0
        async with self.runtime.db.session() as session:
            repository = AutomationRepository.from_session(session)
            for rule in await repository.due_schedules(utcnow(), limit=BATCH):
                trigger = trigger_of(rule)
                assert isinstance(trigger, OnSchedule) and rule.next_run_at is not None
                slot_key = rule.next_run_at.isoformat()
                rule.next_run_at = trigger.next_slot(max(utcnow(), rule.next_run_at))
                if await repository.run_exists(rule.id, f"{SCHEDULE}:{slot_key}"):
                    continue
                try:
                    async with session.begin_nested():
                        session.add(automation_service.schedule_run(rule, slot_key))
                        await session.flush()
                    made += 1
                except IntegrityError:
                    continue  # another runner made this slot's run
        return made

    # ---- runs -----------------------------------------------------------------------------

    async def run_due(self) -> int:
        async with self.runtime.db.session() as session:
            claimed = await AutomationRepository.from_session(session).claim_due(
                self.holder, utcnow(), self.lease, limit=BATCH
            )
        for run_id in claimed:  # in order: a team's rules run in their order
            await self.execute(run_id)
        return len(claimed)

    async def execute(self, run_id: str) -> None:
        started = time.perf_counter()
        try:
            if not await self._plan(run_id):
                return
            while (step := await self._next_step(run_id)) is not None:
                await self._do_step(run_id, step)
            await self._finish(run_id, error=None)
        except ActionFailed as failed:
            await self._finish(run_id, error=str(failed))
        except Exception as exc:  # a bug in an action must not stop the runner
            logger.exception("automation run %s failed", run_id)
            await self._finish(run_id, error=f"{type(exc).__name__}: {exc}"[:500])
        finally:
            logger.debug("run %s took %.1f ms", run_id, (time.perf_counter() - started) * 1000)

    async def _held(self, session: AsyncSession, run_id: str) -> AutomationRun | None:
        """The run, locked, if this runner still holds it and it is pending."""
        run = await AutomationRepository.from_session(session).run(run_id, lock=True)
        if run is None or run.status != RunStatus.pending or run.holder != self.holder:
            return None
        run.claimed_until = utcnow() + self.lease  # renewed at each step
        return run

    async def _plan(self, run_id: str) -> bool:
        """Decides once which documents match and which steps follow; False when there is
        nothing (more) to do."""
        async with self.runtime.db.session() as session:
            run = await self._held(session, run_id)
            if run is None:
                return False
            if run.matched is not None:  # planned before a restart
                return True
            rule = await AutomationRepository.from_session(session).rule(run.rule_id)
            if rule is None or not rule.enabled or rule.paused_at is not None:
                self._settle(run, RunStatus.skipped, "The rule was disabled, paused or deleted.")
                return False
            steps, evaluation = await self._evaluate(session, rule, run)
            run.steps, run.evaluation, run.matched = steps, evaluation, bool(steps)
            if not steps:
                self._settle(run, RunStatus.skipped, None)
                return False
            return True

    async def _evaluate(
        self, session: AsyncSession, rule: AutomationRule, run: AutomationRun
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The steps: for an event of one document, every action on it if it matches; for a
        batch or a schedule slot, the document actions on each matching document and the
        others (notify, webhook) once, if any matched or there was nothing to look at."""
        trigger, condition, actions = trigger_of(rule), condition_of(rule), actions_of(rule)
        single = run.document_id is not None
        per_document = [(i, a) for i, a in enumerate(actions) if single or a.needs_document]
        steps: list[dict[str, Any]] = []
        evaluation: dict[str, Any] = {"documents": []}
        targets = await self._targets(session, run)
        for document_id in targets:
            document = await AutomationRepository.from_session(session).document(
                run.team_id, document_id
            )
            if document is None:
                continue
            facts = await document_facts(session, document, condition)
            tree = explain(condition, facts) if condition is not None else None
            matched = trigger.narrows(facts, run.event_data) and (tree is None or tree["matched"])
            entry = {"document_id": document_id, "matched": matched}
            if len(evaluation["documents"]) < 20:  # the log keeps the first trees
                entry["conditions"] = tree
            evaluation["documents"].append(entry)
            if matched:
                steps += [_step(document_id, i, action) for i, action in per_document]
        if not single and (steps or (not targets and condition is None)):
            steps += [_step(None, i, a) for i, a in enumerate(actions) if not a.needs_document]
        return steps, evaluation

    async def _targets(self, session: AsyncSession, run: AutomationRun) -> list[str]:
        repository = AutomationRepository.from_session(session)
        if run.document_id is not None:
            return [run.document_id]
        batch_id = run.event_data.get("batch_id")
        if run.event_type == "batch.completed" and isinstance(batch_id, str):
            return await repository.batch_document_ids(run.team_id, batch_id, MAX_TARGETS)
        if run.event_type == SCHEDULE:
            rule = await repository.rule(run.rule_id)
            trigger = trigger_of(rule) if rule is not None else None
            if isinstance(trigger, OnSchedule):
                return await repository.newest_document_ids(run.team_id, trigger.max_documents)
        return []

    async def _next_step(self, run_id: str) -> int | None:
        async with self.runtime.db.session(write=False) as session:
            run = await AutomationRepository.from_session(session).run(run_id)
            if run is None or run.status != RunStatus.pending:
                return None
            return next((i for i, s in enumerate(run.steps) if s["status"] == "pending"), None)

    async def _do_step(self, run_id: str, index: int) -> None:
        """A local step and its record in one commit: done once, or not at all. An outbound
        step (a webhook) is sent with no transaction open (the SQLite writer is never held
        over the network), then recorded; a crash between the two sends it again."""
        async with self.runtime.db.session(write=False) as session:
            action, _, _ = await self._step_action(session, run_id, index)
        if action.outbound:
            async with self.runtime.db.session(write=False) as session:
                result, duration = await self._run_action(session, run_id, index)
            async with self.runtime.db.session() as session:
                await self._record_step(session, run_id, index, result, duration)
            return
        async with self.runtime.db.session() as session:
            result, duration = await self._run_action(session, run_id, index)
            await self._record_step(session, run_id, index, result, duration)

    async def _step_action(
        self, session: AsyncSession, run_id: str, index: int
    ) -> tuple[Action, AutomationRun, AutomationRule]:
        run = await AutomationRepository.from_session(session).run(run_id)
        if run is None or run.holder != self.holder or run.steps[index]["status"] != "pending":
            raise ActionFailed("the run was taken over by another runner")
        rule = await AutomationRepository.from_session(session).rule(run.rule_id)
        if rule is None:
            raise ActionFailed("the rule was deleted")
        actions = actions_of(rule)
        if run.steps[index]["action"] >= len(actions):
            raise ActionFailed("the rule's actions changed since the run was planned")
        return actions[run.steps[index]["action"]], run, rule

    async def _run_action(
        self, session: AsyncSession, run_id: str, index: int
    ) -> tuple[dict[str, Any], float]:
        action, run, rule = await self._step_action(session, run_id, index)
        document_id = run.steps[index]["document_id"]
        document = None
        if document_id is not None:
            document = await AutomationRepository.from_session(session).document(
                run.team_id, document_id
            )
        if document is None and action.needs_document:
            return {"skipped": "the document is gone"}, 0.0
        context = ActionContext(
            session,
            self.runtime,
            run.team_id,
            run.rule_id,
            run.id,
            index,
            document,
            rule.created_by,
        )
        started = time.perf_counter()
        token = CAUSE.set((*run.cause, run.rule_id))  # events of the action carry the cause
        try:
            result = await action.run(context)
        except ActionFailed:
            raise
        except Exception as exc:
            raise ActionFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc
        finally:
            CAUSE.reset(token)
        return result, round((time.perf_counter() - started) * 1000, 2)

    async def _record_step(
        self,
        session: AsyncSession,
        run_id: str,
        index: int,
        result: dict[str, Any],
        duration_ms: float,
    ) -> None:
        """Marks the step done under the run's lock, if this runner still holds the run
        (else raising rolls back what the step changed in this unit of work)."""
        run = await self._held(session, run_id)
        if run is None or run.steps[index]["status"] != "pending":
            raise ActionFailed("the run was taken over by another runner")
        step = {**run.steps[index], "status": "done", "result": result}
        step["duration_ms"], step["error"] = duration_ms, None
        run.steps = [*run.steps[:index], step, *run.steps[index + 1 :]]
        rule = await AutomationRepository.from_session(session).rule(run.rule_id)
        audit_service.record_automation_step(
            session,
            team_id=run.team_id,
            author_id=rule.created_by if rule is not None else None,
            rule_id=run.rule_id,
            run_id=run.id,
            kind=step["kind"],
            document_id=step["document_id"],
        )

    async def _finish(self, run_id: str, *, error: str | None) -> None:
        async with self.runtime.db.session() as session:
            run = await self._held(session, run_id)
            if run is None:
                return
            rule = await AutomationRepository.from_session(session).rule(run.rule_id)
            if error is None:
                self._settle(run, RunStatus.succeeded, None)
                if rule is not None:
                    rule.consecutive_failures = 0
                return
            self._mark_failed_step(run, error)
            run.attempts += 1
            run.error = error
            settings = self.runtime.settings
            if run.attempts < settings.automation_max_attempts:
                run.next_attempt_at = utcnow() + self._backoff(run.attempts)
                run.claimed_until, run.holder = None, None
                return
            self._settle(run, RunStatus.failed, error)
            if rule is not None:
                await self._count_failure(session, rule, error)

    def _mark_failed_step(self, run: AutomationRun, error: str) -> None:
        steps = [dict(s) for s in run.steps]
        for step in steps:
            if step["status"] == "pending":
                step["error"] = error  # kept pending: the retry does it
                break
        run.steps = steps

    async def _count_failure(self, session: AsyncSession, rule: AutomationRule, error: str) -> None:
        rule.consecutive_failures += 1
        if rule.consecutive_failures < rule.max_failures or rule.paused_at is not None:
            return
        rule.paused_at = utcnow()
        rule.paused_reason = f"{rule.consecutive_failures} failed runs in a row; last: {error}"[
            :300
        ]
        await event_service.emit(
            session,
            self.runtime,
            Event(
                type=AUTOMATION_PAUSED,
                team_id=rule.team_id,
                data={"rule_id": rule.id, "name": rule.name, "reason": rule.paused_reason},
            ),
        )

    def _settle(self, run: AutomationRun, status: RunStatus, error: str | None) -> None:
        run.status, run.error, run.finished_at = status, error, utcnow()
        run.claimed_until = None

    def _backoff(self, attempts: int) -> timedelta:
        settings = self.runtime.settings
        ceiling = min(
            settings.automation_retry_max_s, settings.automation_retry_base_s * 2 ** (attempts - 1)
        )
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _step(document_id: str | None, index: int, action: Action) -> dict[str, Any]:
    kind = action.model_dump()["kind"]
    return {"document_id": document_id, "action": index, "kind": kind, "status": "pending"}
