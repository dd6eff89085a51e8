"""On-demand scans of stored originals, findings as security events, and processing's findings."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import corpus
from tests.helpers import assert_problem, upload_ok, wait_settled

INVOICE = "invoice2data/tests/compare/AzureInterior.pdf"  # carries an embedded file
ATTACHMENT = "pypdf_sample_files/025-attachment/with-attachment.pdf"
# the standard antivirus test string, split so that this file is not itself flagged
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


async def processed(client: httpx.AsyncClient, path=None, **kwargs) -> str:
    document = await upload_ok(client, path, **kwargs)
    await wait_settled(client, document["id"])
    return document["id"]


async def scan(client: httpx.AsyncClient, document_id: str, **body) -> httpx.Response:
    return await client.post(f"/api/v1/security/scan/{document_id}", json=body)


async def events(client: httpx.AsyncClient, **params) -> list[dict]:
    response = await client.get("/api/v1/security/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestScan:
    async def test_threats_pii_and_compliance_become_events(
        self, client: httpx.AsyncClient
    ) -> None:
        document_id = await processed(client, corpus(INVOICE))

        response = await scan(client, document_id, compliance_frameworks=["gdpr"])

        assert response.status_code == 200, response.text
        result = response.json()
        assert result["clean"] is False
        assert [t["code"] for t in result["security"]["threats"]] == ["PDF_EMBEDDED_FILE"]
        assert result["pii"]["pii_detected"] is True and "email" in result["pii"]["types"]
        assert {f["framework"] for f in result["compliance"]} == {"gdpr"}
        recorded = await events(client, document_id=document_id)
        assert len(recorded) == result["events_recorded"] >= 3
        assert {e["scan_id"] for e in recorded} == {result["scan_id"]}
        assert {e["type"] for e in recorded} == {"threat", "pii_detected", "compliance_indicator"}
        pii_event = next(e for e in recorded if e["type"] == "pii_detected")
        assert "azure.Interior24@example.com" not in str(pii_event)  # no values in the log

    async def test_eicar_before_processing_needs_no_text(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, content=EICAR, filename="eicar.txt")

        response = await scan(client, document["id"], include_pii=False)

        assert response.status_code == 200, response.text
        result = response.json()
        assert result["risk_level"] == "critical" and result["pii"] is None
        critical = await events(client, min_severity="critical")
        assert [e["code"] for e in critical] == ["EICAR_TEST_FILE"]
        alerts = await client.get("/api/v1/events", params={"type": "security.threat_detected"})
        (alert,) = alerts.json()["items"]
        assert alert["data"]["codes"] == ["EICAR_TEST_FILE"]
        assert alert["data"]["document_id"] == document["id"]

    @pytest.mark.parametrize("settings_overrides", [{"workers": 0}])
    async def test_pii_needs_the_processed_text(self, client: httpx.AsyncClient) -> None:
        document = await upload_ok(client, corpus(INVOICE))  # no workers: stays queued

        with_pii = await scan(client, document["id"])
        threats_only = await scan(client, document["id"], include_pii=False)

        assert_problem(with_pii, 409, "CONFLICT")
        assert threats_only.status_code == 200

    async def test_tenancy_and_permissions(
        self,
        client: httpx.AsyncClient,
        second_client: httpx.AsyncClient,
        viewer_client: httpx.AsyncClient,
    ) -> None:
        document_id = await processed(client, corpus(INVOICE))
        assert (await scan(client, document_id)).status_code == 200

        assert_problem(await scan(second_client, document_id), 404, "NOT_FOUND")
        assert_problem(await scan(viewer_client, document_id), 403, "FORBIDDEN")
        assert await events(second_client) == []
        assert await events(second_client, document_id=document_id) == []
        assert len(await events(viewer_client, document_id=document_id)) >= 2


class TestEvents:
    async def test_filters_and_cursor_paging(self, client: httpx.AsyncClient) -> None:
        first = await processed(client, corpus(INVOICE))
        second = await processed(client, corpus(ATTACHMENT))
        await scan(client, first, compliance_frameworks=["gdpr", "pci_dss"])
        await scan(client, second)

        everything = await events(client, limit=100)
        threats = await events(client, type="threat")
        embedded = await events(client, code="PDF_EMBEDDED_FILE")
        medium = await events(client, severity=["medium"])
        future = await events(client, created_after="2099-01-01T00:00:00Z")
        page_one = (await client.get("/api/v1/security/events", params={"limit": 2})).json()
        page_two = (
            await client.get(
                "/api/v1/security/events", params={"limit": 2, "cursor": page_one["next_cursor"]}
            )
        ).json()

        assert {e["document_id"] for e in threats} == {first, second}
        assert {e["document_id"] for e in embedded} == {first, second}
        assert all(e["severity"] == "medium" for e in medium) and medium
        assert future == []
        assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
        assert page_one["has_more"] is True
        assert [e["id"] for e in page_one["items"] + page_two["items"]] == [
            e["id"] for e in everything[:4]
        ]
        bad = await client.get("/api/v1/security/events", params={"severity": "apocalyptic"})
        assert_problem(bad, 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("settings_overrides", [{"analysis_enabled": True}])
class TestProcessingFindings:
    async def test_upload_scan_records_events(self, client: httpx.AsyncClient) -> None:
        document_id = await processed(
            client, corpus(ATTACHMENT), options={"perform_security_scan": True}
        )
        quiet_id = await processed(
            client, corpus(ATTACHMENT), options={"perform_security_scan": False}
        )

        recorded = await events(client, document_id=document_id, type="threat")
        quiet = await events(client, document_id=quiet_id, type="threat")

        assert [(e["code"], e["origin"]) for e in recorded] == [("PDF_EMBEDDED_FILE", "processing")]
        assert recorded[0]["document_version"] == 1 and recorded[0]["scan_id"] is None
        assert quiet == []
