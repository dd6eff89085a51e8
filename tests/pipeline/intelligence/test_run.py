"""``analyze`` end to end on real documents, compliance, summaries, insights, recommendations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from folio.pipeline import DocumentResult, OcrMode, PipelineOptions, process_file
from folio.pipeline.intelligence import (
    Intelligence,
    IntelligenceOptions,
    analyze,
    check_compliance,
    extract_entities,
    insights,
    recommendations,
    summarize,
)
from folio.pipeline.intelligence.pii import pii_from_entities

CONTRACT = (
    "SERVICE AGREEMENT\n\nThis Service Agreement is entered into by Acme Corp and Jane Roe "
    "(jane.roe@example.com). The agreement has an initial term of two (2) years and renews "
    "automatically for successive one-year periods. Either party may terminate it with thirty "
    "(30) days' written notice. This agreement is governed by the laws of the State of New York. "
    "Invoices are payable within 30 days. The provider keeps the customer's data confidential."
)
MEDICAL = (
    "Patient: John Smith, DOB 04/12/1961, phone (415) 555-2671. Diagnosis: type 2 diabetes. "
    "Prescribed medication: metformin 500 mg. Card on file 4111 1111 1111 1111, CVV 123."
)


@pytest.fixture(scope="module")
def invoice(corpus: Path) -> tuple[Path, DocumentResult]:
    path = corpus / "invoice2data/tests/compare/NetpresseInvoice.pdf"
    return path, process_file(path, PipelineOptions(ocr=OcrMode.off))


class TestAnalyze:
    def test_invoice(self, invoice: tuple[Path, DocumentResult]) -> None:
        path, result = invoice
        options = IntelligenceOptions(security_scan=True, compliance_frameworks=("gdpr", "pci_dss"))
        out = analyze(result, options, path=path)
        assert out.classification and out.classification.document_type == "invoice"
        assert out.pii and out.pii.pii_detected and "iban" in out.pii.types
        assert out.security and out.security.risk_level.value in {"none", "low", "medium"}
        assert any(f.framework == "gdpr" and f.evidence for f in out.compliance)
        assert out.summary and out.summary.key_points
        assert any(i.title == "Total amount" for i in out.insights)
        assert any(r.code == "REDACT_PII" and r.steps for r in out.recommendations)
        assert {"spacy", "python-stdnum", "spacy-model"} <= set(out.engine_versions)

    def test_result_round_trips_through_json(self, invoice: tuple[Path, DocumentResult]) -> None:
        out = analyze(invoice[1])
        again = Intelligence.model_validate(json.loads(out.model_dump_json()))
        assert again == out

    def test_options_switch_analyses_off(self, invoice: tuple[Path, DocumentResult]) -> None:
        options = IntelligenceOptions(
            classify=False,
            pii=False,
            summary=False,
            insights=False,
            entity_types=frozenset({"iban"}),
        )
        out = analyze(invoice[1], options)
        assert out.classification is None and out.summary is None and out.pii is None
        assert {e.type for e in out.entities} == {"iban"}

    def test_library_imports_no_web_or_database_code(self) -> None:
        code = (
            "import sys, folio.pipeline.intelligence as m;"
            "bad = {'fastapi', 'sqlalchemy', 'starlette'} & set(sys.modules);"
            "print(sorted(bad)); sys.exit(1 if bad else 0)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


class TestCompliance:
    def test_indicators_carry_evidence(self) -> None:
        entities = extract_entities(MEDICAL)
        findings = check_compliance(MEDICAL, entities, ["gdpr", "hipaa", "PCI-DSS", "sox"])
        indicators = {(f.framework, f.indicator) for f in findings}
        assert ("hipaa", "phi_indicators") in indicators
        assert ("pci_dss", "cardholder_data_present") in indicators
        assert ("pci_dss", "card_security_code_present") in indicators
        assert ("gdpr", "personal_data_present") in indicators
        assert not any(f.framework == "sox" for f in findings)
        for f in findings:
            assert f.evidence and "not legal advice" in f.disclaimer
            for ev in f.evidence:
                assert MEDICAL[ev.start : ev.end] == ev.text

    def test_unknown_framework(self) -> None:
        with pytest.raises(ValueError):
            check_compliance("", [], ["iso27001"])


class TestSummaryAndInsights:
    def test_summary_lengths_and_focus(self) -> None:
        short = summarize(CONTRACT, length="short")
        long = summarize(CONTRACT, length="long")
        assert short.sentence_count <= 2 < long.sentence_count
        focused = summarize(CONTRACT, length="short", focus=["governing law", "laws"])
        assert "governed by the laws" in focused.text
        assert summarize("").text == ""

    def test_invoice_total_without_currency(self, corpus: Path) -> None:
        path = corpus / "invoice2data/tests/compare/FlipkartInvoice.pdf"
        result = process_file(path, PipelineOptions(ocr=OcrMode.off))
        found = {i.title: i for i in insights(result, extract_entities(result), None)}
        # the ground truth's amount, in the currency the invoice names (₹)
        assert found["Total amount"].value == "319.00 INR"
        evidence = found["Total amount"].evidence
        assert evidence and evidence.page == 1 and evidence.start is not None
        assert "Grand Total" in result.pages[0].text[evidence.start - 40 : evidence.start]

    def test_contract_key_terms(self) -> None:
        found = {i.title: i for i in insights(CONTRACT, extract_entities(CONTRACT), None)}
        assert "two (2) years" in (found["Contract duration"].value or "")
        assert "Automatic renewal" in found
        assert "30" in (found["Termination notice"].value or "")
        assert "New York" in (found["Governing law"].value or "")
        assert found["Contract duration"].importance.value == "high"

    def test_recommendations_follow_findings(self) -> None:
        entities = extract_entities(MEDICAL)
        findings = check_compliance(MEDICAL, entities, ["gdpr", "hipaa", "pci_dss"])
        recs = recommendations(pii=pii_from_entities(entities), compliance=findings)
        codes = [r.code for r in recs]
        assert {"REDACT_PII", "ADD_DPA_CLAUSE", "RESTRICT_PHI_ACCESS", "REMOVE_CARD_DATA"} <= set(
            codes
        )
        assert len(codes) == len(set(codes))
        assert all(r.steps for r in recs)
