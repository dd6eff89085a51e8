from __future__ import annotations

import httpx

from tests.helpers import assert_problem, upload_ok, wait_settled

TEXT = (
    "Invoice INV-2024-001 from Acme GmbH. Contact billing@acme.example or +49 30 901820. "
    "Pay EUR 1,250.00 to IBAN DE89 3704 0044 0532 0130 00 by 2024-12-31."
)


class TestExtractEntities:
    async def test_from_text_filtered_by_type(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/ai/extract-entities", json={"text": TEXT, "types": ["email", "iban"]}
        )

        assert response.status_code == 200, response.text
        found = response.json()
        assert found["counts"] == {"email": 1, "iban": 1}
        iban = next(e for e in found["entities"] if e["type"] == "iban")
        assert TEXT[iban["start"] : iban["end"]] == iban["text"]

    async def test_from_a_document_with_positions(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=TEXT.encode(), filename="inv.txt")
        await wait_settled(client, document["id"])

        found = (
            await client.post(
                "/api/v1/ai/extract-entities",
                json={"document_id": document["id"], "types": ["email"]},
            )
        ).json()

        assert [e["text"] for e in found["entities"]] == ["billing@acme.example"]
        assert found["entities"][0]["page"] == 1

    async def test_other_team_document(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        document = await upload_ok(client, content=TEXT.encode(), filename="inv.txt")
        await wait_settled(client, document["id"])

        response = await second_client.post(
            "/api/v1/ai/extract-entities", json={"document_id": document["id"]}
        )

        assert_problem(response, 404, "NOT_FOUND")

    async def test_bad_requests(self, client: httpx.AsyncClient) -> None:
        both = await client.post(
            "/api/v1/ai/extract-entities", json={"text": "x", "document_id": "doc_x"}
        )
        unknown = await client.post(
            "/api/v1/ai/extract-entities", json={"text": "x", "types": ["horoscope"]}
        )

        assert_problem(both, 422, "VALIDATION_ERROR")
        assert_problem(unknown, 422, "VALIDATION_ERROR")


class TestSummarize:
    async def test_length_and_key_points(self, client: httpx.AsyncClient) -> None:
        text = " ".join(
            f"Sentence {i} talks about the contract renewal terms."
            if i % 3 == 0
            else f"Sentence {i} is filler about weather."
            for i in range(30)
        )

        short = (
            await client.post(
                "/api/v1/ai/summarize", json={"text": text, "length": "short", "focus": ["renewal"]}
            )
        ).json()
        long = (
            await client.post("/api/v1/ai/summarize", json={"text": text, "length": "long"})
        ).json()

        assert len(short["summary"]["text"]) < len(long["summary"]["text"])
        assert "renewal" in short["summary"]["text"]

    async def test_anonymous(self, anonymous_client: httpx.AsyncClient) -> None:
        response = await anonymous_client.post("/api/v1/ai/summarize", json={"text": "x"})

        assert_problem(response, 401, "UNAUTHORIZED")
