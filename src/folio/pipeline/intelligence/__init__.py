"""Document intelligence: classification, entities, PII, security, compliance, summaries,
insights, recommendations and redaction over a :class:`folio.pipeline.types.DocumentResult`.

Pure library: imports nothing from ``folio`` outside :mod:`folio.pipeline`. Models load lazily,
once per process, from installed packages; nothing is downloaded.
"""

from folio.pipeline.intelligence.classify import classify
from folio.pipeline.intelligence.compliance import FRAMEWORKS, check_compliance
from folio.pipeline.intelligence.entities import ENTITY_TYPES, extract_entities
from folio.pipeline.intelligence.insights import insights
from folio.pipeline.intelligence.pii import PII_TYPES, detect_pii
from folio.pipeline.intelligence.recommendations import recommendations
from folio.pipeline.intelligence.redact import anonymize_text, redact_pdf
from folio.pipeline.intelligence.run import analyze, engine_versions
from folio.pipeline.intelligence.security import scan_security
from folio.pipeline.intelligence.summary import summarize
from folio.pipeline.intelligence.trainable import NotEnoughData, TrainableClassifier
from folio.pipeline.intelligence.types import (
    Classification,
    ComplianceFinding,
    CrossValidation,
    DocumentType,
    Entity,
    Insight,
    Intelligence,
    IntelligenceOptions,
    PiiReport,
    Recommendation,
    RedactionReport,
    SecurityReport,
    Summary,
)

__all__ = [
    "ENTITY_TYPES",
    "FRAMEWORKS",
    "PII_TYPES",
    "Classification",
    "ComplianceFinding",
    "CrossValidation",
    "DocumentType",
    "Entity",
    "Insight",
    "Intelligence",
    "IntelligenceOptions",
    "NotEnoughData",
    "PiiReport",
    "Recommendation",
    "RedactionReport",
    "SecurityReport",
    "Summary",
    "TrainableClassifier",
    "analyze",
    "anonymize_text",
    "check_compliance",
    "classify",
    "detect_pii",
    "engine_versions",
    "extract_entities",
    "insights",
    "recommendations",
    "redact_pdf",
    "scan_security",
    "summarize",
]
