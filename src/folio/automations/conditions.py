"""Conditions: a registry of small typed kinds, each a pydantic schema (validated when a rule
is saved: an unknown kind or field is a 422) with its own test over a document's
:class:`Facts`. ``all`` and ``any`` nest them."""

from __future__ import annotations

import fnmatch
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from folio.automations.facts import Facts

Operator = Literal["==", "!=", ">", ">=", "<", "<="]
Scalar = str | int | float | bool
RISK_ORDER = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
MAX_NESTING = 5
LEADING_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def test(self, facts: Facts) -> bool:  # pragma: no cover - every kind overrides it
        raise NotImplementedError


def _number(value: Any) -> Decimal | None:
    if isinstance(value, dict):  # an extracted field: {"value": …, "confidence": …}
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def compare(actual: Any, operator: Operator, expected: Scalar) -> bool:
    """Numbers compare as numbers; anything else only by (in)equality of text."""
    if actual is None:
        return operator == "!="
    left, right = _number(actual), _number(expected)
    if left is not None and right is not None:
        return {
            "==": left == right,
            "!=": left != right,
            ">": left > right,
            ">=": left >= right,
            "<": left < right,
            "<=": left <= right,
        }[operator]
    if isinstance(actual, dict):
        actual = actual.get("value")
    same = str(actual).casefold() == str(expected).casefold()
    if operator == "==":
        return same
    return not same if operator == "!=" else False


class DocumentTypeIs(Condition):
    kind: Literal["document_type"]
    equals: list[Annotated[str, Field(max_length=50)]] = Field(min_length=1, max_length=50)

    def test(self, facts: Facts) -> bool:
        return facts.document_type in self.equals


class ConfidenceIs(Condition):
    kind: Literal["confidence"]
    op: Operator
    value: float = Field(ge=0, le=1)

    def test(self, facts: Facts) -> bool:
        return compare(facts.confidence, self.op, self.value)


class FilenameMatches(Condition):
    kind: Literal["filename"]
    glob: str = Field(min_length=1, max_length=200, examples=["*.pdf", "invoice-*"])

    def test(self, facts: Facts) -> bool:
        return fnmatch.fnmatch(facts.filename.casefold(), self.glob.casefold())


class MimeMatches(Condition):
    kind: Literal["mime_type"]
    glob: str = Field(min_length=1, max_length=200, examples=["image/*"])

    def test(self, facts: Facts) -> bool:
        return fnmatch.fnmatch(facts.mime_type, self.glob)


class SizeIs(Condition):
    kind: Literal["size"]
    op: Operator
    bytes: int = Field(ge=0, le=2**53)

    def test(self, facts: Facts) -> bool:
        return compare(facts.size_bytes, self.op, self.bytes)


class PageCountIs(Condition):
    kind: Literal["page_count"]
    op: Operator
    value: int = Field(ge=0, le=1_000_000)

    def test(self, facts: Facts) -> bool:
        return compare(facts.page_count, self.op, self.value)


class HasTag(Condition):
    kind: Literal["tag"]
    name: str = Field(min_length=1, max_length=50)
    present: bool = True

    def test(self, facts: Facts) -> bool:
        return (self.name in facts.tags) == self.present


class CustomFieldIs(Condition):
    kind: Literal["custom_field"]
    name: str = Field(min_length=1, max_length=50)
    op: Operator = "=="
    value: Scalar

    def test(self, facts: Facts) -> bool:
        return compare(facts.custom_fields.get(self.name), self.op, self.value)


class EntityPresent(Condition):
    """An entity of a type, optionally with a text, or with an amount compared (``money >
    1000`` reads the number of the normalized value, "1250.00 EUR")."""

    kind: Literal["entity"]
    type: str = Field(min_length=1, max_length=50, examples=["email", "iban", "money"])
    value: str | None = Field(default=None, max_length=500, description="text or normalized")
    op: Operator | None = None
    amount: float | None = Field(default=None, description="with op: the number compared")

    def test(self, facts: Facts) -> bool:
        return any(
            kind == self.type and self._fits(text, normalized)
            for kind, text, normalized in facts.entities
        )

    def _fits(self, text: str, normalized: str | None) -> bool:
        if self.value is not None and self.value.casefold() not in (
            text.casefold(),
            (normalized or "").casefold(),
        ):
            return False
        if self.op is None or self.amount is None:
            return True
        number = LEADING_NUMBER.search(normalized or text)
        return number is not None and compare(number.group(), self.op, self.amount)


class ExtractedFieldIs(Condition):
    """``total > 1000``: the latest extraction's value of a template field."""

    kind: Literal["extracted_field"]
    name: str = Field(min_length=1, max_length=100)
    op: Operator
    value: Scalar

    def test(self, facts: Facts) -> bool:
        return compare(facts.extracted.get(self.name), self.op, self.value)


class PiiRiskIs(Condition):
    kind: Literal["pii_risk"]
    at_least: Literal["low", "medium", "high", "critical"]
    types: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=50)

    def test(self, facts: Facts) -> bool:
        risk = RISK_ORDER.get(facts.pii_risk or "none", 0)
        if risk < RISK_ORDER[self.at_least]:
            return False
        return not self.types or bool(facts.pii_types & set(self.types))


class SourceIs(Condition):
    """Where the document came from; every part given must match."""

    kind: Literal["source"]
    equals: Literal["batch", "upload"] | None = None
    batch_id: str | None = Field(default=None, max_length=40)
    api_key_id: str | None = Field(default=None, max_length=40)
    user_id: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _names_a_source(self) -> SourceIs:
        if (self.equals, self.batch_id, self.api_key_id, self.user_id) == (None,) * 4:
            raise ValueError("name equals, batch_id, api_key_id or user_id")
        return self

    def test(self, facts: Facts) -> bool:
        wanted = (
            (self.equals, facts.source),
            (self.batch_id, facts.batch_id),
            (self.api_key_id, facts.uploaded_by_key_id),
            (self.user_id, facts.uploaded_by_user_id),
        )
        return all(want is None or want == got for want, got in wanted)


class AllOf(Condition):
    kind: Literal["all"]
    conditions: list[AnyCondition] = Field(max_length=50)

    def test(self, facts: Facts) -> bool:
        return all(condition.test(facts) for condition in self.conditions)


class AnyOf(Condition):
    kind: Literal["any"]
    conditions: list[AnyCondition] = Field(min_length=1, max_length=50)

    def test(self, facts: Facts) -> bool:
        return any(condition.test(facts) for condition in self.conditions)


AnyCondition = Annotated[
    AllOf
    | AnyOf
    | DocumentTypeIs
    | ConfidenceIs
    | FilenameMatches
    | MimeMatches
    | SizeIs
    | PageCountIs
    | HasTag
    | CustomFieldIs
    | EntityPresent
    | ExtractedFieldIs
    | PiiRiskIs
    | SourceIs,
    Field(discriminator="kind"),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


def depth(condition: Condition) -> int:
    if isinstance(condition, AllOf | AnyOf):
        return 1 + max((depth(c) for c in condition.conditions), default=0)
    return 1


def explain(condition: Condition, facts: Facts) -> dict[str, Any]:
    """The tree with each node's outcome: what a dry run and a run's log show."""
    node: dict[str, Any] = condition.model_dump(mode="json", exclude={"conditions"})
    if isinstance(condition, AllOf | AnyOf):
        children = [explain(c, facts) for c in condition.conditions]
        node["conditions"] = children
        outcomes = [child["matched"] for child in children]
        node["matched"] = all(outcomes) if isinstance(condition, AllOf) else any(outcomes)
    else:
        node["matched"] = condition.test(facts)
    return node


def needs_extraction(condition: Condition | None) -> bool:
    if condition is None:
        return False
    if isinstance(condition, AllOf | AnyOf):
        return any(needs_extraction(c) for c in condition.conditions)
    return isinstance(condition, ExtractedFieldIs)
