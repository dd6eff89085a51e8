"""Corrections, per-team training on labelled corpus documents, and the model in processing."""

from __future__ import annotations

import csv

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

LABELLED_CSV = (
    "aws_idp_public_sector/workshops/industry/public-sector/sample-files/comprehend_train_data.csv"
)
TRAIN_LABELS = ("utility-bill", "passport", "drivers-license")
PER_LABEL = 4


def corpus_texts() -> dict[str, list[str]]:
    """Distinct OCR texts per label from the corpus' labelled CSV."""
    texts: dict[str, list[str]] = {}
    with corpus(LABELLED_CSV).open(newline="") as handle:
        for label, text in csv.reader(handle):
            if text not in texts.setdefault(label, []):
                texts[label].append(text)
    return texts


TEXTS = corpus_texts()


async def processed_text(client: httpx.AsyncClient, text: str, name: str) -> str:
    document = await upload_ok(client, content=text.encode(), filename=name)
    settled = await wait_settled(client, document["id"])
    assert settled["status"] == "completed", settled
    return document["id"]


async def label(client: httpx.AsyncClient, document_id: str, document_type: str) -> httpx.Response:
    return await client.put(
        f"/api/v1/documents/{document_id}/classification", json={"document_type": document_type}
    )


async def labelled_team(
    client: httpx.AsyncClient, labels: tuple[str, ...], offset: int = 0
) -> list[str]:
    ids = []
    for name in labels:
        for index in range(offset, offset + PER_LABEL):
            document_id = await processed_text(client, TEXTS[name][index], f"{name}-{index}.txt")
            assert (await label(client, document_id, name)).status_code == 200
            ids.append(document_id)
    return ids


class TestCorrectClassification:
    async def test_correction_is_stored_and_typed(self, client: httpx.AsyncClient) -> None:
        document_id = await processed_text(client, TEXTS["ssn"][0], "card.txt")

        first = await label(client, document_id, "id_document")
        second = await label(client, document_id, "ssn-card")

        assert first.status_code == 200, first.text
        body = second.json()
        assert body["document_type"] == "ssn-card" and body["source"] == "user"
        document = (await client.get(f"/api/v1/documents/{document_id}")).json()
        assert document["document_type"] == "ssn-card"
        listed = await client.get("/api/v1/documents", params={"type": "ssn-card"})
        assert [d["id"] for d in listed.json()["items"]] == [document_id]

    async def test_invalid_label_and_permissions(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        document_id = await processed_text(client, TEXTS["ssn"][1], "card.txt")

        assert_problem(await label(client, document_id, "Not A Label!"), 422, "VALIDATION_ERROR")
        assert_problem(await label(second_client, document_id, "invoice"), 404, "NOT_FOUND")
        assert_problem(await label(viewer_client, document_id, "invoice"), 403, "FORBIDDEN")


class TestTrain:
    async def test_not_enough_labels(self, client: httpx.AsyncClient) -> None:
        document_id = await processed_text(client, TEXTS["passport"][0], "p.txt")
        await label(client, document_id, "passport")

        response = await client.post("/api/v1/classifiers/train")

        assert_problem(response, 409, "NOT_ENOUGH_LABELS")

    async def test_versions_accuracy_and_team_isolation(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        await labelled_team(client, TRAIN_LABELS)
        # the other team labels different documents with labels of its own
        await labelled_team(second_client, ("snap-benefits", "ssn"))

        first = await client.post("/api/v1/classifiers/train")
        second = await client.post("/api/v1/classifiers/train")
        theirs = await second_client.post("/api/v1/classifiers/train")

        assert first.status_code == 201, first.text
        model = first.json()
        assert model["version"] == 1 and model["samples"] == PER_LABEL * len(TRAIN_LABELS)
        assert model["labels"] == dict.fromkeys(TRAIN_LABELS, PER_LABEL)
        assert model["folds"] == PER_LABEL and len(model["fold_scores"]) == PER_LABEL
        assert 0.8 <= model["accuracy"] <= 1.0
        assert second.json()["version"] == 2
        trained = await client.get("/api/v1/events", params={"type": "classifier.trained"})
        assert [e["data"]["version"] for e in trained.json()["items"]] == [1, 2]
        assert theirs.json()["labels"] == {"snap-benefits": PER_LABEL, "ssn": PER_LABEL}
        assert theirs.json()["version"] == 1
        mine = (await client.get("/api/v1/classifiers")).json()["items"]
        assert [(m["version"], m["is_active"]) for m in mine] == [(2, True), (1, False)]
        listed_by_viewer = (await viewer_client.get("/api/v1/classifiers")).json()["items"]
        assert len(listed_by_viewer) == 2
        other = (await second_client.get("/api/v1/classifiers")).json()["items"]
        assert [m["id"] for m in other] == [theirs.json()["id"]]
        assert_problem(await viewer_client.post("/api/v1/classifiers/train"), 403, "FORBIDDEN")
        activate = f"/api/v1/classifiers/{model['id']}/activate"
        assert_problem(await second_client.post(activate), 404, "NOT_FOUND")
        assert (await client.post(activate)).json()["is_active"] is True
        mine = (await client.get("/api/v1/classifiers")).json()["items"]
        assert [(m["version"], m["is_active"]) for m in mine] == [(2, False), (1, True)]


@pytest.mark.parametrize("settings_overrides", [{"analysis_enabled": True}])
class TestModelInProcessing:
    async def test_confident_team_model_decides_the_type(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        await labelled_team(client, TRAIN_LABELS)
        model = (await client.post("/api/v1/classifiers/train")).json()
        unseen = TEXTS["utility-bill"][PER_LABEL + 2]

        mine = await processed_text(client, unseen, "new-bill.txt")
        theirs = await processed_text(second_client, unseen, "new-bill.txt")

        results = (await client.get(f"/api/v1/documents/{mine}/results")).json()
        classification = results["intelligence"]["classification"]
        assert classification["document_type"] == "utility-bill"
        assert classification["method"] == "model"
        assert classification["model_version"] == f"{model['id']}@v1"
        assert classification["confidence"] >= 0.6
        assert (await client.get(f"/api/v1/documents/{mine}")).json()["document_type"] == (
            "utility-bill"
        )
        # the other team has no model: the built-in rules decide, never the first team's labels
        other = (await second_client.get(f"/api/v1/documents/{theirs}/results")).json()
        assert other["intelligence"]["classification"]["method"] != "model"
        assert other["intelligence"]["classification"]["document_type"] != "utility-bill"
