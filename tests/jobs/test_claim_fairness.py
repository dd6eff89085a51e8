"""The queue's claim order (jobs/repository.py): priority first, then the team with the fewest
running jobs, then the oldest job. One team's backlog cannot starve another team's upload
(issue 25 item 9). Runs on SQLite, and on PostgreSQL with ``FOLIO_TEST_BACKEND=scaleout``
(the claim is then the embedded executor's, with no worker of its own taking jobs)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from folio.core.db import utcnow
from folio.jobs.repository import JobRepository
from tests.helpers import upload_ok

pytestmark = pytest.mark.parametrize(
    "settings_overrides", [{"workers": 0, "executor": "local", "rate_limit_enabled": False}]
)


async def claim(app: FastAPI) -> str | None:
    async with app.state.runtime.db.session() as session:
        job_id = await JobRepository.from_session(session).claim_next("test-worker", utcnow())
        if job_id is None:
            return None
        job = await JobRepository.from_session(session).get_unscoped(job_id)
        assert job is not None
        return job.document_id


async def uploads(client: httpx.AsyncClient, count: int, **options: str) -> list[str]:
    return [
        (
            await upload_ok(
                client, content=f"{n} {options}".encode(), filename=f"{n}.txt", options=options
            )
        )["id"]
        for n in range(count)
    ]


class TestClaimOrder:
    async def test_a_backlog_takes_turns_with_another_teams_single_upload(
        self, app: FastAPI, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        backlog = await uploads(client, 6)  # the first team's batch, queued first
        (single,) = await uploads(second_client, 1)

        order = [await claim(app) for _ in range(3)]

        # the oldest goes first; then the team with nothing running, before the backlog's 2nd
        assert order == [backlog[0], single, backlog[1]]

    async def test_teams_alternate_while_both_have_work(
        self, app: FastAPI, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        first = await uploads(client, 4)
        second = await uploads(second_client, 4)

        order = [await claim(app) for _ in range(8)]

        assert order == [d for pair in zip(first, second, strict=True) for d in pair]
        assert await claim(app) is None

    async def test_priority_still_comes_first(
        self, app: FastAPI, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        (older,) = await uploads(client, 1)
        (normal,) = await uploads(second_client, 1)
        (urgent,) = await uploads(client, 1, priority="high")
        (low,) = await uploads(second_client, 1, priority="low")

        # high first whatever the team; then the team with nothing running; low last
        assert [await claim(app) for _ in range(4)] == [urgent, normal, older, low]
