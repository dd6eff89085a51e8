from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import time
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import httpx
import pypdfium2
import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select, update

from folio.analytics.histograms import HTTP, HistogramBuffer
from folio.core.db import utcnow
from folio.core.ids import IdPrefix, new_id
from folio.pipeline.intelligence.types import Severity
from folio.reports.builder import ReportBuilder
from folio.reports.models import Report, ReportSchedule
from folio.security_scans.models import SecurityEvent, SecurityEventType
from tests.conftest import SCALEOUT, corpus
from tests.factories import Account
from tests.helpers import assert_problem, upload_ok, wait_settled
from tests.smtp import Inbox

TRIVIAL_PDF = "pypdf_sample_files/001-trivial/minimal-document.pdf"
FOUR_PAGES_PDF = "pypdf_sample_files/004-pdflatex-4-pages/pdflatex-4-pages.pdf"
REPORTS = "/api/v1/reports"
SCHEDULES = "/api/v1/report-schedules"


@pytest.fixture
def settings_overrides(inbox: Inbox) -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": inbox.port}


async def ready_report(client: httpx.AsyncClient, body: dict) -> tuple[dict, bytes]:
    created = await client.post(REPORTS, json=body)
    assert created.status_code == 202, created.text
    assert created.json()["status"] in {"pending", "building", "ready"}
    report = (await client.get(f"{REPORTS}/{created.json()['id']}", params={"wait": 60})).json()
    assert report["status"] == "ready", report
    download = await client.get(report["download_url"])
    assert download.status_code == 200
    assert int(download.headers["content-length"]) == report["bytes"] == len(download.content)
    return report, download.content


async def two_documents(client: httpx.AsyncClient) -> list[dict]:
    documents = [
        await upload_ok(client, corpus(TRIVIAL_PDF)),
        await upload_ok(client, corpus(FOUR_PAGES_PDF)),
    ]
    return [await wait_settled(client, d["id"]) for d in documents]


async def mailed(request: pytest.FixtureRequest, inbox: Inbox, count: int) -> list[Message]:
    """The report mails. In scale-out the session's Celery worker builds and mails them, to
    the outbox of its data directory (it has no SMTP server), and this API process none."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if SCALEOUT:
            worker = request.getfixturevalue("scaleout_worker")
            outbox = Path(worker.env["FOLIO_DATA_DIR"]) / "outbox"
            files = sorted(outbox.glob("*.eml")) if outbox.is_dir() else []
            found = [message_from_bytes(path.read_bytes()) for path in files]
            found = [m for m in found if m["Subject"].startswith("Folio report")][-count:]
            assert inbox.messages == []
        else:
            found = list(inbox.messages)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"{count} report mails expected")


def mail_parts(message: Message) -> tuple[str, dict[str, bytes]]:
    """The plain-text body, and each attachment's file name and bytes."""
    text, files = "", {}
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if part.get_filename():
            files[part.get_filename()] = payload
        elif part.get_content_type() == "text/plain":
            text = payload.decode()
    return text, files


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


class TestUsageReport:
    async def test_pdf_has_the_figures_and_charts(
        self, app: FastAPI, second_client: httpx.AsyncClient
    ) -> None:
        settled = await two_documents(second_client)
        for _ in range(3):
            await second_client.get("/api/v1/documents")
        await app.state.activity.flush()
        calls = (await second_client.get("/api/v1/analytics/usage")).json()["totals"]
        report, data = await ready_report(
            second_client, {"kind": "usage", "format": "pdf", "period": "7d"}
        )
        assert data.startswith(b"%PDF")
        text = pdf_text(data)
        assert "Usage report" in text
        assert "Documents: 2" in text
        assert f"Pages: {sum(d['page_count'] for d in settled)}" in text
        # the analytics read itself and the report request may be flushed before the build
        counted = [f"API calls: {calls['api_calls'] + n}" in text for n in range(3)]
        assert any(counted), text[:500]
        assert "API calls per day" in text and "Documents per day" in text  # the charts
        assert report["period_end"] > report["period_start"]

    async def test_csv_and_xlsx(self, second_client: httpx.AsyncClient) -> None:
        await upload_ok(second_client, corpus(FOUR_PAGES_PDF))
        _, data = await ready_report(second_client, {"kind": "usage", "format": "csv"})
        rows = list(csv.reader(io.StringIO(data.decode())))
        summary = {r[0]: r[1] for r in rows if len(r) == 2}
        assert summary["Documents"] == "1"
        assert summary["Stored bytes"] == str(corpus(FOUR_PAGES_PDF).stat().st_size)
        header = rows.index(["day", "documents", "pages", "uploaded_bytes", "api_calls",
                             "api_errors"])  # fmt: skip
        days = rows[header + 1 :]
        assert len(days) == 30 and sum(int(r[1]) for r in days) == 1
        _, data = await ready_report(second_client, {"kind": "usage", "format": "xlsx"})
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        summary = list(workbook["Summary"].iter_rows(values_only=True))
        figures = {r[0]: r[1] for r in summary[1:]}
        assert figures["Documents"] == 1
        sheet = workbook[workbook.sheetnames[1]]
        assert sum(r[1] for r in list(sheet.iter_rows(values_only=True))[1:]) == 1


@pytest.mark.skipif(SCALEOUT, reason="a Celery worker draws the file in its own process")
class TestRendering:
    async def test_the_file_is_drawn_in_a_worker_process_not_the_api(
        self, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.INFO, logger="folio.reports"):
            report, data = await ready_report(client, {"kind": "usage", "format": "pdf"})
        assert "Usage report" in pdf_text(data)
        [drawn] = [r for r in caplog.records if "drawn by worker process" in r.getMessage()]
        assert drawn.args is not None and drawn.args[0] == report["id"]
        assert drawn.args[2] != os.getpid()


@pytest.mark.skipif(SCALEOUT, reason="a Celery worker draws the file in its own process")
class TestRenderTimeLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"report_render_time_limit_s": 0.001}

    async def test_a_file_past_the_time_limit_fails_the_report_and_the_api_goes_on(
        self, client: httpx.AsyncClient
    ) -> None:
        created = (await client.post(REPORTS, json={"kind": "usage", "format": "pdf"})).json()
        report = (await client.get(f"{REPORTS}/{created['id']}", params={"wait": 60})).json()
        assert report["status"] == "failed", report
        # the limit covers the wait for the worker process too
        assert report["error_message"].startswith(("SandboxTimeout", "SandboxBusy"))
        assert (await client.get("/api/v1/documents")).status_code == 200


class TestPerformanceReport:
    async def test_xlsx_percentiles(
        self, app: FastAPI, client: httpx.AsyncClient, admin: Account
    ) -> None:
        buffer = HistogramBuffer()
        for value in [150.0] * 99 + [4000.0]:
            buffer.record(admin.team_id, HTTP, "GET /api/v1/things", value)
        await buffer.flush(app.state.runtime.db)
        _, data = await ready_report(client, {"kind": "performance", "format": "xlsx"})
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        rows = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
        assert rows[0] == ("route", "count", "mean_ms", "p50_ms", "p95_ms", "p99_ms")
        things = next(r for r in rows if r[0] == "GET /api/v1/things")
        assert things[1] == 100 and 100 <= things[3] <= 200 and 100 <= things[5] <= 200


async def add_findings(app: FastAPI, team_id: str, document_id: str) -> None:
    """Analysis is off in tests: findings as processing records them."""
    rows = [
        (SecurityEventType.compliance_indicator, "GDPR_PERSONAL_DATA", Severity.high,
         {"framework": "gdpr"}),
        (SecurityEventType.compliance_indicator, "HIPAA_PHI", Severity.medium,
         {"framework": "hipaa"}),
        (SecurityEventType.pii_detected, "PII_DETECTED", Severity.medium,
         {"counts": {"email": 2, "phone": 1}, "types": ["email", "phone"],
          "risk_level": "medium"}),
    ]  # fmt: skip
    async with app.state.runtime.db.session() as session:
        session.add_all(
            SecurityEvent(
                id=new_id(IdPrefix.security_event),
                team_id=team_id,
                document_id=document_id,
                document_version=1,
                origin="processing",
                type=kind,
                code=code,
                severity=severity,
                message=code.lower(),
                details=details,
            )
            for kind, code, severity, details in rows
        )


class TestFindingReports:
    async def test_compliance_and_pii_inventory(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        admin: Account,
        second_client: httpx.AsyncClient,
    ) -> None:
        document = await upload_ok(client, corpus(TRIVIAL_PDF))
        await add_findings(app, admin.team_id, document["id"])
        _, data = await ready_report(client, {"kind": "compliance", "format": "csv"})
        rows = list(csv.reader(io.StringIO(data.decode())))
        header = rows.index(
            ["found_at", "document_id", "filename", "framework", "code", "severity", "message"]
        )
        found = sorted((r[3], r[4], r[5]) for r in rows[header + 1 :])
        assert found == [("gdpr", "GDPR_PERSONAL_DATA", "high"), ("hipaa", "HIPAA_PHI", "medium")]
        assert all(r[1] == document["id"] and r[2] == document["filename"]
                   for r in rows[header + 1 :])  # fmt: skip
        _, data = await ready_report(client, {"kind": "pii_inventory", "format": "xlsx"})
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        per_type = list(workbook[workbook.sheetnames[2]].iter_rows(values_only=True))
        assert per_type == [("type", "items"), ("email", 2), ("phone", 1)]
        documents = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
        assert documents[1] == (document["id"], document["filename"], "medium",
                                "email:2, phone:1", 3)  # fmt: skip
        _, data = await ready_report(second_client, {"kind": "compliance", "format": "pdf"})
        assert "Findings: 0" in pdf_text(data)


class TestAccess:
    async def test_other_team_sees_none(
        self, client: httpx.AsyncClient, second_client: httpx.AsyncClient
    ) -> None:
        report, _ = await ready_report(client, {"kind": "usage", "format": "csv"})
        for path in (f"{REPORTS}/{report['id']}", report["download_url"]):
            assert_problem(await second_client.get(path), 404, "NOT_FOUND")
        assert_problem(await second_client.delete(f"{REPORTS}/{report['id']}"), 404, "NOT_FOUND")
        assert (await second_client.get(REPORTS)).json()["items"] == []
        assert [r["id"] for r in (await client.get(REPORTS)).json()["items"]] == [report["id"]]

    async def test_audit_report_needs_audit_read(
        self, app: FastAPI, client: httpx.AsyncClient, viewer_client: httpx.AsyncClient
    ) -> None:
        response = await viewer_client.post(REPORTS, json={"kind": "audit", "format": "csv"})
        assert_problem(response, 403, "FORBIDDEN")
        await client.post("/api/v1/keys", json={"name": "audited"})
        await app.state.activity.flush()  # audit entries are written in batches
        _, data = await ready_report(client, {"kind": "audit", "format": "csv"})
        assert "keys.create" in data.decode()

    async def test_key_without_analytics_scope(self, client: httpx.AsyncClient) -> None:
        created = await client.post(
            "/api/v1/keys", json={"name": "docs", "scopes": ["documents:read"]}
        )
        headers = {"Authorization": f"Bearer {created.json()['key']}"}
        response = await client.post(REPORTS, json={"kind": "usage"}, headers=headers)
        assert_problem(response, 403, "FORBIDDEN")

    async def test_viewer_cannot_schedule(self, viewer_client: httpx.AsyncClient) -> None:
        body = {"kind": "usage", "cadence": "weekly", "recipients": ["a@example.com"]}
        assert_problem(await viewer_client.post(SCHEDULES, json=body), 403, "FORBIDDEN")

    @pytest.mark.parametrize(
        "body",
        [
            {"kind": "gossip"},
            {"kind": "usage", "format": "docx"},
            {"kind": "usage", "period": "yesterday-ish"},
            {"kind": "usage", "start": "2026-03-02", "end": "2026-03-01"},
            {"kind": "usage", "recipients": ["not an address"]},
        ],
    )
    async def test_bad_input(self, client: httpx.AsyncClient, body: dict) -> None:
        assert_problem(await client.post(REPORTS, json=body), 422, "VALIDATION_ERROR")

    async def test_bad_schedule(self, client: httpx.AsyncClient) -> None:
        body = {"kind": "usage", "cadence": "hourly", "recipients": ["a@example.com"]}
        assert_problem(await client.post(SCHEDULES, json=body), 422, "VALIDATION_ERROR")
        body = {"kind": "usage", "cadence": "weekly", "recipients": []}
        assert_problem(await client.post(SCHEDULES, json=body), 422, "VALIDATION_ERROR")


class TestSchedules:
    async def test_a_due_schedule_mails_its_report(
        self, app: FastAPI, client: httpx.AsyncClient, inbox: Inbox, request: pytest.FixtureRequest
    ) -> None:
        body = {
            "kind": "usage",
            "format": "pdf",
            "cadence": "monthly",
            "recipients": ["ops@example.com", "cfo@example.com"],
        }
        created = await client.post(SCHEDULES, json=body)
        assert created.status_code == 201, created.text
        schedule = created.json()
        assert schedule["next_run_at"] > utcnow().isoformat()
        async with app.state.runtime.db.session() as session:  # its time has come
            await session.execute(
                update(ReportSchedule)
                .where(ReportSchedule.id == schedule["id"])
                .values(next_run_at=utcnow() - timedelta(minutes=1))
            )
        app.state.runtime.state["report_builder"].wake()
        messages = await mailed(request, inbox, 2)
        assert sorted(m["To"] for m in messages) == ["cfo@example.com", "ops@example.com"]
        message = messages[0]
        assert "Usage report" in message["Subject"]
        text, files = mail_parts(message)
        assert "Documents: 0" in text and "/api/v1/reports/rpt_" in text
        [(name, attached)] = files.items()
        assert name.startswith("folio-usage-") and name.endswith(".pdf")
        assert "Documents" in pdf_text(attached)
        listed = (await client.get(SCHEDULES)).json()["items"][0]
        assert listed["last_report_id"] and listed["next_run_at"] > utcnow().isoformat()
        report = (await client.get(f"{REPORTS}/{listed['last_report_id']}")).json()
        assert report["status"] == "ready" and report["schedule_id"] == schedule["id"]
        download = await client.get(report["download_url"])
        assert download.content == attached
        assert (await client.delete(f"{SCHEDULES}/{schedule['id']}")).status_code == 204
        assert (await client.get(SCHEDULES)).json()["items"] == []


class TestScheduleSlots:
    @pytest.fixture
    def settings_overrides(self, inbox: Inbox) -> dict[str, object]:
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port,
            "report_mail_attach_max_bytes": 10,  # every report is larger: link only
        }

    @pytest.mark.skipif(SCALEOUT, reason="the session's worker keeps the default attach limit")
    async def test_a_slot_gets_one_report_from_builders_racing_and_a_large_file_is_linked(
        self, app: FastAPI, client: httpx.AsyncClient, inbox: Inbox, request: pytest.FixtureRequest
    ) -> None:
        body = {"kind": "usage", "format": "csv", "cadence": "weekly", "recipients": ["a@x.io"]}
        schedule = (await client.post(SCHEDULES, json=body)).json()
        runtime = app.state.runtime
        due = utcnow() - timedelta(minutes=1)
        async with runtime.db.session() as session:
            await session.execute(
                update(ReportSchedule)
                .where(ReportSchedule.id == schedule["id"])
                .values(next_run_at=due)
            )
        builders = [ReportBuilder(runtime) for _ in range(3)]  # as three processes would

        made = await asyncio.gather(*(builder.schedule_due() for builder in builders))
        async with runtime.db.session() as session:  # the same slot due again, by hand
            await session.execute(
                update(ReportSchedule)
                .where(ReportSchedule.id == schedule["id"])
                .values(next_run_at=due)
            )
        again = await builders[0].schedule_due()
        runtime.state["report_builder"].wake()
        [message] = await mailed(request, inbox, 1)

        # the app's own builder may take part in the race: one of them made the report
        assert sum(made) <= 1 and again == 1  # the slot was due again and found taken
        async with runtime.db.session(write=False) as session:
            reports = (
                await session.scalars(select(Report).where(Report.schedule_id == schedule["id"]))
            ).all()
        assert len(reports) == 1
        text, files = mail_parts(message)
        assert files == {} and "too large to attach" in text
