"""The retention purge: applies every team's policies, keeps what a legal hold holds, and
records what it deleted. Runs periodically in the API process (``retention_purging``) and on
demand for one team (``POST /api/v1/retention/purge``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from folio.core.background import Periodic
from folio.core.db import one_writer_at_a_time, utcnow
from folio.core.runtime import Runtime
from folio.documents.models import Document
from folio.retention import actions
from folio.retention.models import RetentionPolicy, RetentionTarget
from folio.retention.repository import PolicyRepository
from folio.retention.schemas import PurgeSummary
from folio.retention.service import retention as retention_service

logger = logging.getLogger("folio.retention")
LOCK = "folio.retention-purge"
# whole documents first: what they delete, the narrower policies need not touch
ORDER = {RetentionTarget.documents: 0, RetentionTarget.results: 1, RetentionTarget.originals: 2}


async def purge_team(runtime: Runtime, team_id: str, now: datetime | None = None) -> PurgeSummary:
    """One short unit of work per batch of due documents, so a large purge never holds the
    write lock for long; processes that purge at once take turns (``one_writer_at_a_time``)."""
    summary = PurgeSummary(team_id=team_id)
    moment = now or utcnow()
    async with runtime.db.session(write=False) as session:
        policies = list(await PolicyRepository.from_session(session).of_team(team_id))
    for policy in sorted(policies, key=lambda p: ORDER[p.target]):
        after: str | None = None
        while True:
            async with runtime.db.session() as session:
                await one_writer_at_a_time(session, LOCK)
                done, after = await _purge_batch(session, runtime, policy, moment, after, summary)
            if done:
                break
    await _purge_expired(runtime, team_id, moment, summary)
    return summary


async def _purge_expired(
    runtime: Runtime, team_id: str, now: datetime, summary: PurgeSummary
) -> None:
    """Documents an automation gave a ``delete_after`` that has passed (a hold keeps them)."""
    after: str | None = None
    while True:
        async with runtime.db.session() as session:
            await one_writer_at_a_time(session, LOCK)
            repository = PolicyRepository.from_session(session)
            documents = await repository.expired_documents(team_id, now, after)
            if not documents:
                return
            held = await retention_service.holds_on(session, documents)
            for document in documents:
                if document.id in held:
                    summary.held += 1
                    continue
                source = "delete_after"
                summary.bytes_freed += await actions.delete_document(
                    session, runtime, document, source
                )
                summary.documents_deleted += 1
            after = documents[-1].id


async def _purge_batch(
    session: AsyncSession,
    runtime: Runtime,
    policy: RetentionPolicy,
    now: datetime,
    after: str | None,
    summary: PurgeSummary,
) -> tuple[bool, str | None]:
    cutoff = now - timedelta(days=policy.days)
    documents = await PolicyRepository.from_session(session).due_documents(policy, cutoff, after)
    if not documents:
        return True, after
    held = await retention_service.holds_on(session, documents)
    for document in documents:
        if document.id in held:
            summary.held += 1
            continue
        await _apply(session, runtime, policy, document, summary)
    return False, documents[-1].id


async def _apply(
    session: AsyncSession,
    runtime: Runtime,
    policy: RetentionPolicy,
    document: Document,
    summary: PurgeSummary,
) -> None:
    source = f"policy {policy.id}"
    if policy.target is RetentionTarget.documents:
        summary.bytes_freed += await actions.delete_document(session, runtime, document, source)
        summary.documents_deleted += 1
    elif policy.target is RetentionTarget.results:
        await actions.delete_results(session, document, source)
        summary.results_deleted += 1
    else:
        summary.bytes_freed += await actions.delete_original(session, runtime, document, source)
        summary.originals_deleted += 1


async def purge_all(runtime: Runtime) -> list[PurgeSummary]:
    async with runtime.db.session(write=False) as session:
        repository = PolicyRepository.from_session(session)
        team_ids = sorted(
            {
                *await repository.team_ids_with_policies(),
                *await repository.team_ids_with_expiring(utcnow()),
            }
        )
    summaries = [await purge_team(runtime, team_id) for team_id in team_ids]
    for summary in summaries:
        if summary.documents_deleted or summary.results_deleted or summary.originals_deleted:
            logger.info("retention purge: %s", summary.model_dump())
    return summaries


def retention_purging(runtime: Runtime) -> Periodic | None:
    every = runtime.settings.retention_purge_interval_s
    if every <= 0:
        return None

    async def step() -> None:
        await purge_all(runtime)

    return Periodic("folio-retention-purge", step, every)
