"""The packaged entity model and the recognisers around it, on real corpus text."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

import folio
from folio.pipeline.intelligence import extract_entities
from folio.pipeline.intelligence.candidates import Candidate
from folio.pipeline.intelligence.context import enhance
from folio.pipeline.intelligence.ner import MODEL_DIR, is_trained, load_model
from folio.pipeline.intelligence.patterns import infer_region
from folio.pipeline.intelligence.types import Entity

RECEIPT = "sroie/data/box/{}.csv"


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_model()


def _norm(text: str) -> str:
    return re.sub(r"[\W_]", "", text).lower()


def _same(a: str, b: str) -> bool:
    return SequenceMatcher(None, _norm(a), _norm(b)).ratio() >= 0.9


def _receipt(corpus: Path, stem: str) -> tuple[str, dict[str, str]]:
    """The ground-truth transcript of a SROIE receipt (its box lines) and its key fields."""
    lines = (corpus / RECEIPT.format(stem)).read_text(errors="replace").splitlines()
    key = json.loads((corpus / f"sroie/data/key/{stem}.json").read_text())
    return "\n".join(",".join(line.split(",")[8:]) for line in lines), key


def _exact(text: str, entities: list[Entity]) -> None:
    for e in entities:
        assert e.start is not None and e.end is not None
        assert text[e.start : e.end] == e.text


class TestPackagedModel:
    def test_loads_from_the_package_with_only_ner(self, nlp: Any) -> None:
        assert is_trained(nlp)
        assert Path(nlp.path).resolve() == MODEL_DIR.resolve()
        assert MODEL_DIR.resolve().is_relative_to(Path(folio.__file__).resolve().parent)
        assert nlp.pipe_names == ["ner"]
        assert {"PERSON", "ORG", "GPE", "ADDRESS", "DATE", "NORP"} <= set(
            nlp.get_pipe("ner").labels
        )

    def test_is_small(self) -> None:
        size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
        assert size <= 25 * 1024 * 1024


@pytest.fixture(scope="module")
def receipt(corpus: Path) -> tuple[str, dict[str, str], list[Entity]]:
    text, key = _receipt(corpus, "080")
    return text, key, extract_entities(text)


class TestReceipts:
    def test_company_address_date_total_phone(
        self, receipt: tuple[str, dict[str, str], list[Entity]]
    ) -> None:
        text, key, entities = receipt
        by_type: dict[str, list[Entity]] = {}
        for e in entities:
            by_type.setdefault(e.type, []).append(e)
        assert any(_same(e.text, key["company"]) for e in by_type["organization"])
        assert any(_same(e.text, key["address"]) for e in by_type["address"])
        assert any(e.text == key["date"] for e in by_type["date"])
        assert any((e.normalized or "").startswith(f"{key['total']} MYR") for e in by_type["money"])
        _exact(text, entities)

    def test_malaysian_phone_gets_its_country_not_plus_one(
        self, receipt: tuple[str, dict[str, str], list[Entity]]
    ) -> None:
        text, _, entities = receipt
        phones = [e for e in entities if e.type == "phone"]
        assert phones and all((e.normalized or "").startswith("+60") for e in phones)
        assert infer_region(text) == "MY"


class TestPhones:
    def test_national_number_without_signals_is_not_given_plus_one(self) -> None:
        phones = [e for e in extract_entities("Tel 03-7882 7122") if e.type == "phone"]
        assert [e.text for e in phones] == ["03-7882 7122"]
        assert not (phones[0].normalized or "").startswith("+1")

    def test_region_from_currency_and_country(self) -> None:
        text = "Tel: 020 7946 0958. Balance £12.00"
        phone = next(e for e in extract_entities(text) if e.type == "phone")
        assert phone.normalized == "+442079460958"
        assert infer_region("Order 12, Kuala Lumpur, Malaysia") == "MY"
        assert infer_region("nothing here") is None


class TestNamesAndPlaces:
    def test_person_org_address_in_a_letter(self) -> None:
        text = (
            "Dear Ms Harriet Okonkwo,\nThank you for choosing Brightwater Logistics Ltd.\n"
            "Please send the signed form to:\n221 Larkspur Avenue\nSuite 4\nLeeds LS2 9JT\n"
            "United Kingdom\nKind regards,\nTomasz Wiśniewski"
        )
        entities = extract_entities(text)
        texts = {(e.type, e.text) for e in entities}
        assert ("person", "Harriet Okonkwo") in texts
        assert any(t == "organization" and "Brightwater" in v for t, v in texts)
        address = next(e for e in entities if e.type == "address")
        assert address.text.startswith("221 Larkspur Avenue\nSuite 4\nLeeds")
        _exact(text, entities)

    def test_nationality_religion_politics(self) -> None:
        text = "The applicant is Ghanaian, a practising Buddhist and a registered Republican."
        found = [e.text for e in extract_entities(text) if e.type == "nrp"]
        assert {"Ghanaian", "Buddhist", "Republican"} <= set(found)


class TestLicences:
    def test_licence_number_needs_its_context_words(self) -> None:
        cued = "Her driver's license number is D4829-3310-5521 (class C)."
        licences = [e for e in extract_entities(cued) if e.type == "drivers_license"]
        assert [e.text for e in licences] == ["D4829-3310-5521"]
        assert licences[0].normalized == "D482933105521"
        plain = "Her order number is D4829-3310-5521 (class C)."
        assert not [e for e in extract_entities(plain) if e.type == "drivers_license"]

    def test_context_words_raise_and_lower_confidence(self) -> None:
        text = "She lives in Kendal. Kendal Street is closed."
        first = Candidate("location", 13, 19, "Kendal", 0.7, source="ner")
        second = Candidate("location", 21, 27, "Kendal", 0.7, source="ner")
        raised, lowered = enhance([first, second], text)
        assert raised.confidence > 0.7 > lowered.confidence
