"""Classification on labelled corpus documents, and the per-team trainable classifier."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from folio.pipeline import OcrMode, PipelineOptions, process_file
from folio.pipeline.intelligence import NotEnoughData, TrainableClassifier, classify
from folio.pipeline.intelligence.types import Complexity

AWS_CSV = (
    "aws_idp_public_sector/workshops/industry/public-sector/sample-files/comprehend_train_data.csv"
)
AWS_LABELS = {
    "utility-bill": "utility_bill",
    "snap-benefits": "form",
    "ssn": "id_document",
    "drivers-license": "id_document",
    "passport": "id_document",
}


def aws_rows(corpus: Path) -> list[tuple[str, str]]:
    with (corpus / AWS_CSV).open(newline="") as fh:
        return [(label, text) for label, text in csv.reader(fh)]


def receipt_texts(corpus: Path) -> list[str]:
    """SROIE receipts as their annotated OCR lines (``x1..y4,text`` per line)."""
    texts = []
    for path in sorted((corpus / "sroie/data/box").glob("*.csv")):
        lines = path.read_text(errors="replace").splitlines()
        texts.append("\n".join(",".join(line.split(",")[8:]) for line in lines))
    return texts


def accuracy(pairs: list[tuple[str, str]]) -> float:
    return sum(classify(text).document_type == want for want, text in pairs) / len(pairs)


class TestRules:
    def test_public_sector_documents(self, corpus: Path) -> None:
        pairs = [(AWS_LABELS[label], text) for label, text in aws_rows(corpus)]
        assert accuracy(pairs) >= 0.92  # measured 0.99

    def test_receipts(self, corpus: Path) -> None:
        assert accuracy([("receipt", t) for t in receipt_texts(corpus)]) >= 0.85  # measured 0.93

    def test_invoices(self, corpus: Path) -> None:
        folder = corpus / "invoice2data/tests/compare"
        paths = sorted([*folder.glob("*.pdf"), *folder.glob("*.txt")])
        texts = [process_file(p, PipelineOptions(ocr=OcrMode.off)).text for p in paths]
        assert accuracy([("invoice", t) for t in texts]) >= 0.8  # measured 0.92

    def test_result_fields(self) -> None:
        text = "PASSPORT\nSurname DOE Given Names JOHN\nNationality USA\nDate of Birth 01 JAN 1980"
        result = classify(text)
        assert result.document_type == "id_document"
        assert result.sub_category == "passport"
        assert 0 < result.confidence <= 1
        assert result.alternatives and result.alternatives[0].confidence <= result.confidence
        assert result.complexity == Complexity.simple
        assert "passport" in result.evidence

    def test_language_and_other(self) -> None:
        assert classify("Le chat est sur la table et il dort tranquillement.").language == "fr"
        assert classify("Lorem ipsum dolor sit amet.").document_type == "other"


Trained = tuple[TrainableClassifier, float]


@pytest.fixture(scope="module")
def trained(corpus: Path) -> Trained:
    rows = aws_rows(corpus)
    model = TrainableClassifier()
    report = model.fit([t for _, t in rows], [label for label, _ in rows])
    return model, report.accuracy


class TestTrainable:
    def test_cross_validated_accuracy(self, trained: Trained) -> None:
        model, cv_accuracy = trained
        assert cv_accuracy >= 0.9
        assert model.report is not None and model.report.folds == 5
        assert set(model.labels) == set(AWS_LABELS)

    def test_predict_and_round_trip(self, trained: Trained) -> None:
        model, _ = trained
        text = "Amount Due $120.00 Service Address 1 Main St Statement Date meter kWh"
        restored = TrainableClassifier.from_bytes(model.to_bytes())
        assert restored.predict(text) == model.predict(text)
        label, confidence, alternatives = restored.predict(text)
        assert label == "utility-bill" and confidence > alternatives[0][1]

    def test_confident_model_overrides_rules(self, trained: Trained) -> None:
        model, _ = trained
        result = classify("SOCIAL SECURITY 123-45-6789 THIS NUMBER FOR JANE ROE", model=model)
        assert result.document_type == "ssn" and result.method in {"model", "rules+model"}

    def test_needs_two_examples_per_label(self) -> None:
        with pytest.raises(NotEnoughData):
            TrainableClassifier().fit(["a", "b", "c"], ["x", "y", "y"])

    def test_rejects_foreign_bytes(self) -> None:
        with pytest.raises(ValueError):
            TrainableClassifier.from_bytes(b"not a model")
