"""Credits spent by several processes at once: two runtimes (separate engines, as two API
processes have) spend the same team's credits, on SQLite and, when it is reachable,
PostgreSQL. The balance never goes below zero, the transactions add up to it, and crawl
jobs of two projects of one team pause with INSUFFICIENT_CREDITS once it is spent."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from folio.config import Settings
from folio.core.runtime import Runtime
from folio.credits.models import CreditAccount, CreditTransaction, TransactionKind
from folio.credits.service import InsufficientCredits
from folio.credits.service import credit as credit_service
from tests.conftest import Account
from tests.crawls.test_api import CRAWL_SETTINGS, create_project, wait_final
from tests.crawls.test_scaleout import create_job, postgres_reachable, processes, supervising
from tests.scaleout.stack import PG_URL, create_database, drop_database, migrate
from tests.webcrawl.site import MANY_UNIQUE, LocalSite

WELCOME = 40
BATCH = 3


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, object]]:
    if request.param == "sqlite":
        yield {}
        return
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    name = f"folio_credits_{uuid.uuid4().hex[:10]}"
    asyncio.run(create_database(name))
    url = f"{PG_URL.rsplit('/', 1)[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    try:
        asyncio.run(migrate(url))
        yield {"database_url": url, "storage_dir": tmp_path / "shared-blobs"}
    finally:
        asyncio.run(drop_database(name))


@pytest.fixture
def settings_overrides(backend: dict[str, object]) -> dict[str, object]:
    """The app takes requests only; the runtimes of the test spend and crawl."""
    return {
        **CRAWL_SETTINGS,
        **backend,
        "crawler_max_running_chunks": 0,
        "credits_initial_grant": WELCOME,
    }


async def spend(runtime: Runtime, team_id: str, tag: str) -> int:
    """Spends up to BATCH credits per transaction the way a crawl records a batch: reads what
    is available, works a little (de-duplication), then charges. Returns the credits it spent
    once nothing is left. On PostgreSQL the two spenders' transactions overlap (the race);
    SQLite runs write transactions one at a time, and the pause between them lets the other
    spender in (its busy wait backs off)."""
    pause = 0.06 if runtime.db.is_sqlite else 0.005
    spent, batch = 0, 0
    while True:
        async with runtime.db.session() as session:
            room = await credit_service.available(session, runtime, team_id)
            take = min(room, BATCH)
            if take <= 0:
                return spent
            await asyncio.sleep(0.03)  # the other process reads and charges meanwhile
            await credit_service.charge(
                session, runtime, team_id, take, job_id=f"job_{tag}", chunk_id=f"chk_{tag}{batch}"
            )
        spent, batch = spent + take, batch + 1
        await asyncio.sleep(pause)


async def ledger(runtime: Runtime, team_id: str) -> tuple[int, list[CreditTransaction]]:
    async with runtime.db.session(write=False) as session:
        account = await session.get(CreditAccount, team_id)
        assert account is not None
        rows = await session.scalars(
            select(CreditTransaction).where(CreditTransaction.team_id == team_id)
        )
        return account.balance, list(rows.all())


def assert_consistent(balance: int, rows: list[CreditTransaction]) -> None:
    """Never below zero, and the balance is the grants and refunds minus the usage."""
    by_kind = {kind: sum(r.amount for r in rows if r.kind is kind) for kind in TransactionKind}
    assert balance >= 0
    assert all(r.balance_after >= 0 for r in rows)
    assert (
        balance
        == by_kind[TransactionKind.grant]
        + by_kind[TransactionKind.refund]
        + by_kind[TransactionKind.usage]
    )
    assert balance == sum(r.amount for r in rows)


class TestConcurrentSpenders:
    async def test_two_processes_never_overspend(
        self, settings: Settings, client: httpx.AsyncClient, admin: Account
    ) -> None:
        """Both open the (new) account and spend from it at the same time."""
        async with processes(settings, 2) as (one, two):
            spent = await asyncio.gather(
                spend(one, admin.team_id, "a"), spend(two, admin.team_id, "b")
            )
            balance, rows = await ledger(one, admin.team_id)

        assert_consistent(balance, rows)
        assert sum(spent) == WELCOME and balance == 0  # all of it, and not one credit more
        assert all(s > 0 for s in spent)  # both spent: they ran side by side
        grants = [r for r in rows if r.kind is TransactionKind.grant]
        assert [g.amount for g in grants] == [WELCOME]  # the account was opened once
        usage = [r for r in rows if r.kind is TransactionKind.usage]
        assert -sum(r.amount for r in usage) == WELCOME
        assert sorted(r.balance_after for r in usage) == sorted(
            {r.balance_after for r in usage}
        )  # each debit saw the one before it: no two left the same balance
        depleted = (await client.get("/api/v1/events", params={"type": "credits.depleted"})).json()
        assert len(depleted["items"]) == 1

    async def test_a_charge_that_cannot_be_paid_changes_nothing(
        self, settings: Settings, admin: Account
    ) -> None:
        async with processes(settings, 1) as (runtime,):
            with pytest.raises(InsufficientCredits):
                async with runtime.db.session() as session:
                    await credit_service.charge(
                        session, runtime, admin.team_id, WELCOME + 1, job_id="j", chunk_id="c"
                    )
            async with runtime.db.session() as session:
                await credit_service.charge(
                    session, runtime, admin.team_id, WELCOME, job_id="j", chunk_id="c"
                )
            balance, rows = await ledger(runtime, admin.team_id)
        assert balance == 0
        assert_consistent(balance, rows)


class TestTwoProjectsOfOneTeam:
    @pytest.fixture
    def settings_overrides(self, backend: dict[str, object]) -> dict[str, object]:
        return {
            **CRAWL_SETTINGS,
            **backend,
            "crawler_max_running_chunks": 0,
            "credits_initial_grant": 7,
        }

    async def test_both_jobs_pause_and_the_balance_stays_at_zero(
        self,
        settings: Settings,
        client: httpx.AsyncClient,
        admin: Account,
        test_site: LocalSite,
    ) -> None:
        """Each project has MANY_UNIQUE new pictures, more than the team can pay for; two
        processes crawl the two projects at once."""
        seeds = [f"{test_site.base_url}/many/{k}.html" for k in range(4)]
        jobs = []
        for name in ("Cats", "Dogs"):
            project = await create_project(client, name)
            jobs.append(await create_job(client, project["id"], seeds=seeds))
        async with processes(settings, 2) as runtimes, supervising(*runtimes):
            progress = [await wait_final(client, job) for job in jobs]
            balance, rows = await ledger(runtimes[0], admin.team_id)

        assert MANY_UNIQUE > 7
        for job in progress:
            assert (job["status"], job["error_code"]) == ("paused", "INSUFFICIENT_CREDITS"), job
        assert sum(job["images_accepted"] for job in progress) == 7
        assert sum(job["credits_used"] for job in progress) == 7
        assert balance == 0
        assert_consistent(balance, rows)
