"""Redacted PDFs whose text is truly gone (text layer and OCR), and anonymised text."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pikepdf
import pytest

from folio.pipeline import OcrMode, PipelineOptions, process_file
from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

INVOICE = "invoice2data/tests/compare/AzureInterior.pdf"
UTILITY_BILL = (
    "aws_idp_public_sector/workshops/industry/public-sector/sample-files/Utility_Bill_John_Doe.png"
)
PII_TEXT = (
    b"Customer: Jane Doe, jane.doe@example.com, IBAN DE89 3704 0044 0532 0130 00.\n"
    b"Please call +49 30 901820.\n"
)


def squeeze(text: str) -> str:
    return re.sub(r"[^0-9a-z@.]", "", text.lower())


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


async def processed(client: httpx.AsyncClient, path: Path | None = None, **kwargs) -> str:
    document = await upload_ok(client, path, **kwargs)
    settled = await wait_settled(client, document["id"])
    assert settled["status"] == "completed", settled
    return document["id"]


async def redact(client: httpx.AsyncClient, document_id: str, body: dict) -> httpx.Response:
    return await client.post(f"/api/v1/documents/{document_id}/redactions", json=body)


async def download(client: httpx.AsyncClient, redaction: dict, tmp_path: Path) -> Path:
    response = await client.get(redaction["file_url"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / f"{redaction['id']}.pdf"
    path.write_bytes(response.content)
    return path


class TestCreateRedaction:
    @pytest.mark.ocr
    async def test_values_are_gone_from_text_layer_and_ocr(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        document_id = await processed(client, corpus(INVOICE))
        entities = (
            await client.post(
                "/api/v1/ai/extract-entities",
                json={"document_id": document_id, "types": ["email", "phone"]},
            )
        ).json()["entities"]
        values = [
            e["text"] for e in entities if e["text"] in ("(870)-931-0505",) or "@" in e["text"]
        ]
        assert len(values) == 2, entities

        response = await redact(client, document_id, {"entity_types": ["email", "phone"]})

        assert response.status_code == 201, response.text
        redaction = response.json()
        assert redaction["pages_redacted"] == [1]
        assert redaction["counts"]["email"] == 1 and redaction["entity_count"] == len(entities)
        path = await download(client, redaction, tmp_path)
        original = process_file(corpus(INVOICE), PipelineOptions(ocr=OcrMode.off)).pages[0].text
        layer = process_file(path, PipelineOptions(ocr=OcrMode.off)).pages[0].text
        ocr = process_file(path, PipelineOptions(ocr=OcrMode.force)).pages[0].text
        assert all(value in original for value in values)
        assert layer.strip() == ""  # the redacted page carries no text at all
        for value in values:
            assert squeeze(value) not in squeeze(ocr), value
        assert digits("(870)-931-0505") not in digits(ocr)
        assert "Mitchell Admin" in ocr  # OCR reads the page: what was not redacted survives
        with pikepdf.open(path) as pdf:
            assert "/Info" not in pdf.trailer or not dict(pdf.docinfo)

    async def test_explicit_boxes_and_untouched_pages(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        document_id = await processed(
            client, corpus("pypdf_sample_files/006-pdflatex-outline/pdflatex-outline.pdf")
        )
        results = (await client.get(f"/api/v1/documents/{document_id}/results")).json()
        page = results["pages"][0]
        first = page["words"][0]

        response = await redact(
            client, document_id, {"boxes": [{"page": 1, "bbox": first["bbox"]}]}
        )

        assert response.status_code == 201, response.text
        redaction = response.json()
        assert redaction["pages_redacted"] == [1] and redaction["box_count"] == 1
        path = await download(client, redaction, tmp_path)
        redacted = process_file(path, PipelineOptions(ocr=OcrMode.off))
        assert len(redacted.pages) == len(results["pages"])
        assert redacted.pages[0].text.strip() == ""
        for before, after in zip(results["pages"][1:], redacted.pages[1:], strict=True):
            assert after.text == before["text"]  # pages without boxes keep their text layer

    @pytest.mark.ocr
    async def test_image_original_becomes_a_redacted_pdf(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        document_id = await processed(client, corpus(UTILITY_BILL))
        words = (await client.get(f"/api/v1/documents/{document_id}/results")).json()["pages"][0][
            "words"
        ]
        targets = [w for w in words if digits(w["text"]) == "12345678912"]  # account number
        assert len(targets) == 2  # printed twice on the bill

        response = await redact(
            client, document_id, {"boxes": [{"page": 1, "bbox": t["bbox"]} for t in targets]}
        )

        assert response.status_code == 201, response.text
        path = await download(client, response.json(), tmp_path)
        ocr = process_file(path, PipelineOptions(ocr=OcrMode.force)).pages[0].text
        assert "12345678912" not in digits(ocr)
        assert "Account Number" in ocr and "AVERILL PARK" in ocr

    async def test_text_document_is_refused(self, client: httpx.AsyncClient) -> None:
        document_id = await processed(client, content=PII_TEXT, filename="c.txt")

        response = await redact(client, document_id, {"entity_types": ["email"]})

        assert_problem(response, 422, "UNPROCESSABLE_DOCUMENT")

    async def test_bad_requests(self, client: httpx.AsyncClient) -> None:
        document_id = await processed(client, corpus(INVOICE))

        empty = await redact(client, document_id, {})
        unknown = await redact(client, document_id, {"entity_types": ["horoscope"]})
        page = await redact(client, document_id, {"boxes": [{"page": 9, "bbox": [1, 1, 5, 5]}]})
        inverted = await redact(client, document_id, {"boxes": [{"page": 1, "bbox": [5, 5, 1, 1]}]})

        for response in (empty, unknown, page, inverted):
            assert_problem(response, 422, "VALIDATION_ERROR")

    async def test_tenancy_and_permissions(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        document_id = await processed(client, corpus(INVOICE))
        created = (await redact(client, document_id, {"entity_types": ["email"]})).json()

        foreign = await redact(second_client, document_id, {"entity_types": ["email"]})
        viewer = await redact(viewer_client, document_id, {"entity_types": ["email"]})
        foreign_get = await second_client.get(f"/api/v1/redactions/{created['id']}")
        foreign_file = await second_client.get(f"/api/v1/redactions/{created['id']}/file")
        viewer_get = await viewer_client.get(f"/api/v1/redactions/{created['id']}")
        listed = await client.get(f"/api/v1/documents/{document_id}/redactions")

        assert_problem(foreign, 404, "NOT_FOUND")
        assert_problem(viewer, 403, "FORBIDDEN")
        assert_problem(foreign_get, 404, "NOT_FOUND")
        assert_problem(foreign_file, 404, "NOT_FOUND")
        assert viewer_get.status_code == 200
        assert [r["id"] for r in listed.json()["items"]] == [created["id"]]


class TestAnonymizedText:
    @pytest.mark.parametrize(
        ("mode", "expected"),
        [
            ("replace", "<EMAIL>"),
            ("mask", "****.***@*******.***"),
            ("hash", "<email:"),
        ],
    )
    async def test_modes(self, client: httpx.AsyncClient, mode: str, expected: str) -> None:
        document_id = await processed(client, content=PII_TEXT, filename="c.txt")

        response = await client.get(
            f"/api/v1/documents/{document_id}/anonymized-text",
            params={"mode": mode, "types": ["email", "iban"]},
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["counts"] == {"email": 1, "iban": 1}
        assert expected in body["text"]
        assert "jane.doe@example.com" not in body["text"]
        assert "DE89 3704" not in body["text"]
        assert "+49 30 901820" in body["text"]  # not asked for

    async def test_default_types_are_pii_and_other_team_is_404(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document_id = await processed(client, content=PII_TEXT, filename="c.txt")

        mine = await client.get(f"/api/v1/documents/{document_id}/anonymized-text")
        foreign = await second_client.get(f"/api/v1/documents/{document_id}/anonymized-text")

        assert "+49 30 901820" not in mine.json()["text"]
        assert "phone" in mine.json()["entity_types"]
        assert_problem(foreign, 404, "NOT_FOUND")
