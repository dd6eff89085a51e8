"""Typed templates, extracted values, tables and validation reports (all JSON-serialisable).

Boxes are ``[x0, y0, x1, y1]`` in the page's own unit, top-left origin, as in
:mod:`folio.pipeline.types`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

BBox = tuple[float, float, float, float]
# Templates are stored as JSON: an integer beyond 64 bits comes back from SQLite as a float and
# an infinite float does not come back at all, so both are refused when a template is written.
Count = Annotated[int, Field(ge=0, le=100_000)]


class FieldType(StrEnum):
    string = "string"
    number = "number"
    date = "date"
    money = "money"
    enum = "enum"
    boolean = "boolean"
    list = "list"
    object = "object"


class LocatorKind(StrEnum):
    regex = "regex"
    anchor = "anchor"
    table = "table"
    entity = "entity"
    section = "section"
    heuristic = "heuristic"
    llm = "llm"


class Position(StrEnum):
    right_of = "right_of"
    below = "below"
    any = "any"  # right of, then below


class Pick(StrEnum):
    first = "first"
    last = "last"
    max = "max"
    min = "min"
    max_of_best = "max_of_best"  # the largest value among hits of the best-ranked label
    all = "all"


class Locator(BaseModel):
    """How a field is found. Locators of a field are tried in order; the first hit wins."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: LocatorKind
    pattern: str | None = None  # regex: the expression; section: the start of a block
    # regex: the group holding the value (0 = whole match)
    group: Annotated[int, Field(ge=0, le=1000)] | str = 1
    labels: list[str] = Field(default_factory=list)  # anchor: label variants; table: header
    exclude: list[str] = Field(default_factory=list)  # anchor: skip lines containing these
    position: Position = Position.any
    max_lines_below: Count = 3
    entity: str | None = None  # entity kind (email, phone, date, money, pincode, pan, …)
    end_pattern: str | None = None  # section: where a block stops
    heuristic: str | None = None  # heuristic: name of a built-in, generic algorithm
    instruction: str | None = None  # llm: what to ask the optional backend
    pick: Pick = Pick.first  # which of several hits
    value_pick: Literal["first", "last"] = "first"  # which typed value within one hit
    confidence: float | None = None  # overrides the default confidence of the kind


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str
    type: FieldType = FieldType.string
    description: str = ""
    required: bool = False
    locators: list[Locator] = Field(default_factory=list)
    item_type: FieldType | None = None  # list: type of the elements (object when fields set)
    fields: list[FieldSpec] = Field(default_factory=list)  # object / list of objects
    enum_values: list[str] = Field(default_factory=list)
    entity: str | None = None  # a string field that must look like this entity kind
    value_pattern: str | None = None  # a string value is the first match of this in the text
    transform: Literal["compact", "upper", "lower", "digits"] | None = None  # string values
    max_items: Count = 50


class Rule(BaseModel):
    """A validation rule. Field paths are dotted; ``items[].amount`` spans a list."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: Literal["required", "pattern", "range", "allowed", "date_order", "sum", "add"]
    field: str | None = None  # required, pattern, range, allowed; target of sum / add
    fields: list[str] = Field(default_factory=list)  # date_order (in order), add (addends)
    items: str | None = None  # sum: ``line_items[].amount``
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    values: list[str] = Field(default_factory=list)
    tolerance: float = 0.02
    name: str | None = None

    def missing_inputs(self) -> list[str]:
        """What the rule's kind needs but the rule lacks (such a rule can only be skipped)."""
        needs = {
            "field": self.kind != "date_order" and not self.field,
            "pattern": self.kind == "pattern" and not self.pattern,
            "items": self.kind == "sum" and not self.items,
            "fields": (self.kind == "add" and not self.fields)
            or (self.kind == "date_order" and len(self.fields) < 2),
        }
        return [name for name, missing in needs.items() if missing]


def _complete(rule: Rule) -> Rule:
    if missing := rule.missing_inputs():
        raise ValueError(f"a {rule.kind} rule needs {', '.join(missing)}")
    return rule


# A rule as a client writes it: complete. Stored rules stay plain ``Rule`` (older data loads).
RuleInput = Annotated[Rule, AfterValidator(_complete)]


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: int = 1
    description: str = ""
    fields: list[FieldSpec]
    rules: list[Rule] = Field(default_factory=list)
    date_order: Literal["DMY", "MDY", "YMD"] = "DMY"  # for ambiguous numeric dates


class FieldValue(BaseModel):
    """One extracted value. ``value`` is None when missing, and ``missing_reason`` says why."""

    name: str
    type: FieldType
    value: Any = None  # normalised: str, float, ISO date, bool, list or dict
    raw: str | None = None
    confidence: float = 0.0  # calibrated when the template ships a calibration
    score: float | None = None  # the locator's raw score, before calibration
    needs_review: bool = False  # missing or below the review threshold (set by the server)
    page: int | None = None
    bbox: BBox | None = None
    method: str | None = None
    missing_reason: str | None = None
    llm_response: str | None = None  # method "llm": the model's answer as it came
    items: list[FieldValue] | None = None  # list fields: one value per element
    fields: dict[str, FieldValue] | None = None  # object fields: one value per sub-field


class Cell(BaseModel):
    row: int
    column: int
    text: str
    bbox: BBox | None = None


class Table(BaseModel):
    page: int
    bbox: BBox
    n_rows: int
    n_columns: int
    header_row: int | None = None  # index of the row that looks like a header
    cells: list[Cell]

    def grid(self) -> list[list[str]]:
        rows = [["" for _ in range(self.n_columns)] for _ in range(self.n_rows)]
        for cell in self.cells:
            rows[cell.row][cell.column] = cell.text
        return rows

    def header(self) -> list[str]:
        return self.grid()[self.header_row] if self.header_row is not None else []


class RuleResult(BaseModel):
    rule: Rule
    status: Literal["pass", "fail", "skip"]
    values: dict[str, Any] = Field(default_factory=dict)
    message: str = ""


class ValidationReport(BaseModel):
    passed: bool
    results: list[RuleResult]

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.status == "fail"]


class ExtractionResult(BaseModel):
    template: str
    template_version: int
    fields: dict[str, FieldValue]
    tables: list[Table] = Field(default_factory=list)
    llm_pending: list[str] = Field(default_factory=list)  # fields left for the LLM backend
    validation: ValidationReport | None = None
    warnings: list[str] = Field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """The normalised values only, as plain JSON data."""
        return {name: fv.value for name, fv in self.fields.items()}
