"""Result types of the document-intelligence library (Pydantic v2, JSON-serialisable).

Boxes are ``[x0, y0, x1, y1]`` in the page's unit, top-left origin, like
:mod:`folio.pipeline.types`. ``start``/``end`` are character offsets into that page's text.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]


class DocumentType(StrEnum):
    invoice = "invoice"
    receipt = "receipt"
    contract = "contract"
    resume = "resume"
    bank_statement = "bank_statement"
    payslip = "payslip"
    tax_form = "tax_form"
    id_document = "id_document"
    medical_record = "medical_record"
    letter = "letter"
    sale_deed = "sale_deed"
    purchase_order = "purchase_order"
    utility_bill = "utility_bill"
    form = "form"
    report = "report"
    other = "other"


class Complexity(StrEnum):
    simple = "simple"
    moderate = "moderate"
    complex = "complex"


class RiskLevel(StrEnum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Severity(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Importance(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Alternative(BaseModel):
    document_type: str
    confidence: float


class Classification(BaseModel):
    document_type: str  # a DocumentType value, or a team's own label from a trained model
    confidence: float
    alternatives: list[Alternative] = Field(default_factory=list)
    sub_category: str | None = None
    language: str | None = None
    complexity: Complexity = Complexity.simple
    method: str = "rules"  # "rules" | "model" | "rules+model" | "user" (a person's correction)
    model_version: str | None = None  # the team model that decided, when method is "model"
    evidence: list[str] = Field(default_factory=list)  # the cues that decided it


class Entity(BaseModel):
    type: str  # person, organization, location, address, date, money, email, phone, …
    text: str  # raw text as it appears
    normalized: str | None = None  # E.164 phone, ISO date, "123.45 EUR", compact id …
    confidence: float
    page: int | None = None  # 1-based; None when analysing plain text
    bbox: BBox | None = None
    start: int  # offsets into that page's text (or into the plain text)
    end: int
    context: str = ""
    valid_checksum: bool | None = None  # None: the scheme has no checksum
    source: str = "pattern"  # "pattern" | "checksum" | "ner"


class PiiReport(BaseModel):
    pii_detected: bool
    risk_level: RiskLevel
    counts: dict[str, int] = Field(default_factory=dict)
    types: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)


class Threat(BaseModel):
    code: str  # PDF_JAVASCRIPT, OFFICE_MACRO, EICAR, …
    severity: Severity
    description: str
    location: str | None = None


class SecurityReport(BaseModel):
    risk_level: RiskLevel
    threats: list[Threat] = Field(default_factory=list)
    encrypted: bool = False
    has_macros: bool = False
    has_javascript: bool = False
    has_embedded_files: bool = False
    extension_mismatch: bool = False
    compression_ratio: float | None = None
    scanned: list[str] = Field(default_factory=list)  # which checks ran


class Evidence(BaseModel):
    kind: str  # "entity" | "text"
    label: str  # entity type or matched phrase
    text: str
    page: int | None = None
    start: int | None = None
    end: int | None = None


class ComplianceFinding(BaseModel):
    framework: str  # gdpr | hipaa | sox | pci_dss
    indicator: str  # stable snake_case id
    description: str
    severity: Severity
    evidence: list[Evidence] = Field(default_factory=list)
    disclaimer: str = "Automated indicator, not legal advice."


class KeyPoint(BaseModel):
    text: str
    score: float


class Summary(BaseModel):
    text: str
    key_points: list[KeyPoint] = Field(default_factory=list)
    length: str = "medium"
    method: str = "extractive"
    sentence_count: int = 0
    source_sentence_count: int = 0


class Insight(BaseModel):
    type: str  # key_terms | financial | risk | pii | security
    title: str
    description: str
    value: str | None = None
    confidence: float
    importance: Importance
    evidence: Evidence | None = None


class Recommendation(BaseModel):
    code: str  # REDACT_PII, ADD_DPA_CLAUSE, …
    title: str
    description: str
    priority: Importance
    steps: list[str] = Field(default_factory=list)
    action: str | None = None  # server-side action to create: "redaction_job", "review", …
    entity_types: list[str] = Field(default_factory=list)


class RedactionReport(BaseModel):
    pages_redacted: list[int] = Field(default_factory=list)
    boxes: int = 0
    method: str = "rasterize"
    dpi: int = 200
    metadata_removed: bool = True


class CrossValidation(BaseModel):
    accuracy: float
    folds: int
    fold_scores: list[float] = Field(default_factory=list)
    samples: int
    labels: dict[str, int] = Field(default_factory=dict)


class IntelligenceOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    classify: bool = True
    entities: bool = True
    pii: bool = True
    security_scan: bool = False  # needs ``path``
    compliance_frameworks: tuple[str, ...] = ()
    summary: bool = True
    summary_length: str = "medium"
    insights: bool = True
    entity_types: frozenset[str] | None = None  # detect only these (None: all); skips spaCy
    # when no person/organization/location is asked for
    min_confidence: float = 0.0
    extension_mismatch: bool = False  # told by the ingest step; reported as a threat


class Intelligence(BaseModel):
    classification: Classification | None = None
    entities: list[Entity] = Field(default_factory=list)
    pii: PiiReport | None = None
    security: SecurityReport | None = None
    compliance: list[ComplianceFinding] = Field(default_factory=list)
    summary: Summary | None = None
    insights: list[Insight] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    engine_versions: dict[str, str] = Field(default_factory=dict)
    timings_ms: dict[str, float] = Field(default_factory=dict)
