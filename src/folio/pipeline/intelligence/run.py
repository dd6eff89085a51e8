"""``analyze`` runs every analysis the options enable on one document, with versions and timings."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from folio.pipeline.intelligence.classify import classify
from folio.pipeline.intelligence.compliance import check_compliance
from folio.pipeline.intelligence.entities import extract_entities
from folio.pipeline.intelligence.insights import insights
from folio.pipeline.intelligence.ner import model_version
from folio.pipeline.intelligence.pii import detect_pii
from folio.pipeline.intelligence.recommendations import recommendations
from folio.pipeline.intelligence.security import scan_security
from folio.pipeline.intelligence.summary import summarize
from folio.pipeline.intelligence.trainable import TrainableClassifier
from folio.pipeline.intelligence.types import Entity, Intelligence, IntelligenceOptions
from folio.pipeline.types import DocumentResult

T = TypeVar("T")
_PACKAGES = (
    "python-stdnum",
    "phonenumbers",
    "dateparser",
    "spacy",
    "scikit-learn",
    "pikepdf",
    "oletools",
    "pypdfium2",
)


@cache
def engine_versions() -> dict[str, str]:
    versions = {"folio-intelligence": "1"}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    model = model_version()
    if model:
        versions["spacy-model"] = model
    return versions


def _timed(timings: dict[str, float], name: str, fn: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = fn()
    timings[name] = round(1000 * (time.perf_counter() - started), 2)
    return value


def analyze(
    result: DocumentResult,
    options: IntelligenceOptions = IntelligenceOptions(),
    *,
    path: Path | None = None,
    model: TrainableClassifier | None = None,
) -> Intelligence:
    """Run the analyses ``options`` enable; the security scan needs the original ``path``."""
    out = Intelligence(engine_versions=engine_versions())
    t = out.timings_ms
    text = "\n".join(p.text for p in result.pages)
    if options.classify:
        out.classification = _timed(
            t, "classify", lambda: classify(text, language=result.metadata.language, model=model)
        )
    if options.entities or options.pii or options.compliance_frameworks or options.insights:
        types = set(options.entity_types) if options.entity_types is not None else None
        out.entities = _timed(t, "entities", lambda: extract_entities(result, types=types))
    if options.pii:
        out.pii = detect_pii(result, entities=out.entities)
    if options.security_scan and path is not None:
        out.security = _timed(
            t,
            "security",
            lambda: scan_security(
                path, result.mime_type, extension_mismatch=options.extension_mismatch
            ),
        )
    if options.compliance_frameworks:
        out.compliance = check_compliance(result, out.entities, list(options.compliance_frameworks))
    if options.summary:
        out.summary = _timed(t, "summary", lambda: summarize(text, length=options.summary_length))
    if options.insights:
        out.insights = insights(result, out.entities, out.classification)
        out.recommendations = recommendations(
            pii=out.pii,
            security=out.security,
            compliance=out.compliance,
            classification=out.classification,
        )
    out.entities = _filter(out, options)
    return out


def _filter(out: Intelligence, options: IntelligenceOptions) -> list[Entity]:
    if not options.entities:
        return []
    wanted = options.entity_types
    return [
        e
        for e in out.entities
        if (wanted is None or e.type in wanted) and e.confidence >= options.min_confidence
    ]
