"""``apply_template``: every field of a template, found by its locators, typed and boxed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from folio.pipeline.dates import DateOrder
from folio.pipeline.fields import patterns
from folio.pipeline.fields.calibration import shipped_calibrator
from folio.pipeline.fields.heuristics import HEURISTICS
from folio.pipeline.fields.items import table_cell, table_items
from folio.pipeline.fields.layout import Line, document_lines, union
from folio.pipeline.fields.llm import ChatEndpoint, LlmError, ask_field
from folio.pipeline.fields.locators import RUNNERS, Context, Found, sections
from folio.pipeline.fields.normalize import compact
from folio.pipeline.fields.tables import tables_from_lines
from folio.pipeline.fields.templates import BUILTINS
from folio.pipeline.fields.typed import plain_value
from folio.pipeline.fields.types import (
    ExtractionResult,
    FieldSpec,
    FieldType,
    FieldValue,
    Locator,
    LocatorKind,
    Pick,
    Rule,
    Template,
    ValidationReport,
)
from folio.pipeline.fields.validation import validate
from folio.pipeline.types import DocumentResult

NOT_FOUND = "no locator matched the document"
LLM_CONFIDENCE = 0.8  # an answer the document contains, typed: not calibrated (no dev runs)
LLM_PENDING = "needs the LLM backend (instruction recorded, not run by the library)"


def apply_template(
    result: DocumentResult, template: Template, llm: ChatEndpoint | None = None
) -> ExtractionResult:
    """Every field by its rule locators; with ``llm``, fields with an ``llm`` locator are then
    asked of that endpoint (see :func:`apply_llm_locators`)."""
    lines = document_lines(result)
    order = document_date_order(lines, template.date_order)
    ctx = Context(lines, order, tables_from_lines(lines))
    fields: dict[str, FieldValue] = {}
    for spec in template.fields:
        fields[spec.name] = ctx.values[spec.name] = extract_field(ctx, spec, lines)
    _calibrate(template, fields)
    pending = [
        spec.name
        for spec in template.fields
        if fields[spec.name].value in (None, [], {})
        and any(loc.kind == LocatorKind.llm for loc in spec.locators)
    ]
    extraction = ExtractionResult(
        template=template.name,
        template_version=template.version,
        fields=fields,
        tables=ctx.tables,
        llm_pending=pending,
    )
    if template.rules:
        extraction.validation = validate(extraction, template.rules)
    if llm is not None:
        return apply_llm_locators(result, template, extraction, llm)
    return extraction


NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](?:\d{4}|\d{2})(?![\d/.-])")
# a time of day written with dots (``Time: 09.20.00``) is no date
TIME_LABEL = re.compile(r"\b(?:time|masa|jam|zeit|heure|hora|ora)\W*$", re.IGNORECASE)


def document_date_order(lines: list[Line], default: DateOrder) -> DateOrder:
    """The document's own day/month order when its dates settle it: a ``20/03/2023`` makes an
    ambiguous ``03/04/2023`` day first, a ``03/20/2023`` month first; otherwise ``default``."""
    day_first = month_first = 0
    for line in lines:
        for m in NUMERIC_DATE.finditer(line.text):
            if TIME_LABEL.search(line.text[: m.start()]):
                continue
            a, b = int(m.group(1)), int(m.group(2))
            day_first += a > 12 and b <= 12
            month_first += b > 12 and a <= 12
    if day_first and not month_first and default != "DMY":
        return "DMY"
    if month_first and not day_first and default != "MDY":
        return "MDY"
    return default


def _calibrate(template: Template, fields: dict[str, FieldValue]) -> None:
    """Raw scores → calibrated confidence, for the built-in templates as shipped."""
    if template.name not in BUILTINS or template != BUILTINS[template.name]():
        return
    calibrator = shipped_calibrator(template.name)
    for name, value in fields.items():
        value.score = value.confidence
        if calibrator is not None:
            found = value.value not in (None, [], {})
            value.confidence = calibrator.calibrate(name, value.method, value.confidence, found)


def apply_llm_locators(
    result: DocumentResult,
    template: Template,
    extraction: ExtractionResult,
    endpoint: ChatEndpoint,
) -> ExtractionResult:
    """Each top-level field with an ``llm`` locator asked of ``endpoint``; a valid answer
    replaces the rule value (method ``llm``, the answer kept in ``llm_response``), any failure
    keeps the rule value and adds a warning. Network only: no template regex runs here."""
    text = "\n".join(line.text for line in document_lines(result))
    out = extraction.model_copy(deep=True)
    for spec in template.fields:
        loc = next((loc for loc in spec.locators if loc.kind == LocatorKind.llm), None)
        if loc is None or spec.type in (FieldType.list, FieldType.object):
            continue
        instruction = loc.instruction or spec.description or f"The {spec.name}"
        try:
            answer = ask_field(endpoint, spec, instruction, text, template.date_order)
        except LlmError as exc:
            out.warnings.append(f"{spec.name}: LLM answer not used ({exc}); rule value kept")
            if out.fields[spec.name].value is None:
                out.fields[spec.name].missing_reason = f"LLM answer not used: {exc}"
            continue
        out.fields[spec.name] = FieldValue(
            name=spec.name,
            type=spec.type,
            value=transform(spec, answer.value),
            raw=answer.raw,
            confidence=loc.confidence if loc.confidence is not None else LLM_CONFIDENCE,
            method="llm",
            llm_response=answer.response,
        )
    out.llm_pending = []
    if template.rules:
        out.validation = validate(out, template.rules)
    return out


def apply_template_all(
    results: Sequence[DocumentResult], template: Template, regex_budget_s: float | None
) -> list[ExtractionResult]:
    """``template`` applied to each result; all its regular expressions together may take
    ``regex_budget_s`` (then :class:`patterns.RegexBudgetExceeded`)."""
    with patterns.regex_budget(regex_budget_s):
        return [apply_template(result, template) for result in results]


def validate_values(
    values: dict[str, Any], rules: Sequence[Rule], regex_budget_s: float | None
) -> ValidationReport:
    """``validate`` with the rules' patterns sharing one time budget."""
    with patterns.regex_budget(regex_budget_s):
        return validate(values, list(rules))


def missing(spec: FieldSpec, reason: str = NOT_FOUND) -> FieldValue:
    empty: object = [] if spec.type == FieldType.list else None
    if spec.type == FieldType.list:
        reason = f"{reason} (empty list)"
    return FieldValue(name=spec.name, type=spec.type, value=empty, missing_reason=reason)


def from_found(spec: FieldSpec, found: Found) -> FieldValue:
    words = found.words
    return FieldValue(
        name=spec.name,
        type=spec.type if spec.type != FieldType.list else (spec.item_type or FieldType.string),
        value=transform(spec, plain_value(found.value)),
        raw=found.raw,
        confidence=found.confidence,
        page=words[0].page if words else None,
        bbox=union([w.page_bbox for w in words]) if words else None,
        method=found.method,
    )


def transform(spec: FieldSpec, value: object) -> object:
    if not isinstance(value, str) or spec.transform is None:
        return value
    if spec.transform == "compact":
        return compact(value)
    if spec.transform == "digits":
        return re.sub(r"\D", "", value)
    return value.upper() if spec.transform == "upper" else value.lower()


def extract_field(ctx: Context, spec: FieldSpec, lines: list[Line]) -> FieldValue:
    if spec.type == FieldType.object:
        scoped = _scope(spec, lines)
        return extract_object(ctx, spec, scoped, lines if scoped is not lines else None)
    if spec.type == FieldType.list and spec.fields:
        return extract_object_list(ctx, spec, lines)
    if spec.type == FieldType.list:
        return extract_scalar_list(ctx, spec, lines)
    return extract_scalar(ctx, spec, lines)


def run_locator(ctx: Context, spec: FieldSpec, loc: Locator, lines: list[Line]) -> list[Found]:
    if loc.kind in RUNNERS:
        return RUNNERS[loc.kind](ctx, spec, loc, lines)
    if loc.kind == LocatorKind.heuristic and loc.heuristic in HEURISTICS:
        return HEURISTICS[loc.heuristic](ctx, spec, loc, lines)
    if loc.kind == LocatorKind.table:
        return table_cell(ctx, spec, loc, lines) if not spec.fields else []
    return []


def _choose(found: list[Found], pick: Pick) -> Found:
    if pick == Pick.last:
        return max(found, key=lambda f: f.order)
    if pick == Pick.max_of_best:
        best = min(f.rank for f in found)
        found, pick = [f for f in found if f.rank == best], Pick.max
    if pick in (Pick.max, Pick.min):
        numeric = [f for f in found if _number(f.value) is not None]
        if numeric:
            chooser = max if pick == Pick.max else min
            return chooser(numeric, key=lambda f: (_number(f.value), -f.rank))
    return min(found, key=lambda f: (f.rank, f.order))


def _number(value: object) -> float | None:
    value = plain_value(value)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def extract_scalar(ctx: Context, spec: FieldSpec, lines: list[Line]) -> FieldValue:
    for loc in spec.locators:
        if loc.kind == LocatorKind.llm:
            continue
        found = run_locator(ctx, spec, loc, lines)
        if found:
            return from_found(spec, _choose(found, loc.pick))
    if any(loc.kind == LocatorKind.llm for loc in spec.locators):
        return missing(spec, LLM_PENDING)
    return missing(spec)


def extract_scalar_list(ctx: Context, spec: FieldSpec, lines: list[Line]) -> FieldValue:
    items: list[FieldValue] = []
    seen: set[str] = set()
    for loc in spec.locators:
        for found in sorted(run_locator(ctx, spec, loc, lines), key=lambda f: f.order):
            key = str(plain_value(found.value))
            if key not in seen and len(items) < spec.max_items:
                seen.add(key)
                items.append(from_found(spec, found))
    if not items:
        return missing(spec)
    return _list_value(spec, items)


def _list_value(spec: FieldSpec, items: list[FieldValue]) -> FieldValue:
    pages = [i.page for i in items if i.page is not None]
    boxes = [
        i.bbox for i in items if i.bbox is not None and i.page == (pages[0] if pages else None)
    ]
    return FieldValue(
        name=spec.name,
        type=FieldType.list,
        value=[i.value for i in items],
        raw=None,
        confidence=round(sum(i.confidence for i in items) / len(items), 3),
        page=pages[0] if pages else None,
        bbox=union(boxes) if boxes else None,
        method=items[0].method,
        items=items,
    )


def _scope(spec: FieldSpec, lines: list[Line]) -> list[Line]:
    for loc in spec.locators:
        if loc.kind == LocatorKind.section and loc.pattern:
            blocks = sections(lines, loc.pattern, loc.end_pattern)
            if blocks:
                return [line for block in blocks for line in block]
    return lines


FALLBACK_TYPES = (FieldType.money, FieldType.number, FieldType.date, FieldType.boolean)


def extract_object(
    ctx: Context, spec: FieldSpec, lines: list[Line], fallback: list[Line] | None = None
) -> FieldValue:
    """Sub-fields read inside ``lines``; typed ones missing there are looked up in
    ``fallback`` (the whole document) when the object was scoped to a section."""
    subs = {sub.name: extract_field(ctx, sub, lines) for sub in spec.fields}
    for sub in spec.fields:
        if fallback is not None and sub.type in FALLBACK_TYPES and subs[sub.name].value is None:
            subs[sub.name] = extract_field(ctx, sub, fallback)
    found = [v for v in subs.values() if v.value not in (None, [], {})]
    if not found:
        value = missing(spec)
        value.fields = subs
        return value
    page = found[0].page
    boxes = [v.bbox for v in found if v.bbox is not None and v.page == page]
    return FieldValue(
        name=spec.name,
        type=FieldType.object,
        value={k: v.value for k, v in subs.items()},
        confidence=round(sum(v.confidence for v in found) / len(found), 3),
        page=page,
        bbox=union(boxes) if boxes else None,
        method="object",
        fields=subs,
    )


def extract_object_list(ctx: Context, spec: FieldSpec, lines: list[Line]) -> FieldValue:
    for loc in spec.locators:
        items: list[FieldValue] = []
        if loc.kind == LocatorKind.section and loc.pattern:
            for block in sections(lines, loc.pattern, loc.end_pattern)[: spec.max_items]:
                item = extract_object(ctx, spec, block)
                if item.value is not None:
                    items.append(item)
        elif loc.kind == LocatorKind.table:
            items = [_object_from_found(spec, f) for f in table_items(ctx, spec, loc, lines)]
        elif loc.kind == LocatorKind.heuristic and loc.heuristic in HEURISTICS:
            found = HEURISTICS[loc.heuristic](ctx, spec, loc, lines)
            items = [_object_from_found(spec, f) for f in found]
        if items:
            return _list_value(spec, items[: spec.max_items])
    return missing(spec)


def _object_from_found(spec: FieldSpec, found: Found) -> FieldValue:
    value = from_found(spec, found)
    value.type = FieldType.object
    if isinstance(found.value, dict):
        value.fields = {k: v for k, v in found.value.items() if isinstance(v, FieldValue)}
        value.value = {k: v.value for k, v in value.fields.items()}
    return value
