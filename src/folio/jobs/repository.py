from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import aliased

from folio.core.db import rowcount
from folio.core.leases import LeaseQueue
from folio.core.repository import TeamScopedRepository
from folio.jobs.models import Job, JobStatus

ACTIVE = (JobStatus.queued, JobStatus.running)


class JobRepository(TeamScopedRepository[Job]):
    model = Job

    async def add(self, job: Job) -> Job:
        return await self.create(job, flush=True)

    async def add_all(self, jobs: Sequence[Job]) -> None:
        self.session.add_all(jobs)
        await self.session.flush()

    async def get_unscoped(self, job_id: str, *, lock: bool = False) -> Job | None:
        """For the runner and dispatchers, which act for the job's own team. ``lock``: the
        row stays locked until commit (PostgreSQL), so a cancellation and a worker's report on
        the same job are applied one after the other, never interleaved."""
        return await self.session.get(
            Job, job_id, populate_existing=True, with_for_update=lock or None
        )

    async def claim_next(self, worker: str, now: datetime) -> str | None:
        """The next queued job becomes ``worker``'s (no lease: the embedded executor's jobs
        are recovered at start instead). Two dispatchers never both get it. Order: priority;
        within it the team with the fewest running jobs, then the team whose oldest job is
        oldest; within the team, its oldest job. So a team's 10,000-job batch takes turns
        with another team's single upload instead of starving it."""
        queued = [Job.status == JobStatus.queued]
        turn = await self.next_turn()
        if turn is not None:
            priority, team_id = turn
            where = [*queued, Job.priority == priority, Job.team_id == team_id]
            claimed = await JOBS.claim(self.session, worker, now=now, lease=None, where=where)
            if claimed:
                return claimed[0]
        # another dispatcher took that team's last job meanwhile: the plain order then
        claimed = await JOBS.claim(self.session, worker, now=now, lease=None, where=queued)
        return claimed[0] if claimed else None

    async def next_turn(self) -> tuple[int, str] | None:
        """(priority, team) whose turn it is: index seeks per team with queued jobs, not a
        sort of every queued job by its team's running count (that took ~100 ms a claim
        with 10,000 queued on SQLite)."""
        best = await self.session.scalar(
            select(func.min(Job.priority)).where(Job.status == JobStatus.queued)
        )
        if best is None:
            return None
        oldest = await self.session.execute(_oldest_per_team(best))
        running = await self.running_per_team()
        turns = [(running.get(team, 0), first, team) for team, first in oldest if first]
        return (best, min(turns)[2]) if turns else None

    async def running_per_team(self) -> dict[str, int]:
        statement = (
            select(Job.team_id, func.count())
            .where(Job.status == JobStatus.running)
            .group_by(Job.team_id)
        )
        return {team: n for team, n in await self.session.execute(statement)}

    async def running(self) -> Sequence[Job]:
        return (
            await self.session.scalars(select(Job).where(Job.status == JobStatus.running))
        ).all()

    async def queue_stats(self) -> tuple[int, int, datetime | None]:
        """Across all teams, for operators: (queued, running, oldest queued job's creation)."""
        statement = select(
            func.count().filter(Job.status == JobStatus.queued),
            func.count().filter(Job.status == JobStatus.running),
            func.min(Job.created_at).filter(Job.status == JobStatus.queued),
        ).where(Job.status.in_(ACTIVE))
        queued, running, oldest = (await self.session.execute(statement)).one()
        return int(queued or 0), int(running or 0), oldest

    async def active_for_documents(self, document_ids: Sequence[str]) -> Sequence[Job]:
        """Locked, like the runner's reads: job rows first, then documents, on every path."""
        statement = (
            select(Job)
            .where(Job.document_id.in_(document_ids), Job.status.in_(ACTIVE))
            .with_for_update()
        )
        return (await self.session.scalars(statement)).all()

    # ---- Celery executor: claims with a lease, and the hand-off to the broker ------------

    async def claim(self, job_id: str, worker: str, now: datetime, lease: timedelta) -> bool:
        """One job, queued or running under a lease that lapsed (its worker died), becomes
        ``worker``'s. Never while another job of the same document runs under a live lease."""
        other = Job.__table__.alias("other")
        busy_document = (
            select(other.c.id)
            .where(
                other.c.document_id == Job.document_id,
                other.c.id != Job.id,
                other.c.status == JobStatus.running,
                other.c.lease_expires_at > now,
            )
            .exists()
        )
        where = [Job.attempts < Job.max_attempts, ~busy_document]
        claimed = await JOBS.claim(
            self.session, worker, now=now, lease=lease, ids=[job_id], where=where
        )
        return bool(claimed)

    async def renew_lease(self, job_id: str, worker: str, until: datetime) -> bool:
        """False when the job is no longer this worker's: cancelled, finished or taken over."""
        return bool(await JOBS.renew(self.session, [job_id], worker, until))

    async def lapsed_leases(self, now: datetime) -> Sequence[Job]:
        """Locked: a worker claiming one of them at the same moment waits for this decision
        (PostgreSQL re-checks the condition on the claimed row and skips it)."""
        return await JOBS.lapsed_rows(self.session, now)

    async def in_broker_counts(self) -> dict[tuple[str, int], int]:
        """Per team and priority: jobs handed to the broker and not yet claimed."""
        statement = (
            select(Job.team_id, Job.priority, func.count())
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_not(None))
            .group_by(Job.team_id, Job.priority)
        )
        return {(team, priority): n for team, priority, n in await self.session.execute(statement)}

    async def undispatched_groups(self) -> Sequence[tuple[str, int]]:
        statement = (
            select(Job.team_id, Job.priority)
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_(None))
            .group_by(Job.team_id, Job.priority)
        )
        return [(team, priority) for team, priority in await self.session.execute(statement)]

    async def oldest_undispatched(self, team_id: str, priority: int, limit: int) -> Sequence[str]:
        statement = (
            select(Job.id)
            .where(
                Job.status == JobStatus.queued,
                Job.dispatched_at.is_(None),
                Job.team_id == team_id,
                Job.priority == priority,
            )
            .order_by(Job.id)
            .limit(limit)
        )
        return (await self.session.scalars(statement)).all()

    async def mark_dispatched(self, job_ids: Sequence[str], now: datetime) -> None:
        await self.session.execute(update(Job).where(Job.id.in_(job_ids)).values(dispatched_at=now))

    async def forget_dispatches(self) -> int:
        """The broker lost its queues: every queued job must be handed over again."""
        result = await self.session.execute(
            update(Job)
            .where(Job.status == JobStatus.queued, Job.dispatched_at.is_not(None))
            .values(dispatched_at=None)
        )
        return rowcount(result)


def _oldest_per_team(priority: int) -> Select[str, str | None]:
    """Each team with queued jobs and its oldest queued job of ``priority`` (None: it has
    none of that priority). The teams come from a recursive "loose index scan": one seek
    into ``ix_jobs_status_team_priority`` per team, however long a team's backlog is."""
    later = aliased(Job)
    teams = (
        select(func.min(Job.team_id).label("team_id"))
        .where(Job.status == JobStatus.queued)
        .cte("queued_teams", recursive=True)
    )
    next_team = (
        select(func.min(later.team_id))
        .where(later.status == JobStatus.queued, later.team_id > teams.c.team_id)
        .scalar_subquery()
    )
    teams = teams.union_all(select(next_team).where(teams.c.team_id.is_not(None)))
    oldest = (
        select(func.min(Job.id))
        .where(
            Job.status == JobStatus.queued,
            Job.team_id == teams.c.team_id,
            Job.priority == priority,
        )
        .scalar_subquery()
    )
    return select(teams.c.team_id, oldest).where(teams.c.team_id.is_not(None))


JOBS = LeaseQueue(
    Job,
    owner=Job.worker,
    expires=Job.lease_expires_at,
    held=Job.status == JobStatus.running,
    free=Job.status == JobStatus.queued,
    order_by=[Job.priority, Job.id],
    on_claim=lambda now: {
        "status": JobStatus.running,
        "started_at": now,
        "attempts": Job.attempts + 1,
        "updated_at": now,
    },
    unleased_lapses=False,  # the embedded executor runs jobs without a lease
)
