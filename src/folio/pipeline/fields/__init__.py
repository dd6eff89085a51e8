"""Template fields: templates of typed fields applied to a ``DocumentResult``, tables from
word boxes, validation rules and exports (Excel, CSV, JSON, NDJSON, searchable PDF).

Pure library: imports nothing from ``folio`` outside ``folio.pipeline``.

    result = process_file(path, PipelineOptions())
    extraction = apply_template(result, get_template("invoice"))
    extraction.values()                     # {"total": 717.97, "currency": "EUR", …}
    extraction.fields["total"]              # value, raw, confidence, page, bbox, method
    extraction.validation                   # the template's rules, per rule pass/fail/skip
    validate(extraction, [Rule(kind="add", fields=["subtotal", "tax"], field="total")])
    find_tables(result)                     # cell grids with boxes
    exports.write_sale_deeds_xlsx(extractions, "whole_data.xlsx")

Templates are plain data (JSON round trip); a field is found by its locators in order:
``regex``, ``anchor`` (label variants, right of / below, fuzzy on OCR pages), ``table``
(header match), ``entity`` (email, phone, date, money, pincode, pan, aadhaar, iban, vat,
gstin, url, percent, number), ``section`` (blocks for nested objects and repeating parties),
``heuristic`` (a named generic algorithm) and ``llm`` (recorded for the server-side backend,
never run here: such a field stays missing, listed in ``llm_pending``).
"""

from folio.pipeline.dates import find_dates, parse_date
from folio.pipeline.fields.engine import apply_template, apply_template_all, validate_values
from folio.pipeline.fields.normalize import (
    detect_currency,
    find_money,
    normalize_phone,
    parse_number,
)
from folio.pipeline.fields.patterns import RegexBudgetExceeded
from folio.pipeline.fields.tables import find_tables
from folio.pipeline.fields.templates import BUILTINS, builtin_templates, get_template
from folio.pipeline.fields.types import (
    Cell,
    ExtractionResult,
    FieldSpec,
    FieldType,
    FieldValue,
    Locator,
    LocatorKind,
    Pick,
    Position,
    Rule,
    RuleInput,
    RuleResult,
    Table,
    Template,
    ValidationReport,
)
from folio.pipeline.fields.validation import validate

__all__ = [
    "BUILTINS",
    "Cell",
    "ExtractionResult",
    "FieldSpec",
    "FieldType",
    "FieldValue",
    "Locator",
    "LocatorKind",
    "Pick",
    "Position",
    "RegexBudgetExceeded",
    "Rule",
    "RuleInput",
    "RuleResult",
    "Table",
    "Template",
    "ValidationReport",
    "apply_template",
    "apply_template_all",
    "builtin_templates",
    "detect_currency",
    "find_dates",
    "find_money",
    "find_tables",
    "get_template",
    "normalize_phone",
    "parse_date",
    "parse_number",
    "validate",
    "validate_values",
]
