"""The pure rules of erasure: who an entity names, and masks that keep text lengths."""

from __future__ import annotations

from folio.erasure.matching import MASK, Person, entity_findings, mask, mask_words


def test_an_email_entity_matches_the_address_whatever_its_case() -> None:
    person = Person(email="jane.doe@example.com", name=None)
    assert person.matches_entity({"type": "email", "text": "Jane.Doe@Example.com"})
    assert not person.matches_entity({"type": "email", "text": "jane.doe@example.org"})
    assert not person.matches_entity({"type": "person", "text": "jane.doe@example.com"})


def test_a_person_entity_matches_the_name_as_whole_words() -> None:
    person = Person(email=None, name="Jane Doe")
    assert person.matches_entity({"type": "person", "text": "Ms JANE  DOE"})
    assert not person.matches_entity({"type": "person", "text": "Jane Doeson"})
    assert not person.matches_entity({"type": "organization", "text": "Jane Doe Ltd"})


def test_findings_name_the_list_type_and_page() -> None:
    person = Person(email="a@b.io", name=None)
    intelligence = {
        "entities": [{"type": "email", "text": "a@b.io", "page": 2}],
        "pii": {"entities": [{"type": "email", "text": "a@b.io", "page": 2}]},
    }
    assert entity_findings(person, intelligence) == [
        {"where": "entities", "type": "email", "page": 2},
        {"where": "pii", "type": "email", "page": 2},
    ]
    assert entity_findings(person, None) == []


def test_masks_keep_offsets_and_mask_the_words_under_them() -> None:
    text = "Call Jane Doe today"
    masked, count = mask(text, Person(email=None, name="jane doe").patterns())
    words = [["Call", 0, 0, 1, 1, 0, 4, 99], ["Jane", 0, 0, 1, 1, 5, 9, 99]]
    assert count == 1 and len(masked) == len(text)
    assert masked == f"Call {MASK * 8} today"
    assert mask_words(words, masked) == [words[0], [MASK * 4, 0, 0, 1, 1, 5, 9, 99]]
