"""The SDK's templates, extractions, exports, projects, crawls, datasets and zero-retention
processing against a real server; the async client here, the sync one sends the same calls
(``_calls.py``) and is exercised by the remote CLI's tests."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from folio_client import AsyncFolio, NotFoundError, ValidationError

from tests.factories import Account

INVOICE = b"INVOICE\nInvoice number: INV-2024-0042\nDate: 2024-03-05\nTotal: 1,234.50 EUR\n"


async def test_templates_extractions_and_an_export_streamed_to_a_file(
    base_url: str, admin: Account, second_account: Account, tmp_path: Path
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        document = await folio.documents.wait(
            (await folio.documents.upload(INVOICE, filename="inv.txt")).id, timeout=60
        )
        template = await folio.templates.create(
            "po_numbers",
            [
                {
                    "name": "invoice_number",
                    "locators": [{"kind": "regex", "pattern": r"(INV-\d{4}-\d{4})"}],
                }
            ],
            description="Our invoice numbers",
        )
        changed = await folio.templates.update(template.id, description="Invoice numbers")
        versions = await folio.templates.versions(template.id)
        names = [t.name async for t in folio.templates.list(limit=2)]  # across pages
        applied = await folio.templates.apply(template.id, document_ids=[document.id])
        extractions = [e async for e in folio.templates.extractions(document.id)]
        written = await folio.exports.extractions(
            tmp_path / "po.csv", template="po_numbers", format="csv"
        )
        with pytest.raises(ValidationError):  # a bad format is the server's 422, typed
            await folio.exports.extractions(tmp_path / "x", template="po_numbers", format="doc")
    async with AsyncFolio(base_url, api_key=second_account.api_key) as stranger:
        with pytest.raises(NotFoundError):
            await stranger.templates.get(template.id)

    assert changed.version == 2 and [v.version for v in versions] == [2, 1]
    assert "invoice" in names and "po_numbers" in names and len(names) > 2
    assert applied.extracted == 1 and applied.template_version == 2
    assert [e.template_name for e in extractions] == ["po_numbers"]
    assert extractions[0].values["invoice_number"] == "INV-2024-0042"
    exported = (tmp_path / "po.csv").read_bytes()
    assert written == len(exported)
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    # the document's labels (none here), then the review marks
    assert rows[0][-4:] == ["tags", "custom_fields", "needs_review", "corrected"]
    assert rows[1:] == [[document.id, "INV-2024-0042", "", "", "", ""]]


async def test_zero_retention_processing_answers_results_and_keeps_no_document(
    base_url: str, admin: Account
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        before = [d.id async for d in folio.documents.list()]
        results = await folio.documents.process(INVOICE, filename="secret.txt", words=False)
        after = [d.id async for d in folio.documents.list()]

    assert results.document_id is None and results.filename == "secret.txt"
    assert "INV-2024-0042" in str(results.pages)
    assert before == after


async def test_projects_crawls_and_a_dataset_downloaded(
    base_url: str, admin: Account, second_account: Account, tmp_path: Path
) -> None:
    async with AsyncFolio(base_url, api_key=admin.api_key) as folio:
        project = await folio.projects.create("birds")
        job = await folio.crawls.create(
            project.id, url_list="http://127.0.0.1:9/a.jpg", start=False
        )
        listed = [j.id async for j in folio.crawls.list(project_id=project.id)]
        progress = await folio.crawls.progress(job.id)
        dataset = await folio.datasets.create(project.id, format="zip")
        ready = await folio.datasets.wait(dataset.id, timeout=60)
        written = await folio.datasets.download(dataset.id, tmp_path / "birds.zip")
        datasets = [d.id async for d in folio.datasets.list(project.id)]
    async with AsyncFolio(base_url, api_key=second_account.api_key) as stranger:
        with pytest.raises(NotFoundError):
            await stranger.crawls.get(job.id)
        with pytest.raises(NotFoundError):
            await stranger.datasets.get(dataset.id)

    assert job.status == "pending" and job.engines == ["urls"] and listed == [job.id]
    assert progress.job_id == job.id and progress.status == "pending"
    assert ready.status == "ready" and ready.image_count == 0 and datasets == [dataset.id]
    assert written == ready.bytes
    assert zipfile.is_zipfile(tmp_path / "birds.zip")
