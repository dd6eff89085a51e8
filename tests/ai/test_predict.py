"""POST /api/v1/ai/predict: the prior, then the team's own history, never another team's."""

from __future__ import annotations

import math
import statistics

import httpx

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

INVOICES = [f"invoice2data/tests/compare/{name}.pdf" for name in ("AzureInterior", "oyo", "saeco")]


async def predict(client: httpx.AsyncClient, **body) -> httpx.Response:
    return await client.post("/api/v1/ai/predict", json=body)


async def test_prior_then_history(
    client: httpx.AsyncClient, second_client: httpx.AsyncClient
) -> None:
    prior = (await predict(client, page_count=1, kind="pdf")).json()
    ids = [(await upload_ok(client, corpus(path)))["id"] for path in INVOICES]
    documents = [await wait_settled(client, document_id) for document_id in ids]

    learned = (await predict(client, page_count=1, kind="pdf")).json()
    theirs = (await predict(second_client, page_count=1, kind="pdf")).json()

    assert prior["method"] == "prior" and prior["history_samples"] == 0
    assert learned["method"] == "history" and learned["history_samples"] == len(INVOICES)
    assert theirs["history_samples"] == 0  # another team's documents are not its history
    assert all(d["page_count"] == 1 for d in documents)
    typical = math.exp(
        statistics.fmean(math.log(d["processing_time_ms"] / 1000) for d in documents)
    )
    # the estimate moves from the prior toward what this installation measured
    distance = abs(math.log(learned["prediction"]["value"] / typical))
    assert distance < abs(math.log(prior["prediction"]["value"] / typical))
    assert learned["prediction"]["confidence"] > prior["prediction"]["confidence"] == 0
    interval = learned["prediction"]["confidence_interval"]
    assert interval["lower"] < learned["prediction"]["value"] < interval["upper"]
    assert {f["factor"] for f in learned["factors"]} == {
        "page_count",
        "ocr",
        "document_type",
        "kind",
    }


async def test_ocr_and_pages_raise_the_estimate(client: httpx.AsyncClient) -> None:
    one = (await predict(client, page_count=1)).json()["prediction"]["value"]
    many = (await predict(client, page_count=50)).json()["prediction"]["value"]
    scanned = (await predict(client, page_count=50, ocr_needed=True)).json()

    assert one < many < scanned["prediction"]["value"]
    assert scanned["factors"][0]["factor"] in ("ocr", "page_count")


async def test_validation_and_viewer_may_predict(
    client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
) -> None:
    assert_problem(await predict(client, page_count=0), 422, "VALIDATION_ERROR")
    assert_problem(await predict(client, page_count=1, kind="floppy"), 422, "VALIDATION_ERROR")
    assert (await predict(viewer_client, page_count=3)).status_code == 200
