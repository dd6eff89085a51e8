"""The numpy prediction of the entity model finds exactly what spaCy's own ``ner`` finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import spacy

from folio.pipeline.intelligence.ner import find_names, load_model
from folio.pipeline.intelligence.ner_inference import EntityTagger

EDGES = [
    "",
    "   ",
    "Smith",
    "I met John Smith",  # the text ends inside an entity
    "\n\nJohn Smith lives at 12 Main Street, Springfield.\n\n",
    "Paid  to   Acme Corp  on 12 March 2024 \t in  Paris ,France",
    "JOHN SMITH\nACME SDN BHD\nNO. 12, JALAN BESAR, 50000 KUALA LUMPUR\nTOTAL 12.50",
]


def spacy_entities(nlp: Any, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]


def corpus_texts(corpus: Path) -> list[str]:
    """Every fourth development sentence and the transcripts of the receipts: clean prose and
    OCR-like lines of capitals, codes and amounts."""
    samples = json.loads((corpus / "presidio_research/synth_dataset_v2.json").read_text())
    sentences = [s["full_text"] for s in samples[::4]]
    receipts = []
    for path in sorted((corpus / "sroie/data/box").glob("*.csv"))[:20]:
        lines = path.read_text(errors="replace").splitlines()
        receipts.append("\n".join(line.split(",", 8)[-1] for line in lines if line.strip()))
    return sentences + receipts


@pytest.fixture(scope="module")
def packaged() -> Any:
    nlp = load_model()
    if nlp is None:
        pytest.skip("no entity model installed")
    return nlp


def test_the_packaged_model_gets_the_same_entities_from_both(packaged: Any, corpus: Path) -> None:
    tagger = EntityTagger.from_pipeline(packaged)
    assert tagger is not None
    texts = corpus_texts(corpus) + EDGES
    expected = spacy_entities(packaged, texts)
    assert sum(map(len, expected)) > 300  # the comparison has entities to compare
    assert tagger.entities(texts) == expected  # one batch
    assert [tagger.entities([text])[0] for text in texts] == expected  # one text at a time


def test_a_model_with_other_weights_decodes_the_same(corpus: Path) -> None:
    """Random weights make entities start, go on and end in places no trained model would."""
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "ORG", "ADDRESS"):
        ner.add_label(label)
    nlp.initialize()
    rng = np.random.default_rng(3)
    for node in ner.model.walk():
        for name in node.param_names:
            if node.has_param(name):
                param = node.get_param(name)
                param += rng.normal(0, 0.5, param.shape).astype(param.dtype)
    tagger = EntityTagger.from_pipeline(nlp)
    assert tagger is not None
    texts = corpus_texts(corpus)[:60] + EDGES
    expected = spacy_entities(nlp, texts)
    assert sum(map(len, expected)) > 20
    assert tagger.entities(texts) == expected


def test_another_architecture_is_left_to_spacy() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("beam_ner").add_label("PERSON")
    nlp.initialize()
    assert EntityTagger.from_pipeline(nlp) is None
    with_tok2vec = spacy.blank("en")
    with_tok2vec.add_pipe("tok2vec")
    with_tok2vec.add_pipe("ner").add_label("PERSON")
    with_tok2vec.initialize()
    assert EntityTagger.from_pipeline(with_tok2vec) is None


def test_names_are_found_through_it(packaged: Any) -> None:
    found = {(c.type, c.text) for c in find_names("Our lawyer, Maria Gonzalez, called Acme Corp.")}
    assert ("person", "Maria Gonzalez") in found
